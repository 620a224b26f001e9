#!/bin/sh
# Head office's clock as the time source of a kiosk whose network blocks
# NTP. The kiosk's wall clock is 5 hours behind and not synced (the test
# seam TALLY_CLOCK_ROOT/wall_offset_ms, see platform/clockstate.h); real
# key presses on the real kiosk are stamped with that wrong clock.
# - Head office's own clock NOT synced: it says so in every answer and is
#   never used; the ratings arrive uncorrected, time unknown, in no hour.
# - Head office's clock synced: tally-sync reads it over the round trip and
#   corrects the ratings before they leave, flagged "hq" with an error
#   bound; head office's export puts each at its true time within that
#   bound, and the day's hourly figures hold them in the true hour, none in
#   the hour the kiosk's clock showed.
. "$(dirname "$0")/sync_lib.inc"
KIOSK=${TALLY_KIOSK:-$B/asan/tally-kiosk}
export TALLY_DATADIR=${TALLY_DATADIR:-$ROOT/assets}
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
OFFSET_MS=-18000000

KR="$T/kiosk-clock" HR="$T/hq-clock"
mkdir -p "$KR/proc/sys/kernel/random" "$HR/run/systemd/timesync"
echo "boot-hqclock" >"$KR/proc/sys/kernel/random/boot_id"
echo "$OFFSET_MS" >"$KR/wall_offset_ms"

hq_init
ADMIN=$("$HQ" --db "$HQ_DB" admin-token 2>>"$T/hq-add.log")
[ -n "$ADMIN" ] || fail "tally-hq admin-token printed no token"
export TALLY_CLOCK_ROOT="$HR" # head office: no synchronized flag yet
hq_start
export TALLY_CLOCK_ROOT="$KR" # the kiosk and tally-sync: wrong and unsynced
kiosk_config "$HQ_PORT"
printf '[filter]\nresponse_interval_s = 1\n' >>"$T/kiosk.ini"

now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

# press KEYS...: one real key press each on the kiosk, 1.2 s apart.
press() {
	: >"$T/input"
	for k in "$@"; do printf 'key %s\nwait 1200\n' "$k" >>"$T/input"; done
	echo quit >>"$T/input"
	"$KIOSK" --config "$T/kiosk.ini" --windowed 800x480 --script "$T/input" >>"$T/kiosk.log" 2>&1 \
		|| fail "kiosk exited with an error"
}

export_json() {
	curl -fsS -H "Authorization: Bearer $ADMIN" \
		"http://127.0.0.1:$HQ_PORT/api/v1/ratings?from=$(date -u -d '2 days ago' +%F)&to=$(date -u -d tomorrow +%F)&format=json&limit=1000" \
		>"$T/export.json" || fail "admin export failed"
}

note "head office's clock not synced: never a time source"
press 1 2
[ "$(kiosk_count "clock_synced = 0 AND boot_id = 'boot-hqclock'")" = 2 ] || fail "kiosk did not stamp 2 unsynced ratings"
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "--once failed: $out"
curl -fsS "http://127.0.0.1:$HQ_PORT/healthz" | grep -q '"hq_clock_synced":false' || fail "head office does not say its clock is unsynced"
[ "$(hq_count "WHERE corrected_ms IS NULL AND time_known = 0")" = 2 ] || fail "ratings corrected from an unsynced head office"
grep -q "not used as a time source" "$T/sync.log" || fail "tally-sync did not say why it ignores head office's clock"

note "head office's clock synced: the kiosk corrects its ratings from it"
hq_stop
touch "$HR/run/systemd/timesync/synchronized"
export TALLY_CLOCK_ROOT="$HR"
hq_start
export TALLY_CLOCK_ROOT="$KR"
curl -fsS "http://127.0.0.1:$HQ_PORT/healthz" | grep -q '"hq_clock_synced":true' || fail "head office does not say its clock is synced"
t0=$(now_ms)
press 3 1 4
t1=$(now_ms)
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "--once failed: $out"
echo "$out" | grep -q "3 times corrected" || fail "expected 3 corrections: $out"
[ "$(kiosk_count "corrected_by = 1 AND corrected_ms IS NOT NULL")" = 3 ] || fail "kiosk store not flagged corrected by head office"

