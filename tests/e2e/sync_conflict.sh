#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A repeat with other content is a conflict, never a duplicate: a kiosk
# store restored from a backup hands out seqs again that head office already
# holds, for other ratings. Head office answers 409 with what differs and
# stores nothing of the batch; tally-sync marks nothing sent, logs it, backs
# off, and writes it to sync.status; `tallyctl status` shows it as needing
# attention (exit 1).
. "$(dirname "$0")/sync_lib.inc"
CTL=${TALLY_CTL:-$B/asan/tallyctl}

hq_init
hq_start
kiosk_config "$HQ_PORT"
INSTALL=$(sqlite3 "$KDB" "SELECT value FROM meta WHERE key = 'install_id'")

note "two ratings sent, the store backed up, a third sent"
add_ratings 2 boot-a
"$SYNC" --once --config "$T/kiosk.ini" >/dev/null 2>>"$T/sync.log" || fail "first --once failed"
sqlite3 "$KDB" ".backup '$T/backup.db'"
add_ratings 1 boot-a
"$SYNC" --once --config "$T/kiosk.ini" >/dev/null 2>>"$T/sync.log" || fail "second --once failed"
[ "$(hq_count)" = 3 ] || fail "head office should hold 3"
hq_sql "SELECT seq, value, wall_ms, boot_id FROM ratings ORDER BY seq" >"$T/hq-before"

note "the backup restored: seq 3 is handed out again, for another rating"
rm -f "$KDB-wal" "$KDB-shm"
cp "$T/backup.db" "$KDB"
add_ratings 2 boot-c
[ "$(kiosk_count "acked = 0 AND seq IN (3, 4)")" = 2 ] || fail "restored store did not reuse seq 3"

sync_start
wait_until 60 'grep -q "NEEDS ATTENTION" "$T/sync.log"' || fail "tally-sync did not report the conflict"
grep "NEEDS ATTENTION" "$T/sync.log" | head -n 1 | grep -q "seq 3 differs" || fail "log line does not say which seq differs"
grep -q " 409 " "$T/hq.log" || fail "head office did not answer 409"

note "nothing of the batch is at head office, nothing is marked sent"
hq_sql "SELECT seq, value, wall_ms, boot_id FROM ratings ORDER BY seq" >"$T/hq-after"
cmp -s "$T/hq-before" "$T/hq-after" || fail "head office's ratings changed: $(cat "$T/hq-after")"
[ "$(kiosk_count "acked = 0")" = 2 ] || fail "the kiosk marked conflicting ratings sent"
[ "$(hq_sql "SELECT count(*) FROM conflicts WHERE kiosk_id = 'demo-kiosk' AND install_id = '$INSTALL' AND seq = 3")" = 1 ] \
	|| fail "head office did not record the conflict"

note "sync.status and tallyctl status say it needs attention"
wait_until 30 'grep -q "^conflict" "$T/kiosk/sync.status" 2>/dev/null' || fail "no conflict in sync.status"
rc=0
"$CTL" --config "$T/kiosk.ini" --json status >"$T/status.json" 2>>"$T/ctl.log" || rc=$?
[ "$rc" = 1 ] || fail "tallyctl status exited $rc, not 1"
python3 - "$T/status.json" "$INSTALL" <<'PY' || fail "tallyctl status: $(cat "$T/status.json")"
import json, sys
st = json.load(open(sys.argv[1]))
assert st["ok"] is False
assert any("other ratings" in a and sys.argv[2] in a and "seq 3" in a for a in st["attention"]), st["attention"]
assert st["install_id"] == sys.argv[2]
assert "seq 3" in st["sync_conflict"]
PY
"$CTL" --config "$T/kiosk.ini" status >"$T/status.txt" 2>>"$T/ctl.log" || true
grep -q "^install id  *$INSTALL$" "$T/status.txt" || fail "tallyctl status text shows no install id"

note "409 by hand: same kiosk, install and seq, another value; what differs is named"
v1=$(hq_sql "SELECT value FROM ratings WHERE seq = 1")
w1=$(hq_sql "SELECT wall_ms FROM ratings WHERE seq = 1")
b1=$(hq_sql "SELECT boot_ms FROM ratings WHERE seq = 1")
code=$(curl -sS -o "$T/409.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data "{\"kiosk\":\"demo-kiosk\",\"install\":\"$INSTALL\",\"boots\":[\"boot-a\"],\"ratings\":[[1,$(( (v1 + 1) % 4 )),4,\"button\",$w1,$b1,0,1,null,0],[9,1,4,\"button\",$w1,$b1,0,1,null,0]]}" \
	"http://127.0.0.1:$HQ_PORT/api/v1/ratings")
[ "$code" = 409 ] || fail "expected 409, got $code: $(cat "$T/409.json")"
python3 - "$T/409.json" <<'PY' || fail "409 body: $(cat "$T/409.json")"
import json, sys
b = json.load(open(sys.argv[1]))
c = b["conflict"]
assert c["count"] == 1 and c["ratings"] == [{"seq": 1, "fields": ["value"]}], c
assert "seq 1" in b["error"]
PY
[ "$(hq_count "WHERE seq = 9")" = 0 ] || fail "the 409 batch's other rating was stored"
sync_stop
note "ok"
