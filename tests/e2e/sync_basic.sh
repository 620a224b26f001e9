#!/bin/sh
# tally-sync end to end, the plain cases: a kiosk store reaches head office
# with exact counts (and in order, acked locally); ratings added while the
# daemon runs follow on their own; head office down, then up again; and a
# wrong token is refused, logged once, and nothing is marked sent.
. "$(dirname "$0")/sync_lib.inc"

hq_init
hq_start
kiosk_config "$HQ_PORT"

note "backlog of 1234 ratings, sent by --once"
add_ratings 1234
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "--once failed: $out"
echo "$out" | grep -q "^sent 1234 ratings in 3 batches" || fail "unexpected --once line: $out"
[ "$(hq_count)" = 1234 ] || fail "head office holds $(hq_count), not 1234"
[ "$(kiosk_count 'acked = 0')" = 0 ] || fail "rows left unacked"
[ "$(hq_count "WHERE kiosk_id = 'demo-kiosk' AND seq BETWEEN 1 AND 1234")" = 1234 ] || fail "wrong seqs at head office"
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "second --once failed"
echo "$out" | grep -q "^sent 0 ratings" || fail "second --once sent again: $out"

note "summary pulled from head office and kept for the staff screens"
sed -i "s/^summary_every_s = .*/summary_every_s = 300/" "$T/kiosk.ini"
"$SYNC" --once --config "$T/kiosk.ini" >/dev/null 2>>"$T/sync.log" || fail "--once with summary failed"
[ "$(sqlite3 "$KDB" "SELECT count(*) FROM summary WHERE as_of_ms > 0 AND json LIKE '%\"chain\"%'")" = 1 ] \
	|| fail "no summary stored: $(sqlite3 "$KDB" "SELECT * FROM summary")"
sqlite3 "$KDB" "SELECT json FROM summary" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert "store" in d and "kiosk" in d, d' \
	|| fail "stored summary is not head office's JSON"
sed -i "s/^summary_every_s = .*/summary_every_s = 0/" "$T/kiosk.ini"

note "daemon: new ratings follow on their own"
sync_start
add_ratings 1
wait_until 30 '[ "$(hq_count)" = 1235 ]' || fail "new rating not delivered"
add_ratings 40
wait_until 30 '[ "$(hq_count)" = 1275 ]' || fail "40 new ratings not delivered"
# Delivered means acknowledged too: head office commits before it answers.
wait_until 30 '[ "$(kiosk_count "acked = 0")" = 0 ]' || fail "40 new ratings not acknowledged"

note "head office down, ratings wait, head office up again"
hq_stop
add_ratings 25
wait_until 30 'grep -q "unreachable" "$T/sync.log"' || fail "outage not logged"
[ "$(kiosk_count 'acked = 0')" = 25 ] || fail "unsent rows should wait"
sleep 2
hq_start
add_ratings 5
wait_until 60 '[ "$(hq_count)" = 1305 ]' || fail "backlog not delivered after head office came back"
# The log line follows the round that head office already committed: wait for it.
wait_until 30 'grep -q "reachable again" "$T/sync.log"' || fail "recovery not logged"
[ "$(kiosk_count 'acked = 0')" = 0 ] || fail "rows left unacked after recovery"
sync_stop

note "wrong token: refused, logged once, nothing marked sent"
sed -i "s/^token = .*/token = not-the-token/" "$T/kiosk.ini"
add_ratings 3
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") && fail "--once succeeded with a wrong token"
echo "$out" | grep -q "401" || fail "no 401 in: $out"
: >"$T/sync.log"
sync_start
wait_until 30 'grep -q "refuses this kiosk" "$T/sync.log"' || fail "wrong token not logged"
sleep 4 # a few retries (1 s, 2 s backoff): still logged once
[ "$(grep -c "refuses this kiosk" "$T/sync.log")" = 1 ] || fail "wrong token logged more than once"
[ "$(kiosk_count 'acked = 0')" = 3 ] || fail "rows marked sent despite 401"
sync_stop
[ "$(hq_count)" = 1305 ] || fail "head office changed"

note "ok"
