#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every test: the cmocka unit tests (sanitizer build), the end-to-end
# scripts in tests/e2e/ against the sanitizer-built programs, the head-office
# tests a second time on PostgreSQL, each libFuzzer target briefly on its
# seed corpus (tests/fuzz/), and the static analysers.
#
# Most of a test's time is waiting (for a daemon to start, a retry to come,
# a deadline to pass), so TEST_JOBS tests (default 4) run at once from one
# queue, the longest first; each test already works in its own temporary
# directory on free ports. What must be alone (SOLO below) runs after the
# queue, one at a time. TEST_JOBS=1 runs everything one after the other.
#
# Each test's output goes to its own log, $BUILD/test-logs/NAME.log; a line
# "ok   NAME (wall s, cpu s)" or "FAIL NAME" as each ends; at the end the
# slowest tests, the tail of each failed log, the list of failures and
# "N passed, N failed", and a non-zero exit on failure. The times of every
# test are kept in $BUILD/test-logs/times.txt (the next run's order).
#
#   tests/run.sh                 everything
#   tests/run.sh NAME...         only these (as the ok/FAIL lines name them:
#                                e2e/hq_api, unit/test_store, pg/e2e/hq_api,
#                                fuzz/http, analyze)
set -u
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export TALLY_BUILD="$ROOT/$BUILD"
export TALLY_DATADIR="$ROOT/assets"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
JOBS=${TEST_JOBS:-4}
# e2e/install_deb installs a .deb system-wide, removes and purges it: nothing
# else may run while the system's packages change under it.
SOLO="e2e/install_deb"
# The head-office tests run a second time on PostgreSQL (below).
PG_UNIT="test_hq_api test_hq_db test_hq_writer test_hq_replicas test_hq_session test_hq_ops test_hq_reasons test_hq_summary test_hq_slots test_hq_dash_range"
PG_E2E="hq_api hq_body_limits hq_slow_clients hq_tls sync_basic sync_conflict sync_faults sync_kill9 sync_reimage sync_timefix sync_followup hq_pg_replicas hq_pg_failures"

LOGS="$TALLY_BUILD/test-logs"
mkdir -p "$LOGS"
STATE=$(mktemp -d "${TMPDIR:-/tmp}/tally-run.XXXXXX")
now() { date +%s.%N; }
T0=$(now)
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Every test there is, by the name its ok/FAIL line gives it.
all_tests() {
	for t in "$TALLY_BUILD"/asan/tests/test_*; do
		[ -x "$t" ] && echo "unit/$(basename "$t")"
	done
	for t in "$ROOT"/tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		case $(basename "$t") in hq_pg_*) continue ;; esac # PostgreSQL's own: in the pass on PostgreSQL
		echo "e2e/$(basename "$t" .sh)"
	done
	for t in $PG_UNIT; do
		[ -x "$TALLY_BUILD/asan/tests/$t" ] && echo "pg/unit/$t"
	done
	for t in $PG_E2E; do
		[ -f "$ROOT/tests/e2e/$t.sh" ] && echo "pg/e2e/$t"
	done
	for t in "$ROOT"/tests/fuzz/fuzz_*.c; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .c)
		echo "fuzz/${n#fuzz_}"
	done
	echo analyze
}

