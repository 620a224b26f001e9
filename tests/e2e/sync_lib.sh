# sync_lib.sh: shared setup for the tally-sync end-to-end tests (sourced).
#
# Real processes on 127.0.0.1: build/asan/tally-hq on a SQLite file,
# build/asan/tally-sync on a kiosk store, and when asked the fault proxy
# between them. Ports are free ones picked by the kernel. Everything lives
# in a scratch directory removed on exit; every process started here is
# stopped on exit by its pid.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${TALLY_BUILD:-$ROOT/build}
HQ=${TALLY_HQ:-$B/asan/tally-hq}
SYNC=${TALLY_SYNC:-$B/asan/tally-sync}
# Tests talk to 127.0.0.1 only, never through a proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY || true
export no_proxy='*'
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
T=$(mktemp -d "${TMPDIR:-/tmp}/tally-sync-e2e-XXXXXX")
PIDS=""
KEEP=${KEEP:-0}

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	if [ "$KEEP" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; for f in "$T"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done >&2; exit 1; }
note() { echo "# $*"; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# hq_init: creates head office's database and registers kiosk demo-kiosk;
# sets HQ_DB, HQ_PORT and TOKEN.
hq_init() {
	HQ_DB="$T/hq.db"
	HQ_PORT=$(free_port)
	TOKEN=$("$HQ" --db "$HQ_DB" kiosk add --id demo-kiosk --store "Demo Store" --area Counter 2>"$T/hq-add.log" \
		| sed -n 's/^token[: =]*//p' | head -n 1)
	[ -n "$TOKEN" ] || fail "tally-hq kiosk add printed no token"
}

# hq_start: runs tally-hq on HQ_PORT (in the background), waits for /healthz.
hq_start() {
	"$HQ" --db "$HQ_DB" --listen "127.0.0.1:$HQ_PORT" >>"$T/hq.log" 2>&1 &
	HQ_PID=$!
	PIDS="$PIDS $HQ_PID"
	wait_http "http://127.0.0.1:$HQ_PORT/healthz" || fail "tally-hq did not come up"
}

hq_kill9() { kill -9 "$HQ_PID" 2>/dev/null || true; wait "$HQ_PID" 2>/dev/null || true; }
hq_stop() { kill "$HQ_PID" 2>/dev/null || true; wait "$HQ_PID" 2>/dev/null || true; }

wait_http() {
	i=0
	while [ $i -lt 100 ]; do
		curl -fs -o /dev/null --max-time 1 "$1" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# proxy_start MODE: the fault proxy in front of head office; sets PROXY_PORT.
proxy_start() {
	echo "$1" >"$T/proxy.mode"
	rm -f "$T/proxy.port"
	python3 "$ROOT/tests/e2e/faultproxy.py" --upstream "$HQ_PORT" --mode-file "$T/proxy.mode" \
		--port-file "$T/proxy.port" --log "$T/proxy.requests" >>"$T/proxy.log" 2>&1 &
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$T/proxy.port" ]; do
		sleep 0.05; i=$((i + 1)); [ $i -lt 200 ] || fail "fault proxy did not start"
	done
	PROXY_PORT=$(cat "$T/proxy.port")
}
proxy_mode() { echo "$1" >"$T/proxy.mode"; }

# kiosk_config PORT [extra ini lines]: the kiosk's config at $T/kiosk.ini.
kiosk_config() {
	KDB="$T/kiosk/tally.db"
	mkdir -p "$T/kiosk"
	cat >"$T/kiosk.ini" <<-INI
	[kiosk]
	id = demo-kiosk
	database = $KDB
	[sync]
	url = http://127.0.0.1:$1
	token = ${TOKEN:-none}
	connect_timeout_s = 1
	timeout_s = ${SYNC_TIMEOUT_S:-3}
	summary_every_s = 0
	INI
	[ ! -f "$KDB" ] || return 0
	# tally-sync creates and migrates the store (its --once fails: no ratings is fine)
	"$SYNC" --once --config "$T/kiosk.ini" >/dev/null 2>&1 || true
	[ -f "$KDB" ] || fail "kiosk store not created"
}

# add_ratings N [boot_id] [synced]: N ratings in one transaction, as the kiosk stores them.
add_ratings() {
	sqlite3 "$KDB" >/dev/null <<-SQL
	.timeout 10000
	WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1)
	INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags)
	SELECT 'demo-kiosk', abs(random()) % 4, 4, 'button',
	       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) - ($1 - i) * 1000,
	       100000 + i * 1000, '${2:-boot-a}', ${3:-1}, 0 FROM c;
	SQL
}

kiosk_count() { sqlite3 "$KDB" ".timeout 10000" "SELECT count(*) FROM ratings WHERE ${1:-1}"; }
hq_count() { sqlite3 "$HQ_DB" ".timeout 10000" "SELECT count(*) FROM ratings ${1:-}"; }

sync_start() {
	"$SYNC" --config "$T/kiosk.ini" "$@" >>"$T/sync.log" 2>&1 &
	SYNC_PID=$!
	PIDS="$PIDS $SYNC_PID"
}
sync_stop() {
	kill "$SYNC_PID" 2>/dev/null || true
	wait "$SYNC_PID" || fail "tally-sync exited with $? on SIGTERM (sanitizer report?)"
}
sync_kill9() { kill -9 "$SYNC_PID" 2>/dev/null || true; wait "$SYNC_PID" 2>/dev/null || true; }

# wait_until SECONDS 'shell condition': polls every 0.1 s.
wait_until() {
	limit=$(( $1 * 10 )); i=0
	while ! eval "$2"; do
		sleep 0.1; i=$((i + 1))
		[ $i -lt $limit ] || return 1
	done
}
