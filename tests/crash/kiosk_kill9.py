#!/usr/bin/env python3
"""kiosk_kill9: the kiosk killed with SIGKILL at random moments, over and over.

Each round starts tally-kiosk (-v) on the same store, presses faces without
pause through its simulated chip (a FIFO: one press every few ms) and
through a --script of keys and touches, and kills it with SIGKILL: at a
random moment, or (every other round) a few milliseconds after a press was
written, which is while that press is being committed. The harness keeps
its own trace of every acknowledged press: the kiosk's -v line
"rating N: face F of S by SOURCE" is written after the commit and before
the thank-you, so a logged rating is one the customer was thanked for.

After every kill, before the next start, the store is checked:
  - PRAGMA integrity_check is ok;
  - every acknowledged rating is there, with its face and source;
  - seqs run 1..max without a gap (AUTOINCREMENT, nothing deleted: a gap
    would be a lost commit);
  - nothing was stored that was not acknowledged, except at most the one
    rating whose commit the kill interrupted after it reached the disk
    (counted: "stored, not yet acknowledged"), so no press is stored twice.
Processes are tracked by the pid we started.

usage: kiosk_kill9.py KIOSK_BINARY [--rounds N] [--seed S] [--out DIR]
"""
import argparse
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ACK = re.compile(r"rating (\d+): face (\d+) of \d+ by (\w+)")
LINES = (20, 21, 22, 23)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kiosk")
    ap.add_argument("--rounds", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "little")
    rnd = random.Random(seed)
    work = a.out or tempfile.mkdtemp(prefix="tally-kill9-")
    os.makedirs(work, exist_ok=True)
    db, fifo, status = f"{work}/k.db", f"{work}/buttons.fifo", f"{work}/kiosk.status"
    conf = f"{work}/k.conf"
    with open(conf, "w") as f:
        f.write(f"[kiosk]\ndatabase = {db}\n[screen]\nthanks_s = 0.2\nhighlight_s = 0\n"
                "[filter]\nresponse_interval_s = 1\n")
        for i, line in enumerate(LINES):
            f.write(f"[button.{i + 1}]\nchip = sim:{fifo}\nline = {line}\ndebounce_ms = 2\n")
    os.mkfifo(fifo)
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    # Leak checks belong to clean exits; a killed process has none to make.
    acked = {}            # seq -> (face index, source)
    stats = {"kills": 0, "after_press": 0, "unacked": 0, "written": 0}
    proc = None
    t_start = time.monotonic()

    def fail(msg):
        print(f"kiosk_kill9: FAIL after {stats['kills']} kills (seed {seed}, files in {work}): {msg}")
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        sys.exit(1)

    def up(pid):
        try:
            lines = open(status).read().splitlines()
        except OSError:
            return False
        return f"pid {pid}" in lines and "screen rating" in lines

    def press(t_us):
        line = rnd.choice(LINES)
        rec = f"{line} 1 {t_us}\n{line} 0 {t_us + 4000}\n".encode()
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return False
        try:
            os.write(fd, rec)
        except OSError:
            return False
        finally:
            os.close(fd)
        stats["written"] += 1
        return True

    for rnd_no in range(a.rounds):
        # A script of keys and touches, running from the start alongside the buttons.
        script = f"{work}/script"
        with open(script, "w") as f:
            for _ in range(400):
                if rnd.random() < 0.5:
                    f.write(f"key {rnd.randint(1, 4)}\n")
                else:
                    f.write(f"touch {rnd.uniform(0.05, 0.95):.3f} {rnd.uniform(0.4, 0.9):.3f}\n")
                f.write(f"wait {rnd.randint(5, 40)}\n")
        log = f"{work}/kiosk-{rnd_no}.log"
        with open(log, "w") as logf:
            proc = subprocess.Popen([a.kiosk, "--config", conf, "--windowed", "800x480", "-v", "--script", script],
                                    stdout=logf, stderr=logf, env=env)
        end = time.monotonic() + 120
        while not up(proc.pid):
            if proc.poll() is not None:
                fail(f"the kiosk exited with {proc.returncode} at start; see {log}")
            if time.monotonic() > end:
                fail("the kiosk did not come up within 120 s")
            time.sleep(0.01)
        # Press continuously, then kill: at a random moment, or just after a press.
        run_s = rnd.uniform(0.05, 1.0)
        after_press = rnd_no % 2 == 1
        t_end = time.monotonic() + run_s
        t_us = time.monotonic_ns() // 1000
        while time.monotonic() < t_end:
            t_us = max(t_us + 10000, time.monotonic_ns() // 1000)
            press(t_us)
            time.sleep(rnd.uniform(0.002, 0.012))
        if after_press:
            # The release is decided debounce_ms after its edge: kill around the commit.
            t_us = max(t_us + 10000, time.monotonic_ns() // 1000)
            press(t_us)
            time.sleep(rnd.uniform(0.004, 0.012))
            stats["after_press"] += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stats["kills"] += 1
        if proc.returncode != -signal.SIGKILL:
            fail(f"the kiosk exited with {proc.returncode} before it was killed; see {log}")

        new = {}
        with open(log, errors="replace") as f:
            for line in f:
                m = ACK.search(line)
                if m:
                    new[int(m.group(1))] = (int(m.group(2)) - 1, m.group(3))
        for seq in new:
            if seq in acked:
                fail(f"seq {seq} acknowledged twice")
        acked.update(new)

        c = sqlite3.connect(db, timeout=30)
        try:
            ok = c.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                fail(f"integrity_check: {ok}")
            rows = {seq: (value, source) for seq, value, source in
                    c.execute("SELECT seq, value, source FROM ratings")}
        finally:
            c.close()
        missing = [s for s, v in acked.items() if rows.get(s) != v]
        if missing:
            fail(f"acknowledged ratings lost or changed: {[(s, acked[s], rows.get(s)) for s in missing[:5]]}")
        top = max(rows) if rows else 0
        gaps = sorted(set(range(1, top + 1)) - set(rows))
        if gaps:
            fail(f"seqs missing from the store (a lost commit): {gaps[:10]}")
        extra = [s for s in rows if s not in acked]
        # The only rating stored without its line: the one the kill interrupted, the newest.
        if len(extra) > 1 or (extra and extra[0] != top):
            fail(f"stored but never acknowledged: {extra[:10]} (newest seq {top})")
        if extra:
            # Seen as acknowledged from here on (the next kiosk counts from it).
            stats["unacked"] += 1
            acked[extra[0]] = rows[extra[0]]
    elapsed = time.monotonic() - t_start
    sources = {}
    for _, src in acked.values():
        sources[src] = sources.get(src, 0) + 1
    print(f"kiosk_kill9: {stats['kills']} kills ({stats['after_press']} a few ms after a press, the rest at random), "
          f"{len(acked)} ratings stored ({', '.join(f'{n} by {s}' for s, n in sorted(sources.items()))}), "
          f"{stats['unacked']} of them committed by a kiosk killed before it logged them; "
          f"every check passed after every kill (integrity, nothing lost, no gap, nothing twice); "
          f"{elapsed:.0f} s, seed {seed}")
    if not a.out:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