# test_cmd NAME: runs test NAME (its output to stdout and stderr).
test_cmd() {
	case $1 in
	unit/*) "$TALLY_BUILD/asan/tests/${1#unit/}" ;;
	e2e/*) sh "$ROOT/tests/e2e/${1#e2e/}.sh" ;;
	pg/unit/*)
		t=${1#pg/unit/}
		db=$(pg_fresh "unit_$t") || { echo "FAIL: cannot create the test's database"; return 1; }
		env TALLY_HQ_DB_PG="$db" "$TALLY_BUILD/asan/tests/$t" ;;
	# It stops and starts its PostgreSQL server: on a cluster of its own, so
	# the others' server stays up (alone, a test starts one: pg_lib.inc pg_own).
	pg/e2e/hq_pg_failures) env -u TALLY_HQ_PG_SOCKET -u TALLY_HQ_PG_TEMPLATE sh "$ROOT/tests/e2e/hq_pg_failures.sh" ;;
	pg/e2e/*) sh "$ROOT/tests/e2e/${1#pg/e2e/}.sh" ;;
	# A few seconds each from the seeds: every seed and what grows from it in
	# that time must pass ASan and UBSan (make fuzz runs them for longer).
	fuzz/*) env FUZZ_FRESH=1 BUILD="$BUILD" sh "$ROOT/tests/fuzz/run.sh" "${FUZZ_TEST_SECONDS:-5}" "${1#fuzz/}" ;;
	# Static analysis (scan-build, cppcheck): a finding fails like a test. Only
	# sources changed since the last run are analysed again.
	analyze) env MAKEFLAGS= MAKELEVEL= make -C "$ROOT" --no-print-directory -j2 BUILD="$BUILD" analyze ;;
	*) echo "no such test: $1"; return 1 ;;
	esac
}

# run NAME: runs one test with its log, prints its line, records its result.
run() {
	name=$1 slug=$(echo "$1" | tr / _)
	log="$LOGS/$name.log"
	mkdir -p "$(dirname "$log")"
	start=$(now)
	if [ "${1#pg/}" != "$1" ]; then
		set -- env TALLY_HQ_PG_SOCKET="$PG_SOCKET" TALLY_HQ_PG_TEMPLATE="$PG_TEMPLATE" sh "$STATE/cmd.sh" "$name"
	else
		set -- sh "$STATE/cmd.sh" "$name"
	fi
	# CPU time beside wall time: a test far slower than its CPU time waits on something.
	[ -x /usr/bin/time ] && set -- /usr/bin/time -f "%U %S" -o "$STATE/$slug.cpu" "$@"
	# In a session of its own, so that an interrupted run stops the test and
	# all it started (worker() below); waited for, so that the trap can run.
	setsid "$@" </dev/null >"$log" 2>&1 &
	TEST_PID=$!
	wait "$TEST_PID"
	rc=$?
	TEST_PID=""
	wall=$(secs "$start" "$(now)")
	cpu=$(tail -n 1 "$STATE/$slug.cpu" 2>/dev/null | awk 'NF == 2 { printf "%.1f", $1 + $2 }')
	echo "$name $wall ${cpu:--}" >>"$STATE/times"
	if [ $rc -eq 0 ]; then
		echo "ok   $name" >>"$STATE/results"
		echo "ok   $name ($wall s, cpu ${cpu:-?} s)"
	else
		echo "FAIL $name" >>"$STATE/results"
		echo "FAIL $name ($wall s, cpu ${cpu:-?} s; log: $log)"
	fi
}

# worker: takes tests from the queue until it is empty; a test is taken by
# whoever first creates its claim directory (mkdir is atomic).
worker() {
	TEST_PID=""
	trap '[ -z "$TEST_PID" ] || kill -TERM -- "-$TEST_PID" 2>/dev/null; exit 143' TERM
	while read -r name; do
		mkdir "$STATE/claim/$(echo "$name" | tr / _)" 2>/dev/null || continue
		run "$name"
	done <"$STATE/queue"
}

# The script each test runs through: test_cmd above (a shell /usr/bin/time
# starts sees no functions of this one), with pg_lib.inc for pg_fresh.
{
	echo "ROOT='$ROOT' BUILD='$BUILD'"
	echo '. "$ROOT/tests/e2e/pg_lib.inc"'
	sed -n '/^test_cmd() {$/,/^}$/p' "$0"
	echo 'test_cmd "$1"'
} >"$STATE/cmd.sh"
mkdir "$STATE/claim"

if [ $# -gt 0 ]; then
	for n in "$@"; do echo "$n"; done >"$STATE/wanted"
else
	all_tests >"$STATE/wanted"
fi

# The longest first, by the last run's times (a fresh tree: the order below,
# the slow kinds first), so the queue does not end waiting on one long test.
order() {
	awk -v solo=" $SOLO " '
		FILENAME == ARGV[1] { t[$1] = $2; next }
		{
			if (index(solo, " " $1 " ")) next
			w = ($1 in t) ? t[$1] : ($1 == "analyze" ? 1000 : $1 ~ /^e2e\// ? 400 : $1 ~ /^pg\/e2e\// ? 300 : $1 ~ /^fuzz\// ? 6 : 100)
			printf "%s %s\n", w, $1
		}' "$1" "$STATE/wanted" | sort -s -k1,1 -rn | cut -d" " -f2
}
: >"$STATE/prev"
[ -f "$LOGS/times.txt" ] && cp "$LOGS/times.txt" "$STATE/prev"

# The PostgreSQL pass: one throwaway cluster (tests/e2e/pg_lib.inc: initdb
# as an unprivileged user, a Unix socket in a temporary directory, removed
# afterwards), a fresh database per test copied from a migrated template.
# A cluster that cannot start fails the run.
PG_SOCKET="" PG_TEMPLATE=""
. "$ROOT/tests/e2e/pg_lib.inc"
# Interrupted (^C, or a CI's time limit): the workers stop their tests.
pids=""
trap 'pg_stop; rm -rf "$STATE"' EXIT
TEST_PID=""
trap 'for p in $pids; do kill -TERM "$p" 2>/dev/null; done; [ -z "$TEST_PID" ] || kill -TERM -- "-$TEST_PID" 2>/dev/null; wait; echo "interrupted: $(grep -c "^ok" "$STATE/results") passed, $(grep -c "^FAIL" "$STATE/results") failed so far"; exit 130' INT TERM
pg_failed=0
if grep -q '^pg/' "$STATE/wanted"; then
	if pg_start >"$LOGS/pg-cluster.log" 2>&1; then
		PG_SOCKET=$TALLY_HQ_PG_SOCKET PG_TEMPLATE=$TALLY_HQ_PG_TEMPLATE
	else
		pg_failed=1
		echo "FAIL pg/cluster: PostgreSQL could not start (log: $LOGS/pg-cluster.log)"
		grep -v '^pg/' "$STATE/wanted" >"$STATE/wanted.nopg"
		mv "$STATE/wanted.nopg" "$STATE/wanted"
	fi
	# Only the PostgreSQL pass sees the cluster (run() hands it to pg/ tests).
	unset TALLY_HQ_PG_SOCKET TALLY_HQ_PG_TEMPLATE
fi

order "$STATE/prev" >"$STATE/queue"
: >"$STATE/results"
: >"$STATE/times"
n=$(wc -l <"$STATE/queue")
solo=$(for s in $SOLO; do grep -qx "$s" "$STATE/wanted" && printf ' %s' "$s"; done)
echo "tests: $n from one queue, $JOBS at a time${solo:+; then alone:$solo}"
i=0
while [ "$i" -lt "$JOBS" ]; do
	worker &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
for s in $SOLO; do
	grep -qx "$s" "$STATE/wanted" && run "$s"
done
pg_stop

passed=$(grep -c '^ok' "$STATE/results")
failed=$(grep -c '^FAIL' "$STATE/results")
failures=$(sed -n 's/^FAIL //p' "$STATE/results" | tr '\n' ' ')
if [ "$pg_failed" = 1 ]; then
	failed=$((failed + 1)) failures="pg/cluster $failures"
fi
# This run's times, merged over the last run's for tests not run now.
awk 'FILENAME == ARGV[1] { t[$1] = $0; next } { if (!($1 in t)) t[$1] = $0 } END { for (k in t) print t[k] }' \
	"$STATE/times" "$STATE/prev" | sort >"$LOGS/times.txt"

echo
echo "slowest (wall s, cpu s; all in $LOGS/times.txt):"
sort -k2,2 -rn "$STATE/times" | head -n 8 | awk '{ printf "  %-28s %6s %6s\n", $1, $2, $3 }'
for f in $failures; do
	[ "$f" = pg/cluster ] && log="$LOGS/pg-cluster.log" || log="$LOGS/$f.log"
	echo
	echo "FAIL $f: the end of $log"
	tail -n 30 "$log" | sed 's/^/     /'
done
echo
echo "tests: $(secs "$T0" "$(now)") s wall"
[ -n "$failures" ] && echo "failed: $failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
