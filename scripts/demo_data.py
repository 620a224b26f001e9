#!/usr/bin/env python3
"""demo_data: a kiosk database with a believable day for the staff screens.

    scripts/demo_data.py KIOSK_BINARY DB FACES 'YYYY-MM-DD HH:MM' [ZONE] [--history DAYS]

Makes DB with the kiosk's own schema (tally-kiosk creates it, headless),
then adds ratings for the given day up to the given local time, for the
day before and for the same weekday a week before (with a midday rush and
quiet evenings, some misuse), and a head-office summary of that day for
four areas, the store and the chain, "as of" ten minutes before. The
README's screenshots and the staff e2e tests use it; nothing random, so
the pictures only change when the code does. --history DAYS fills every
other day of the DAYS before too (each with its own mood), so the shift
screens have weeks to compare with.
"""
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zoneinfo


def make_schema(kiosk, db):
    """The kiosk opens (and so creates and migrates) the file, then quits."""
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "k.conf")
        script = os.path.join(tmp, "s")
        with open(conf, "w") as f:
            f.write("[kiosk]\ndatabase = %s\n" % db)
        with open(script, "w") as f:
            f.write("quit\n")
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
        subprocess.run([kiosk, "--config", conf, "--windowed", "320x240", "--script", script],
                       env=env, check=True, stderr=subprocess.DEVNULL)


# Ratings per local hour on a normal day (opening 8-20), and the faces'
# shares from best to worst: a store doing fairly well.
HOURLY = [0, 0, 0, 0, 0, 0, 0, 0, 14, 22, 31, 38, 52, 47, 33, 29, 35, 41, 26, 12, 0, 0, 0, 0]
SHARES = {4: [0.58, 0.27, 0.08, 0.07], 5: [0.46, 0.27, 0.13, 0.08, 0.06]}


def day_rows(day, zone, faces, until, mood):
    """(value, wall_ms, flags) for one day, up to local time `until` (or all of it)."""
    rows = []
    shares = list(SHARES[faces])
    shares[0] += mood
    shares[-1] -= mood
    for hour, n in enumerate(HOURLY):
        for i in range(n):
            t = datetime.datetime(day.year, day.month, day.day, hour, (i * 59) // max(n, 1), (i * 37) % 60,
                                  tzinfo=zone)
            if until and t > until:
                break
            # Deterministic spread over the faces by the shares.
            x = ((i * 7919 + hour * 104729) % 1000) / 1000.0
            acc, best = 0.0, 0
            for k, s in enumerate(shares):
                acc += s
                if x < acc:
                    best = k
                    break
            value = faces - 1 - best
            flags = 1 if (i * 31 + hour) % 47 == 0 else 0  # a little misuse
            rows.append((value, int(t.timestamp() * 1000), flags))
    return rows


def figures(faces, counts, hourly, misuse=0):
    total = sum(counts)
    pos = sum(c for v, c in enumerate(counts) if v > (faces - 1) / 2.0)
    hi = sum(c * v * 100.0 / (faces - 1) for v, c in enumerate(counts))
    return {"scale": faces, "counts": counts, "total": total, "misuse": misuse, "closed": 0,
            "positive_pct": round(100.0 * pos / total, 2) if total else None,
            "happy_index": round(hi / total, 2) if total else None, "hourly": hourly}


def scaled(faces, base_counts, factor, tilt):
    c = [max(0, int(round(x * factor))) for x in base_counts]
    c[-1] += tilt
    c[0] = max(0, c[0] - tilt // 2)
    return c


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    args = sys.argv[1:]
    history = 0
    if "--history" in args:
        i = args.index("--history")
        history = int(args[i + 1])
        del args[i:i + 2]
    kiosk, db, faces, now_s = args[0], args[1], int(args[2]), args[3]
    zone = zoneinfo.ZoneInfo(args[4] if len(args) > 4 else "Europe/Berlin")
    now = datetime.datetime.strptime(now_s, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    if os.path.exists(db):
        os.remove(db)
    make_schema(kiosk, db)
    con = sqlite3.connect(db)
    today = now.date()
    days = [(today, now, 0.0), (today - datetime.timedelta(days=1), None, -0.04),
            (today - datetime.timedelta(days=7), None, -0.08)]
    for back in range(2, history + 1):
        if back != 7:
            days.append((today - datetime.timedelta(days=back), None, ((back * 37) % 11 - 6) / 100.0))
    counts = [0] * faces
    hourly = [0] * 24
    for day, until, mood in days:
        for value, ms, flags in day_rows(day, zone, faces, until, mood):
            con.execute("INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id,"
                        " clock_synced, flags, acked) VALUES ('demo-kiosk', ?, ?, 'button', ?, 0, 'demo', 1, ?, 1)",
                        (value, faces, ms, flags))
            if day == today and not flags:
                counts[value] += 1
                hourly[datetime.datetime.fromtimestamp(ms / 1000, zone).hour] += 1
    as_of = now - datetime.timedelta(minutes=10)
    areas = [("Counter", counts, hourly),
             ("Pickup desk", scaled(faces, counts, 0.7, 12), [int(h * 0.7) for h in hourly]),
             ("Warehouse dispatch", scaled(faces, counts, 0.45, -20), [int(h * 0.45) for h in hourly]),
             ("Returns", scaled(faces, counts, 0.3, -9), [int(h * 0.3) for h in hourly])]
    store = [sum(a[1][v] for a in areas) for v in range(faces)]
    store_hourly = [sum(a[2][h] for a in areas) for h in range(24)]
    chain = scaled(faces, store, 38.0, -300)
    summary = {"day": today.isoformat(), "as_of_ms": int(as_of.timestamp() * 1000),
               "kiosk": figures(faces, counts, hourly),
               "store": {"name": "Harbour Street", "total": figures(faces, store, store_hourly),
                         "areas": [{"area": n, "figures": figures(faces, c, h)} for n, c, h in areas]},
               "chain": figures(faces, chain, [h * 38 for h in store_hourly])}
    con.execute("INSERT OR REPLACE INTO summary (day, json, as_of_ms, fetched_ms) VALUES (?, ?, ?, ?)",
                (today.isoformat(), json.dumps(summary), summary["as_of_ms"], summary["as_of_ms"]))
    con.commit()
    con.close()


if __name__ == "__main__":
    main()
