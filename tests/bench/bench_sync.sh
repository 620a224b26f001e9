#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench_sync: tally-sync's figures, release build, real tally-hq on loopback.
#   1. a 100,000-rating backlog synced by `tally-sync --once` (goal <= 5 s)
#   2. bytes on the wire per rating, from that run (goal <= 24)
#   3. the daemon idle: PSS from /proc/PID/smaps_rollup (goal <= 5 MiB) and
#      context switches over 10 s with nothing happening (goal: none)
# usage: bench_sync.sh [BUILD]   (programs from BUILD, default build/)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-${BUILD:-build}}
case $B in /*) ;; *) B="$ROOT/$B" ;; esac
HQ=${TALLY_HQ:-$B/tally-hq}
SYNC=${TALLY_SYNC:-$B/tally-sync}
N=${BENCH_SYNC_N:-100000}
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY || true
T=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench-sync-XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=$("$HQ" --db "$T/hq.db" kiosk add --id bench-kiosk --store "Bench Store" --area Counter 2>/dev/null | sed -n 's/^token //p')
"$HQ" --db "$T/hq.db" --listen "127.0.0.1:$PORT" >"$T/hq.log" 2>&1 &
PIDS="$PIDS $!"
mkdir -p "$T/kiosk"
cat >"$T/kiosk.ini" <<INI
[kiosk]
id = bench-kiosk
database = $T/kiosk/tally.db
[sync]
url = http://127.0.0.1:$PORT
token = $TOKEN
summary_every_s = 0
INI
"$SYNC" --once --config "$T/kiosk.ini" >/dev/null 2>&1 || true # creates the store
# A realistic backlog: presses about a minute apart over days, one boot.
sqlite3 "$T/kiosk/tally.db" <<SQL
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $N)
INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags)
SELECT 'bench-kiosk', CASE WHEN abs(random()) % 100 < 55 THEN 3 WHEN abs(random()) % 100 < 60 THEN 2
       WHEN abs(random()) % 100 < 50 THEN 1 ELSE 0 END, 4, 'button',
       1764000000000 + i * 60000 + abs(random()) % 30000, 3600000 + i * 60000 + abs(random()) % 30000,
       '6c1b2e0a-5d7e-4f43-9a51-0242ac120002', 1, CASE WHEN abs(random()) % 20 = 0 THEN 1 ELSE 0 END FROM c;
SQL
i=0; until curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 0.1; i=$((i+1)); [ $i -lt 100 ]; done

t0=$(date +%s.%N)
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>"$T/sync.log")
t1=$(date +%s.%N)
got=$(sqlite3 "$T/hq.db" "SELECT count(*) FROM ratings")
[ "$got" = "$N" ] || { echo "head office holds $got of $N: $out"; exit 1; }
secs=$(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }')
echo "  backlog of $N ratings synced in $secs s ($(echo "$N $secs" | awk '{ printf "%.0f", $1 / $2 }') ratings/s; goal <= 5 s)"
bytes=$(echo "$out" | sed -n 's/.* \([0-9]*\) bytes on the wire.*/\1/p')
echo "  $(echo "$bytes $N" | awk '{ printf "%.1f", $1 / $2 }') bytes on the wire per rating, gzip'd JSON in batches of 500 (goal <= 24)"

# The daemon, after it drained a backlog of its own, then left alone.
"$SYNC" --config "$T/kiosk.ini" 2>"$T/daemon.log" &
SPID=$!
PIDS="$PIDS $SPID"
sqlite3 "$T/kiosk/tally.db" ".timeout 5000" "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)
INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags)
SELECT 'bench-kiosk', i % 4, 4, 'touch', 1800000000000 + i * 60000, 9000000 + i * 60000, 'b2', 1, 0 FROM c"
i=0; until [ "$(sqlite3 "$T/hq.db" "SELECT count(*) FROM ratings")" = $((N + 20000)) ]; do sleep 0.2; i=$((i+1)); [ $i -lt 300 ]; done
sleep 1
rss() { awk '/^Pss:/ { print $2 }' "/proc/$SPID/smaps_rollup"; }
cs() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$SPID/status"; }
c0=$(cs); sleep 10; c1=$(cs)
echo "  idle daemon: PSS $(rss) KiB (goal <= 5120), $((c1 - c0)) context switches in 10 s (goal 0)"
kill $SPID; wait $SPID 2>/dev/null || true
