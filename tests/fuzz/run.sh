#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs libFuzzer targets built in $BUILD/fuzz/ (make fuzz, make test).
#
#   tests/fuzz/run.sh SECONDS [TARGET...]   each target (default: all) for SECONDS
#   FUZZ_RUNS=N tests/fuzz/run.sh SECONDS ...  or until N executions, whichever comes first
#
# A target named fuzz_X starts from its seed corpus tests/fuzz/corpus/X/ and
# its dictionary tests/fuzz/X.dict. The seeds are only read: what the
# fuzzer finds goes to $BUILD/fuzz/corpus/X/ (kept between runs of make
# fuzz, so coverage grows), or with FUZZ_FRESH=1 (make test) to a scratch
# directory removed afterwards, so a test run starts from the seeds alone.
# A crash, leak, sanitizer report or hang leaves the input in
# $BUILD/fuzz/artifacts/ and makes this script fail; reproduce it with
#   $BUILD/fuzz/fuzz_X $BUILD/fuzz/artifacts/X-crash-...
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
SECONDS_EACH=${1:?usage: run.sh SECONDS [TARGET...]}
shift
if [ $# -eq 0 ]; then
	set --
	for f in "$ROOT"/tests/fuzz/fuzz_*.c; do
		n=$(basename "$f" .c)
		set -- "$@" "${n#fuzz_}"
	done
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$BUILD/fuzz/artifacts"
failed=""
for t in "$@"; do
	bin="$BUILD/fuzz/fuzz_$t"
	[ -x "$bin" ] || { echo "fuzz: $bin is not built (make fuzz)" >&2; failed="$failed $t"; continue; }
	if [ "${FUZZ_FRESH:-0}" = 1 ]; then
		out=$(mktemp -d "$BUILD/fuzz/scratch-$t.XXXXXX")
	else
		out="$BUILD/fuzz/corpus/$t"
		mkdir -p "$out"
	fi
	dict=""
	[ -f "$ROOT/tests/fuzz/$t.dict" ] && dict="-dict=$ROOT/tests/fuzz/$t.dict"
	# make test's short runs log apart, so they never write into a long run's log while it goes.
	log="$BUILD/fuzz/logs/$t.log"
	[ "${FUZZ_FRESH:-0}" = 1 ] && log="$BUILD/fuzz/logs/$t.fresh.log"
	mkdir -p "$(dirname "$log")"
	echo "fuzz: $t for ${SECONDS_EACH}s${FUZZ_RUNS:+ or $FUZZ_RUNS executions} (log: $log)"
	# -timeout: one input taking 10 s is a hang; -print_final_stats: the figures docs/testing.md quotes.
	runs=""
	[ -n "${FUZZ_RUNS:-}" ] && runs="-runs=$FUZZ_RUNS"
	# shellcheck disable=SC2086
	"$bin" $dict $runs -max_total_time="$SECONDS_EACH" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$BUILD/fuzz/artifacts/$t-" "$out" "$ROOT/tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	grep -E "^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^stat::peak_rss" "$log" | sed 's/^/    /'
	if [ $rc -ne 0 ]; then
		grep -E "ERROR|runtime error|SUMMARY|Test unit written|deadly signal|fuzz harness" "$log" | head -n 8 | sed 's/^/    /'
	fi
	[ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$out"
	[ $rc -eq 0 ] || failed="$failed $t"
done
if [ -n "$failed" ]; then
	echo "fuzz: FAILED:$failed (inputs in $BUILD/fuzz/artifacts/)"
	exit 1
fi
echo "fuzz: no crash, leak, undefined behaviour or hang"