export_json
day=$(date -u +%F)
curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HQ_PORT/api/v1/summary?day=$day" >"$T/summary.json" \
	|| fail "summary failed"
python3 - "$T/export.json" "$T/summary.json" "$t0" "$t1" "$OFFSET_MS" "$day" <<'PY' || fail "times not where they belong"
import json, sys, time
rows = json.load(open(sys.argv[1]))["ratings"]
summary = json.load(open(sys.argv[2]))
t0, t1, offset, day = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
fixed = [r for r in rows if r["corrected_by"] == "hq"]
assert len(fixed) == 3, rows
assert all(r["corrected_by"] is None and not r["time_known"] for r in rows if r not in fixed), rows
for r in fixed:
    err = r["corrected_err_ms"]
    assert r["time_known"] and 0 < err <= 5000, r
    # Pressed between t0 and t1 on the true clock: the corrected time is there, within the bound.
    assert t0 - err <= r["time_ms"] <= t1 + err, (r, t0, t1)
    # The kiosk's clock is this machine's real clock moved by offset, so the true
    # time of the press is wall_ms - offset: the correction is within its bound
    # (+1 ms: wall and boot time are stamped a moment apart, each truncated to ms).
    assert abs(r["wall_ms"] - offset - r["time_ms"]) <= err + 1, r
    print("# seq %d: true time within [%d, %d] ms, corrected %d, bound %d ms, kiosk clock off by %d ms"
          % (r["seq"], t0, t1, r["time_ms"], err, r["wall_ms"] - r["time_ms"]))
hourly = summary["kiosk"]["hourly"]
h0, h1 = time.gmtime((t0 - 5000) / 1000), time.gmtime((t1 + 5000) / 1000)
if time.strftime("%F", h0) == day == time.strftime("%F", h1) and h0.tm_hour == h1.tm_hour:
    wrong = (h0.tm_hour + offset // 3600000) % 24
    assert hourly[h0.tm_hour] == 3, (h0.tm_hour, hourly)
    assert hourly[wrong] == 0, (wrong, hourly)
    assert sum(hourly) == 3, hourly
    print("# hourly figures: 3 in %02d:00 UTC (true hour), none in %02d:00 (kiosk's clock)" % (h0.tm_hour, wrong))
else:
    print("# the presses straddled an hour or day boundary; hour check skipped")
PY
grep -q "from head office's clock" "$T/sync.log" || fail "tally-sync did not log the correction's source"
"${TALLY_CTL:-$B/asan/tallyctl}" --config "$T/kiosk.ini" export --format json >"$T/kexport.json" 2>>"$T/ctl.log" \
	|| fail "tallyctl export failed"
python3 - "$T/kexport.json" "$(sqlite3 "$KDB" "SELECT value FROM meta WHERE key = 'install_id'")" <<'PY' \
	|| fail "tallyctl export: $(cat "$T/kexport.json")"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["corrected_by"] for r in rows] == [None, None, "hq", "hq", "hq"], rows
assert all(r["install_id"] == sys.argv[2] for r in rows), rows
PY
note "the daemon: a new press is corrected, tallyctl status names head office as the time source"
sync_start
press 2
wait_until 60 '[ "$(kiosk_count "acked = 1 AND corrected_by = 1")" = 4 ]' || fail "the daemon did not send the new press corrected"
wait_until 30 'grep -q "^time_source head office" "$T/kiosk/sync.status" 2>/dev/null' || fail "sync.status names no time source"
"${TALLY_CTL:-$B/asan/tallyctl}" --config "$T/kiosk.ini" --json status >"$T/status.json" 2>>"$T/ctl.log" || true
python3 - "$T/status.json" <<'PY' || fail "tallyctl status: $(cat "$T/status.json")"
import json, sys
st = json.load(open(sys.argv[1]))
assert st["clock_synced"] is False and st["time_source"].startswith("head office, within "), st
assert not any("not synced" in a for a in st["attention"]), st["attention"]
PY
sync_stop
note "ok"
