# SPDX-License-Identifier: Apache-2.0
# tallyctl sync: "send now and report", against a real tally-hq on
# 127.0.0.1 and a real kiosk store. With no daemon it runs tally-sync
# --once; with a tally-sync daemon for the same config it wakes it with
# SIGUSR1 and waits until nothing is unsent. Exit 0 only when nothing is
# left unsent. Counts and exit codes are checked, never times.
. "$(dirname "$0")/sync_lib.inc"
CTL=${TALLY_CTL:-$B/asan/tallyctl}

hq_init
hq_start
kiosk_config "$HQ_PORT"
add_ratings 5

note "no daemon: tally-sync --once does the sending"
"$CTL" --config "$T/kiosk.ini" sync >"$T/out" 2>&1 || { cat "$T/out"; fail "sync with head office up exited $?"; }
grep -q '^sent 5 ratings' "$T/out" || { cat "$T/out"; fail "no 'sent 5 ratings' line"; }
[ "$(kiosk_count 'acked = 0')" = 0 ] || fail "ratings left unsent"
[ "$(hq_count)" = 5 ] || fail "head office has $(hq_count) ratings, not 5"
echo "ok: sync without a daemon sends everything and exits 0"
"$CTL" --config "$T/kiosk.ini" status >"$T/status" 2>&1 || true
grep -q '^last sync  *[0-9T:-]*Z: ok (tally-sync not running)$' "$T/status" || { cat "$T/status"; fail "status does not show the sync just made"; }
ok_at=$(sed -n 's/^last sync ok  *//p' "$T/status")
[ -n "$ok_at" ] && [ "$ok_at" != never ] || fail "status: no last sync ok after a good sync"
echo "ok: status shows the --once attempt and its success"

note "head office down, no daemon: exit 1 and say so"
hq_stop
add_ratings 3
set +e
"$CTL" --config "$T/kiosk.ini" sync >"$T/out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$T/out"; fail "sync with head office down exited $rc, not 1"; }
grep -q '3 unsent' "$T/out" || { cat "$T/out"; fail "no '3 unsent' in the report"; }
echo "ok: sync without head office exits 1 and reports 3 unsent"

note "a daemon runs for this config: it is woken, not raced"
sync_start
wait_until 30 '[ $(( 0x$(awk "/^SigCgt:/ { print \$2 }" /proc/$SYNC_PID/status) & 0x200 )) != 0 ]' \
	|| fail "tally-sync never installed its SIGUSR1 handler"
set +e
"$CTL" --config "$T/kiosk.ini" sync --timeout 1 >"$T/out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$T/out"; fail "sync through a daemon with head office down exited $rc, not 1"; }
grep -q "woke tally-sync (pid $SYNC_PID)" "$T/out" || { cat "$T/out"; fail "the daemon was not the one woken"; }
grep -q '3 still unsent' "$T/out" || { cat "$T/out"; fail "no '3 still unsent'"; }
echo "ok: the running daemon is woken; head office down gives exit 1"

hq_start
"$CTL" --config "$T/kiosk.ini" --json sync --timeout 60 >"$T/out.json" 2>"$T/err" \
	|| { cat "$T/out.json" "$T/err"; fail "sync through the daemon with head office up exited $?"; }
python3 - "$T/out.json" "$SYNC_PID" <<'PY' || fail "JSON report is wrong: $(cat "$T/out.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["via"] == "daemon" and r["ok"] is True and r["unsent"] == 0, r
assert ("pid %s" % sys.argv[2]) in r["message"], r
PY
[ "$(hq_count)" = 8 ] || fail "head office has $(hq_count) ratings, not 8"
echo "ok: --json: the daemon sent the rest, 0 unsent"
sync_stop

note "a refused token, no daemon: status says so, the last success stays the old one"
"$CTL" --config "$T/kiosk.ini" status >"$T/status" 2>&1 || true
ok_at=$(sed -n 's/^last sync ok  *//p' "$T/status")
sed -i 's/^token = .*/token = not-this-kiosks-token/' "$T/kiosk.ini"
add_ratings 1
set +e
"$CTL" --config "$T/kiosk.ini" sync >"$T/out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$T/out"; fail "sync with a bad token exited $rc, not 1"; }
"$CTL" --config "$T/kiosk.ini" status >"$T/status" 2>&1 || true
grep -q '^last sync  *[0-9T:-]*Z: HTTP 401' "$T/status" || { cat "$T/status"; fail "status does not show the 401"; }
[ "$(sed -n 's/^last sync ok  *//p' "$T/status")" = "$ok_at" ] || { cat "$T/status"; fail "last sync ok changed after a 401"; }
"$CTL" --config "$T/kiosk.ini" sync >/dev/null 2>&1 || true
"$CTL" --config "$T/kiosk.ini" --json status >"$T/status.json" 2>&1 || true
grep -q '"sync_last_success": "'"$ok_at"'"' "$T/status.json" || fail "json: last success lost"
grep -q '^failures 2$' "$T/kiosk/sync.status" || { cat "$T/kiosk/sync.status"; fail "failures not counted across --once runs"; }
echo "ok: a 401 from tallyctl sync is in the status; the last success and failure count carry over"

note "bad command line"
set +e
"$CTL" --config "$T/kiosk.ini" sync --timeout soon >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "a bad --timeout exited $rc, not 2"
echo "ok: a bad --timeout is a usage error"
