#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every test: the cmocka unit tests (sanitizer build), then the
# end-to-end scripts in tests/e2e/ against the sanitizer-built programs,
# then each libFuzzer target briefly on its seed corpus (tests/fuzz/), then
# the static analysers.
# Ends with one line "N passed, N failed" and a non-zero exit on failure.
set -u
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export TALLY_BUILD="$ROOT/$BUILD"
export TALLY_DATADIR="$ROOT/assets"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy

passed=0 failed=0 failures=""
mkdir -p "$TALLY_BUILD/test-logs"
run() {
	name=$1; shift
	log="$TALLY_BUILD/test-logs/$name.log"
	mkdir -p "$(dirname "$log")"
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1)); echo "ok   $name"
	else
		failed=$((failed + 1)); failures="$failures $name"; echo "FAIL $name (log: $log)"
		tail -n 30 "$log" | sed 's/^/     /'
	fi
}

for t in "$TALLY_BUILD"/asan/tests/test_*; do
	[ -x "$t" ] || continue
	run "unit/$(basename "$t")" "$t"
done
for t in "$ROOT"/tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	case $(basename "$t") in hq_pg_*) continue ;; esac # PostgreSQL's own: in the pass below
	run "e2e/$(basename "$t" .sh)" sh "$t"
done
# The head-office suite a second time, on PostgreSQL: one throwaway cluster
# (tests/e2e/pg_lib.inc: initdb as an unprivileged user, a Unix socket in a
# temporary directory, removed afterwards), a fresh database per test copied
# from a migrated template. A cluster that cannot start fails the run.
PG_UNIT="test_hq_api test_hq_db test_hq_writer test_hq_session test_hq_ops test_hq_reasons test_hq_summary"
PG_E2E="hq_api hq_body_limits hq_slow_clients hq_tls sync_basic sync_conflict sync_faults sync_kill9 sync_reimage sync_timefix sync_followup hq_pg_replicas hq_pg_failures"
. "$ROOT/tests/e2e/pg_lib.inc"
trap 'pg_stop' EXIT
if pg_start >"$TALLY_BUILD/test-logs/pg-cluster.log" 2>&1; then
	for t in $PG_UNIT; do
		[ -x "$TALLY_BUILD/asan/tests/$t" ] || continue
		run "pg/unit/$t" env TALLY_HQ_DB_PG="$(pg_fresh "unit_$t")" "$TALLY_BUILD/asan/tests/$t"
	done
	for t in $PG_E2E; do
		[ -f "$ROOT/tests/e2e/$t.sh" ] || continue
		run "pg/e2e/$t" sh "$ROOT/tests/e2e/$t.sh"
	done
	pg_stop
	unset TALLY_HQ_PG_SOCKET TALLY_HQ_PG_TEMPLATE
else
	failed=$((failed + 1)); failures="$failures pg/cluster"
	echo "FAIL pg/cluster: PostgreSQL could not start (log: $TALLY_BUILD/test-logs/pg-cluster.log)"
	tail -n 30 "$TALLY_BUILD/test-logs/pg-cluster.log" | sed 's/^/     /'
fi

# A few seconds each from the seeds: every seed and what grows from it in
# that time must pass ASan and UBSan (make fuzz runs them for longer).
for t in "$ROOT"/tests/fuzz/fuzz_*.c; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .c)
	run "fuzz/${n#fuzz_}" env FUZZ_FRESH=1 BUILD="$BUILD" sh "$ROOT/tests/fuzz/run.sh" "${FUZZ_TEST_SECONDS:-5}" "${n#fuzz_}"
done

# Static analysis (scan-build, cppcheck): a finding fails like a test. Only
# sources changed since the last run are analysed again.
run analyze env MAKEFLAGS= MAKELEVEL= make -C "$ROOT" --no-print-directory -j2 BUILD="$BUILD" analyze

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
