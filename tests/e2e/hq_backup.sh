#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Backups of head office's SQLite database while tally-hq serves, and their
# restores (issue 10, point 6; docs/head-office.md#backups): two kiosks of
# two stores post a day of ratings; then, while a third kiosk keeps posting
# (the next day's ratings), `sqlite3 hq.db ".backup FILE"` and
# `sqlite3 hq.db "VACUUM INTO 'FILE'"` copy the live database. Each copy is
# restored as the docs say (tally-hq stopped, the file put in place with no
# -wal/-shm beside it) and the restored tally-hq must serve the same figures
# for the first day: the summary (kiosk, store, areas, chain) as each kiosk
# sees it and the admin export of both stores, byte for byte.
# Then the same on PostgreSQL (a throwaway cluster, tests/e2e/pg_lib.inc):
# `pg_dump -Fc` while tally-hq serves and a kiosk posts, `createdb` and
# `pg_restore` into a new database, the same figures from it, and kiosks
# go on posting to the restore.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-backup-XXXXXX")
PID=""
POSTER=""
. "$HERE/pg_lib.inc"
cleanup() {
	[ -n "$POSTER" ] && kill "$POSTER" 2>/dev/null || true
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	pg_stop
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v sqlite3 >/dev/null || fail "sqlite3 (the command-line shell) is not installed: scripts/deps.sh installs it"

DB="$DIR/live/hq.db"
mkdir -p "$DIR/live"
cat >"$DIR/hq.conf" <<CONF
[hq]
database = $DB
listen = 127.0.0.1:0
CONF

# start CONF: tally-hq on CONF's database; sets PID and PORT.
start() {
	# Emptied here, not by the background job's redirection: until that job
	# runs, the file may still hold the previous server's port (or not exist).
	: >"$DIR/out"
	$HQ --config "$1" >>"$DIR/out" 2>>"$DIR/err" &
	PID=$!
	PORT=""
	for _ in $(seq 300); do
		PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
		[ -n "$PORT" ] && break
		kill -0 "$PID" 2>/dev/null || { cat "$DIR/err"; fail "tally-hq exited"; }
		sleep 0.1
	done
	[ -n "$PORT" ] || { cat "$DIR/err"; fail "no listening line"; }
}
stop() {
	kill -TERM "$PID"
	wait "$PID" || fail "tally-hq exited $? after SIGTERM"
	PID=""
}

HQC="$HQ --config $DIR/hq.conf"
$HQC kiosk add --store "Berlin Mitte" --area Counter --tz Europe/Berlin --id k-berlin >"$DIR/a.txt" 2>/dev/null
$HQC kiosk add --store "Lisboa" --area Counter --tz Europe/Lisbon --id k-lisboa >"$DIR/b.txt" 2>/dev/null
$HQC kiosk add --store "Lisboa" --area Pickup --tz Europe/Lisbon --id k-busy >"$DIR/c.txt" 2>/dev/null
$HQC admin-token --label backup-test >"$DIR/admin.txt" 2>/dev/null
token() { awk '$1=="token"{print $2}' "$1"; }
export TOKEN_A="$(token "$DIR/a.txt")" TOKEN_B="$(token "$DIR/b.txt")" TOKEN_C="$(token "$DIR/c.txt")"
export ADMIN="$(cat "$DIR/admin.txt")" DAY=2025-06-17 OUT="$DIR"

# post.py KIOSK TOKEN FIRST_SEQ N [forever]: full batches of ratings; each must be acked. forever: the next day's.
cat >"$DIR/post.py" <<'PY'
import http.client, json, os, sys
kiosk, token, seq, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
forever = len(sys.argv) > 5
T0 = 1750140000000 + (86400000 if forever else 0)  # 2025-06-17 08:00 Europe/Berlin, or the 18th
port = int(os.environ["PORT"])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
while True:
    rows = []
    for i in range(n):
        s = seq + i
        synced = s % 7 != 0
        rows.append([s, (s * 5) % 4, 4, "button" if s % 3 else "touch", T0 + s * 37000 % 36000000,
                     1000 + s * 37000, 0, 1 if synced else 0, None if synced or s % 2 else T0 + s * 37000 % 36000000,
                     1 if s % 29 == 0 else 0])
    body = json.dumps({"kiosk": kiosk, "install": "inst-" + kiosk, "boots": ["boot-" + kiosk], "ratings": rows})
    c.request("POST", "/api/v1/ratings", body, {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse()
    ack = json.loads(r.read())
    if r.status != 200 or ack.get("accepted", 0) + ack.get("duplicates", 0) != n:
        sys.exit("batch of %s from seq %d: %d %s" % (kiosk, seq, r.status, ack))
    seq += n
    if not forever:
        break
PY

# figures.py NAME: the day's summary as each kiosk sees it and the admin export of the day, without the moment of asking.
cat >"$DIR/figures.py" <<'PY'
import http.client, json, os, sys
port = int(os.environ["PORT"])
def get(path, token):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit("%s: %d %s" % (path, r.status, data[:200]))
    return data
out = {}
for name in ("TOKEN_A", "TOKEN_B"):
    s = json.loads(get("/api/v1/summary?day=" + os.environ["DAY"], os.environ[name]))
    for k in ("as_of_ms", "hq_time_ms", "hq_clock_synced"):
        s.pop(k, None)
    out[name] = s
for store in ("Berlin%20Mitte", "Lisboa"):
    out[store] = get("/api/v1/ratings?format=csv&store=%s&from=%s&to=%s&limit=10000" % (store, os.environ["DAY"], os.environ["DAY"]),
                     os.environ["ADMIN"]).decode()
json.dump(out, open(os.path.join(os.environ["OUT"], sys.argv[1] + ".json"), "w"), sort_keys=True, indent=1)
chain = out["TOKEN_A"]["chain"]["total"]
print("%s: chain total %d, store rows %d + %d" % (sys.argv[1], chain, out["Berlin%20Mitte"].count("\n"), out["Lisboa"].count("\n")))
PY

start "$DIR/hq.conf"
export PORT
python3 "$DIR/post.py" k-berlin "$TOKEN_A" 1 500 || fail "posting"
python3 "$DIR/post.py" k-berlin "$TOKEN_A" 501 300 || fail "posting"
python3 "$DIR/post.py" k-lisboa "$TOKEN_B" 1 400 || fail "posting"
python3 "$DIR/figures.py" before >/dev/null || fail "figures before the backup"

# While the third kiosk keeps posting (the next day), back up twice.
python3 "$DIR/post.py" k-busy "$TOKEN_C" 1 200 forever 2>"$DIR/poster.err" &
POSTER=$!
for _ in $(seq 300); do
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM ratings WHERE kiosk_id = 'k-busy'")" -gt 0 ] && break
	sleep 0.1
done
cd "$DIR"
sqlite3 "$DB" ".backup backup.db"
sqlite3 "$DB" "VACUUM INTO 'vacuum.db'"
cd - >/dev/null
kill -0 "$POSTER" || fail "the poster stopped during the backups: $(cat "$DIR/poster.err")"
kill "$POSTER"
wait "$POSTER" 2>/dev/null || true
POSTER=""
busy_b=$(sqlite3 "$DIR/backup.db" "SELECT count(*) FROM ratings WHERE kiosk_id = 'k-busy'")
busy_v=$(sqlite3 "$DIR/vacuum.db" "SELECT count(*) FROM ratings WHERE kiosk_id = 'k-busy'")
[ "$busy_b" -gt 0 ] && [ "$busy_v" -gt 0 ] || fail "the backups hold none of the kiosk posting during them"
echo "ok: backed up while serving and posting (k-busy: $busy_b ratings in .backup, $busy_v in VACUUM INTO)"
stop

for copy in backup vacuum; do
	[ "$(sqlite3 "$DIR/$copy.db" "PRAGMA integrity_check")" = ok ] || fail "$copy.db: integrity check"
	# The restore as docs/head-office.md says: tally-hq stopped, the copy in place, no stale WAL beside it.
	mkdir -p "$DIR/restore-$copy"
	RESTORED="$DIR/restore-$copy/hq.db"
	rm -f "$RESTORED-wal" "$RESTORED-shm"
	cp "$DIR/$copy.db" "$RESTORED"
	sed "s|^database = .*|database = $RESTORED|" "$DIR/hq.conf" >"$DIR/restore-$copy.conf"
	start "$DIR/restore-$copy.conf"
	line=$(python3 "$DIR/figures.py" "restored-$copy") || fail "figures of the $copy restore"
	stop
	cmp -s "$DIR/before.json" "$DIR/restored-$copy.json" || {
		diff "$DIR/before.json" "$DIR/restored-$copy.json" | head -20
		fail "the $copy restore serves other figures for $DAY"
	}
	echo "ok: the $copy restore serves the same figures for $DAY ($line)"
done

# --- PostgreSQL -------------------------------------------------------------
pg_start || fail "PostgreSQL did not start"
LIVE=$(pg_fresh backup_live) || fail "cannot create the live database"
DB="$LIVE"
printf '[hq]\ndatabase = %s\nlisten = 127.0.0.1:0\n' "$LIVE" >"$DIR/pg.conf"
HQC="$HQ --config $DIR/pg.conf"
{ $HQC kiosk add --store "Berlin Mitte" --area Counter --tz Europe/Berlin --id k-berlin >"$DIR/a.txt" &&
	$HQC kiosk add --store "Lisboa" --area Counter --tz Europe/Lisbon --id k-lisboa >"$DIR/b.txt" &&
	$HQC kiosk add --store "Lisboa" --area Pickup --tz Europe/Lisbon --id k-busy >"$DIR/c.txt" &&
	$HQC admin-token --label backup-test >"$DIR/admin.txt"; } 2>"$DIR/pg-setup.err" ||
	fail "registering kiosks on PostgreSQL: $(cat "$DIR/pg-setup.err")"
export TOKEN_A="$(token "$DIR/a.txt")" TOKEN_B="$(token "$DIR/b.txt")" TOKEN_C="$(token "$DIR/c.txt")"
export ADMIN="$(cat "$DIR/admin.txt")"
start "$DIR/pg.conf"
python3 "$DIR/post.py" k-berlin "$TOKEN_A" 1 500 || fail "posting"
python3 "$DIR/post.py" k-lisboa "$TOKEN_B" 1 400 || fail "posting"
python3 "$DIR/figures.py" before-pg >/dev/null || fail "figures before pg_dump"
python3 "$DIR/post.py" k-busy "$TOKEN_C" 1 200 forever 2>"$DIR/poster.err" &
POSTER=$!
for _ in $(seq 300); do
	[ "$(pg_psql "$LIVE" "SELECT count(*) FROM ratings WHERE kiosk_id = 'k-busy'")" -gt 0 ] && break
	sleep 0.1
done
# The docs' commands: a custom-format dump of the live database, a new database, the restore.
pg_dump -Fc -f "$DIR/hq.dump" "$LIVE" || fail "pg_dump"
kill -0 "$POSTER" || fail "the poster stopped during pg_dump: $(cat "$DIR/poster.err")"
kill "$POSTER"
wait "$POSTER" 2>/dev/null || true
POSTER=""
stop
createdb -h "$TALLY_HQ_PG_SOCKET" -U tally hq_restored || fail "createdb"
RESTORED=$(pg_uri hq_restored)
pg_restore --no-owner -d "$RESTORED" "$DIR/hq.dump" || fail "pg_restore"
busy=$(pg_psql "$RESTORED" "SELECT count(*) FROM ratings WHERE kiosk_id = 'k-busy'")
[ "$busy" -gt 0 ] || fail "the dump holds none of the kiosk posting during it"
echo "ok: pg_dump while serving and posting (k-busy: $busy ratings in the dump)"
printf '[hq]\ndatabase = %s\nlisten = 127.0.0.1:0\n' "$RESTORED" >"$DIR/pg-restored.conf"
start "$DIR/pg-restored.conf"
line=$(python3 "$DIR/figures.py" restored-pg) || fail "figures of the PostgreSQL restore"
cmp -s "$DIR/before-pg.json" "$DIR/restored-pg.json" || {
	diff "$DIR/before-pg.json" "$DIR/restored-pg.json" | head -20
	fail "the PostgreSQL restore serves other figures for $DAY"
}
echo "ok: the pg_restore serves the same figures for $DAY ($line)"
# Kiosks carry on: the dump kept the ids' sequences, so new rows find free ids.
python3 "$DIR/post.py" k-berlin "$TOKEN_A" 501 100 || fail "posting to the restored database"
[ "$(pg_psql "$RESTORED" "SELECT count(*) FROM ratings WHERE kiosk_id = 'k-berlin'")" = 600 ] || fail "k-berlin's new batch"
stop
echo "ok: kiosks post to the restored database"
echo "PASS: hq_backup"
