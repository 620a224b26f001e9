#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Head office on PostgreSQL, measured (make bench runs this after
# bench_hq_year has built the SQLite year):
#
#   bench_hq_pg.sh BUILD
#
# 1. Its own PostgreSQL 15 cluster (initdb as an unprivileged user, Unix
#    socket only), configured as a chain's DBA would for a write-heavy
#    database: fsync, synchronous_commit and full_page_writes on (the test
#    suite's clusters turn them off: never here), shared_buffers 256 MB,
#    wal_buffers 64 MB, WAL compressed (lz4: the full-page images after a
#    checkpoint), checkpoints at most every 30 min or 4 GB of WAL (the
#    advice in docs/head-office.md). The cluster is kept under
#    $TMPDIR (tally-bench-hq-pg-KxD-sN/) with the year loaded, as the
#    SQLite year is kept, and stopped at the end; remove the directory to
#    build it again.
# 2. The year: the SQLite year's rows (bench_hq_year's cached file: the
#    same 18 million ratings and their aggregates, as ingest wrote them)
#    loaded with COPY, its roll-ups summed by tally-hq migrate; then
#    bench_hq_year measures the summary and the dashboard's reads on it.
# 3. Ingest: two tally-hq replicas on one fresh database, 100 kiosks split
#    between them (bench_hq_ingest --replicas 2), beside what the server
#    alone takes in the same run (two clients' COPY in 50,000-row
#    transactions into the same table), each with the server's CPU time
#    per rating.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HQ="$BUILD/tally-hq"
KIOSKS=100 PER_DAY=500
TMP=${TMPDIR:-/tmp}
SCHEMA=$("$BUILD/bench/bench_hq_year" --print-schema)
YEAR_DB="$TMP/tally-bench-hq-year-${KIOSKS}x${PER_DAY}-s$SCHEMA.db"
PGB="$TMP/tally-bench-hq-pg-${KIOSKS}x${PER_DAY}-s$SCHEMA"
. "$ROOT/tests/e2e/pg_lib.inc"
PG_USER=${PG_USER:-nobody}

[ -f "$YEAR_DB" ] || { echo "bench_hq_pg: no $YEAR_DB (bench_hq_year builds it)"; exit 1; }
[ -x "$PG_BIN/initdb" ] || { echo "bench_hq_pg: no PostgreSQL in $PG_BIN (scripts/deps.sh installs postgresql-15)"; exit 1; }

# The DBA's settings for a write-heavy server (never fsync or synchronous_commit off).
PG_TUNING="-c wal_buffers=64MB -c wal_compression=lz4 -c checkpoint_timeout=30min"

stop_cluster() {
	pg_as "$PG_BIN/pg_ctl" -D "$PGB/data" -m fast -w stop >/dev/null 2>&1 || true
}
trap stop_cluster EXIT

if [ ! -f "$PGB/year-loaded" ]; then
	rm -rf "$PGB"
	mkdir -p "$PGB"
	chmod 755 "$PGB"
	[ "$(id -u)" != 0 ] || chown "$PG_USER" "$PGB"
	pg_as "$PG_BIN/initdb" -D "$PGB/data" -U tally --auth-local=trust --auth-host=reject --locale=C --encoding=UTF8 \
		>"$PGB/initdb.log" 2>&1 || { cat "$PGB/initdb.log"; exit 1; }
fi
pg_as "$PG_BIN/pg_ctl" -D "$PGB/data" -l "$PGB/server.log" -w -t 300 \
	-o "-k $PGB -c listen_addresses= -c shared_buffers=256MB -c max_wal_size=4GB -c max_connections=200 $PG_TUNING" \
	start >/dev/null || { tail -20 "$PGB/server.log"; exit 1; }
export TALLY_HQ_PG_SOCKET="$PGB"
URI_YEAR=$(pg_uri year)

if [ ! -f "$PGB/year-loaded" ]; then
	echo "bench_hq_pg: loading the year into PostgreSQL with COPY (once; kept in $PGB)"
	t0=$(date +%s)
	pg_psql "$(pg_uri postgres)" "CREATE DATABASE year" >/dev/null
	"$HQ" --db "$URI_YEAR" migrate >/dev/null
	# table columns [sqlite expressions]: blobs as PostgreSQL's \x hex, NULL as CSV's empty field.
	load() {
		sqlite3 -csv "$YEAR_DB" "SELECT $3 FROM $1" |
			psql -X -q -v ON_ERROR_STOP=1 -d "$URI_YEAR" -c "COPY $1 ($2) FROM STDIN (FORMAT csv)"
	}
	load kiosks "id, store, area, tz, token_hash, created_ms, revoked_ms, acked_through, token_prefix, token_expires_ms, last_batch_ms, last_seq, version, clock_state, batches, accepted, duplicates" \
		"id, store, area, tz, '\\x' || hex(token_hash), created_ms, revoked_ms, acked_through, token_prefix, token_expires_ms, last_batch_ms, last_seq, version, clock_state, batches, accepted, duplicates"
	load stores "name, region" "name, region"
	load installs "id, kiosk_id, install_id, acked_through, first_ms, last_ms" "id, kiosk_id, install_id, acked_through, first_ms, last_ms"
	COLS="rowid, kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, corrected_ms, flags, best_ms, time_known, received_ms, install, corrected_by, corrected_err_ms"
	load ratings "$COLS" "$COLS"
	COLS="slot, kiosk_id, scale, known, v0, v1, v2, v3, v4, misuse, closed"
	load rating_counts "$COLS" "$COLS"
	pg_psql "$URI_YEAR" "SELECT setval(pg_get_serial_sequence('ratings', 'rowid'), (SELECT max(rowid) FROM ratings));
		SELECT setval(pg_get_serial_sequence('installs', 'id'), (SELECT max(id) FROM installs));
		UPDATE dash_state SET value = 0; ANALYZE" >/dev/null
	n_pg=$(pg_psql "$URI_YEAR" "SELECT count(*) FROM ratings")
	n_sq=$(sqlite3 "$YEAR_DB" "SELECT count(*) FROM ratings")
	[ "$n_pg" = "$n_sq" ] || { echo "bench_hq_pg: loaded $n_pg ratings of $n_sq"; exit 1; }
	touch "$PGB/year-loaded"
	echo "hq year: loaded $n_pg ratings into PostgreSQL in $(($(date +%s) - t0)) s"
fi

# The roll-ups summaries and the dashboard read (rating_hours, rating_days)
# are summed from the loaded quarter hours (dash_state 0 above), or added by
# a newer schema to a cluster kept from before: tally-hq migrate fills them
# once, so no measured request waits for it.
"$HQ" --db "$URI_YEAR" migrate >/dev/null
status=0
"$BUILD/bench/bench_hq_year" --hq "$HQ" --db "$URI_YEAR" 2>/dev/null || status=1

# Ingest: fresh databases every run, dropped afterwards.
for d in ingest ingest_limit; do
	pg_psql "$(pg_uri postgres)" "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1
	pg_psql "$(pg_uri postgres)" "CREATE DATABASE $d" >/dev/null
	"$HQ" --db "$(pg_uri "$d")" migrate >/dev/null
done
"$BUILD/bench/bench_hq_ingest" --hq "$HQ" --db "$(pg_uri ingest)" --limit-db "$(pg_uri ingest_limit)" --replicas 2 \
	2>/dev/null || status=1
for d in ingest ingest_limit; do
	pg_psql "$(pg_uri postgres)" "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1
done
exit $status
