#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Follow-up answers from the real kiosk (simulated buttons) through the real
# tally-sync to a real tally-hq on loopback: an answer given before the
# sync travels with its rating; one given after its rating was synced
# travels alone and still arrives exactly once; a repeat (lost ack) counts
# nothing; another answer for the same rating is a conflict; a misuse
# rating's answer is kept and not counted; head office's summary and CSV
# export have them. On SQLite, and on PostgreSQL when tests/run.sh runs
# the head-office suite there.
. "$(dirname "$0")/sync_lib.inc"
KIOSK_BIN=${TALLY_KIOSK:-$B/asan/tally-kiosk}
export SDL_VIDEODRIVER=offscreen

hq_init
hq_start
kiosk_config "$HQ_PORT"
EDGES="$T/edges"
mkfifo "$EDGES"
{
	printf '[screen]\nthanks_s = 0.3\nfollowup_s = 120\n[filter]\nresponse_interval_s = 0\n'
	printf '[text]\nfollowup_negative = Waiting time, Staff, Price, Clean\nfollowup_positive = Friendly staff\n'
	for i in 1 2 3 4; do printf '[button.%d]\nchip = sim:%s\nline = %d\n' "$i" "$EDGES" $((i + 10)); done
} >>"$T/kiosk.ini"

"$KIOSK_BIN" --config "$T/kiosk.ini" --windowed 800x480 -v >>"$T/kiosk.log" 2>&1 &
KIOSK=$!
PIDS="$PIDS $KIOSK"
exec 3>"$EDGES"
press() { # BUTTON: one clean press of a simulated button, stamped now
	_t=$(($(date +%s%N) / 1000))
	printf '%s 1 %s\n%s 0 %s\n' $(($1 + 10)) "$_t" $(($1 + 10)) $((_t + 150000)) >&3
}
asked() { grep -q "rating $1: follow-up question asked" "$T/kiosk.log"; }
kreason() { sqlite3 "$KDB" ".timeout 10000" "SELECT coalesce(reason, '-') FROM ratings WHERE seq = $1"; }
hreason() { hq_sql "SELECT coalesce(reason, '-') FROM ratings WHERE seq = $1"; }
counts() { hq_sql "SELECT reason || '=' || sum(n) FROM reason_counts GROUP BY reason ORDER BY reason" | tr '\n' ' '; }
once() { "$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log"; }

wait_until 60 'grep -q "store: .* open" "$T/kiosk.log"' || fail "kiosk did not start"

note "answered before the sync: the answer travels with its rating"
press 4
wait_until 60 'asked 1' || fail "no question after rating 1"
press 1
wait_until 60 '[ "$(kreason 1)" = "Waiting time" ]' || fail "button 1 did not answer"

note "a rating synced while its question shows; the answer comes after"
press 4
wait_until 60 'asked 2' || fail "no question after rating 2"
out=$(once) || fail "--once failed: $out"
[ "$(hq_count)" = 2 ] || fail "head office holds $(hq_count) ratings, not 2"
[ "$(hreason 1)" = "Waiting time" ] || fail "rating 1's answer at head office: $(hreason 1)"
[ "$(hreason 2)" = "-" ] || fail "rating 2 has an answer at head office already: $(hreason 2)"
[ "$(counts)" = "Waiting time=1 " ] || fail "counts after the first sync: $(counts)"
press 2
wait_until 60 '[ "$(kreason 2)" = "Staff" ]' || fail "button 2 did not answer"
[ "$(kiosk_count 'reason IS NOT NULL AND reason_acked = 0')" = 1 ] || fail "the late answer is not waiting to be sent"
out=$(once) || fail "--once failed: $out"
[ "$(hreason 2)" = "Staff" ] || fail "the late answer did not reach head office: $(hreason 2)"
[ "$(hq_count)" = 2 ] || fail "the late answer made a rating"
[ "$(counts)" = "Staff=1 Waiting time=1 " ] || fail "counts after the late answer: $(counts)"
[ "$(kiosk_count 'reason IS NOT NULL AND reason_acked = 0')" = 0 ] || fail "the late answer is not marked sent"

