#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A re-imaged kiosk loses nothing: the SD card is replaced, the config (id
# and token) copied over, and the new store's seq starts at 1 again. Head
# office keys ratings by (kiosk, install, seq), so the new store's ratings
# are new, not "duplicates" of the old store's; both stores' ratings are at
# head office exactly once, as the admin export shows. The old card put
# back and sent again is all duplicates.
. "$(dirname "$0")/sync_lib.inc"

hq_init
ADMIN=$("$HQ" --db "$HQ_DB" admin-token 2>>"$T/hq-add.log")
[ -n "$ADMIN" ] || fail "tally-hq admin-token printed no token"
hq_start
kiosk_config "$HQ_PORT"

note "the first store: 5 ratings sent"
add_ratings 5 boot-a
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "first store: --once failed: $out"
OLD_INSTALL=$(sqlite3 "$KDB" "SELECT value FROM meta WHERE key = 'install_id'")
echo "$OLD_INSTALL" | grep -Eq '^[0-9a-f]{32}$' || fail "install id is not 32 hex digits: $OLD_INSTALL"
sqlite3 "$KDB" "SELECT '$OLD_INSTALL', seq, value, wall_ms, boot_id FROM ratings ORDER BY seq" >"$T/old.rows"

note "re-imaged: a new store, same id and token, seq from 1 again"
mv "$KDB" "$T/old-card.db"
rm -f "$KDB-wal" "$KDB-shm"
kiosk_config "$HQ_PORT"
NEW_INSTALL=$(sqlite3 "$KDB" "SELECT value FROM meta WHERE key = 'install_id'")
[ "$NEW_INSTALL" != "$OLD_INSTALL" ] || fail "the new store has the old store's install id"
add_ratings 7 boot-b
[ "$(kiosk_count "seq <= 5")" = 5 ] || fail "the new store does not reuse seq 1..5"
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "new store: --once failed: $out"
echo "$out" | grep -q "sent 7 ratings .*(0 already at head office" || fail "new store's ratings taken for repeats: $out"
[ "$(kiosk_count "acked = 0")" = 0 ] || fail "new store: ratings left unsent"
sqlite3 "$KDB" "SELECT '$NEW_INSTALL', seq, value, wall_ms, boot_id FROM ratings ORDER BY seq" >"$T/new.rows"

note "every rating of both stores is at head office once (admin export)"
day_from=$(date -u -d yesterday +%F)
day_to=$(date -u -d tomorrow +%F)
curl -fsS -H "Authorization: Bearer $ADMIN" \
	"http://127.0.0.1:$HQ_PORT/api/v1/ratings?from=$day_from&to=$day_to&format=json&limit=1000" >"$T/export.json" \
	|| fail "admin export failed"
python3 - "$T/export.json" "$T/old.rows" "$T/new.rows" <<'PY' || fail "export does not hold each rating once"
import json, sys
rows = json.load(open(sys.argv[1]))["ratings"]
got = sorted((r["install"], r["seq"], r["value"], r["wall_ms"], r["boot_id"]) for r in rows)
want = []
for f in sys.argv[2:]:
    for line in open(f):
        i, seq, value, wall, boot = line.strip().split("|")
        want.append((i, int(seq), int(value), int(wall), boot))
want.sort()
if got != want:
    print("export:", got, "\nkiosk stores:", want)
    sys.exit(1)
assert all(r["kiosk"] == "demo-kiosk" for r in rows)
print("# %d ratings at head office, each once" % len(rows))
PY

note "the old card put back and sent again: all duplicates, nothing new"
mv "$KDB" "$T/new-card.db"
cp "$T/old-card.db" "$KDB"
sqlite3 "$KDB" "UPDATE ratings SET acked = 0"
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "old card: --once failed: $out"
echo "$out" | grep -q "sent 5 ratings .*(5 already at head office" || fail "old card resent: $out"
[ "$(hq_count)" = 12 ] || fail "head office holds $(hq_count) ratings, not 12"
[ "$(hq_sql "SELECT count(DISTINCT install) FROM ratings")" = 2 ] || fail "not two installs at head office"
note "ok"