note "sent again (an ack lost): nothing more is counted"
sqlite3 "$KDB" ".timeout 10000" "UPDATE ratings SET reason_acked = 0, acked = 0"
out=$(once) || fail "--once failed: $out"
[ "$(counts)" = "Staff=1 Waiting time=1 " ] || fail "a repeat was counted again: $(counts)"
[ "$(hreason 2)" = "Staff" ] || fail "a repeat changed the answer"

note "a misuse rating's answer is kept, not counted"
sed -i 's/^response_interval_s = 0/response_interval_s = 60/' "$T/kiosk.ini"
kill -HUP "$KIOSK"
wait_until 60 'grep -q "config: reloaded\|reload" "$T/kiosk.log"' || fail "the kiosk did not reload"
press 4
wait_until 60 'asked 3' || fail "no question after rating 3"
press 3
wait_until 60 '[ "$(kreason 3)" = "Price" ]' || fail "button 3 did not answer"
[ "$(sqlite3 "$KDB" 'SELECT flags & 1 FROM ratings WHERE seq = 3')" = 1 ] || fail "rating 3 is not misuse"
out=$(once) || fail "--once failed: $out"
[ "$(hreason 3)" = "Price" ] || fail "the misuse rating's answer is not kept: $(hreason 3)"
[ "$(counts)" = "Staff=1 Waiting time=1 " ] || fail "a misuse rating's answer was counted: $(counts)"

note "head office's summary counts them per kiosk, store and chain"
curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HQ_PORT/api/v1/summary?day=$(date -u +%Y-%m-%d)" \
	>"$T/summary.json" || fail "summary failed"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["reasons"]
want = [{"reason": "Staff", "after": "negative", "count": 1}, {"reason": "Waiting time", "after": "negative", "count": 1}]
for k in ("kiosk", "store", "chain"):
    assert r[k] == want, (k, r)
' "$T/summary.json" || fail "summary reasons: $(cat "$T/summary.json")"

note "head office's CSV export has the reason column"
ADMIN=$("$HQ" --db "$HQ_DB" admin-token 2>>"$T/hq-add.log")
day=$(date -u +%Y-%m-%d)
curl -fsS -H "Authorization: Bearer $ADMIN" \
	"http://127.0.0.1:$HQ_PORT/api/v1/ratings?format=csv&from=$day&to=$day" >"$T/export.csv" ||
	fail "export failed"
head -n 1 "$T/export.csv" | tr -d '\r' | grep -q ',shift,reason$' || fail "no reason column: $(head -n 1 "$T/export.csv")"
grep -q ',Waiting time' "$T/export.csv" && grep -q ',Staff' "$T/export.csv" || fail "reasons missing from the export"

note "the dashboard's store page lists the counted answers (JSON and CSV)"
curl -fsS -H "Authorization: Bearer $ADMIN" \
	"http://127.0.0.1:$HQ_PORT/api/v1/store?store=Demo%20Store&from=$day&to=$day" >"$T/store.json" ||
	fail "store page failed"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["reasons"]
want = [{"reason": "Staff", "after": "negative", "count": 1}, {"reason": "Waiting time", "after": "negative", "count": 1}]
assert r == want, r
' "$T/store.json" || fail "store page reasons: $(cat "$T/store.json")"
curl -fsS -H "Authorization: Bearer $ADMIN" \
	"http://127.0.0.1:$HQ_PORT/api/v1/store?store=Demo%20Store&from=$day&to=$day&format=csv&table=reasons" \
	| tr -d '\r' >"$T/reasons.csv" || fail "reasons CSV failed"
[ "$(cat "$T/reasons.csv")" = "$(printf 'reason,after,count\nStaff,negative,1\nWaiting time,negative,1')" ] ||
	fail "reasons CSV: $(cat "$T/reasons.csv")"

note "another answer for the same rating: a conflict, head office keeps its own"
sqlite3 "$KDB" ".timeout 10000" "UPDATE ratings SET reason = 'Clean', reason_acked = 0 WHERE seq = 2"
if out=$(once); then fail "--once accepted a second answer for one rating: $out"; fi
echo "$out" "$(cat "$T/sync.log")" | grep -q "differs in reason" || fail "the conflict does not name the reason: $out"
[ "$(hreason 2)" = "Staff" ] || fail "head office's answer changed: $(hreason 2)"

kill "$KIOSK"
wait "$KIOSK" || fail "kiosk exited with $? on SIGTERM"
echo "ok: follow-up answers reach head office exactly once"
