#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs the unit tests of a cross build (make test-arm64, make test-armhf)
# under qemu-user-static: $BUILD/asan/tests/test_* built for ARCH with ASan
# and UBSan. LeakSanitizer stops with a fatal error under qemu-user (it
# needs ptrace-like access to the threads), so leaks are checked only by
# the native `make test`; ASan's and UBSan's checks all run. Ends with
# "N passed, N failed" and a non-zero exit on failure, like tests/run.sh.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:?}
QEMU=${QEMU:?}
TRIPLET=${TRIPLET:?}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export TALLY_BUILD="$BUILD" TALLY_DATADIR="$ROOT/assets"
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The cross compiler's libasan/libubsan live in /usr/TRIPLET/lib, not in the
# multiarch directories; qemu looks there first and falls back to /.
export QEMU_LD_PREFIX="/usr/$TRIPLET"
command -v "$QEMU" >/dev/null || { echo "no $QEMU: scripts/deps.sh $ARCH installs qemu-user-static" >&2; exit 1; }
passed=0 failed=0 failures=""
for t in "$BUILD"/asan/tests/test_*; do
	[ -x "$t" ] || continue
	case $t in *.d|*.o) continue ;; esac
	name=$(basename "$t")
	log="$BUILD/test-logs/$name.log"
	mkdir -p "$(dirname "$log")"
	# The foreign ELF names its loader (/lib/ld-linux-aarch64.so.1), which multiarch libc6:ARCH installs.
	if "$QEMU" "$t" >"$log" 2>&1; then
		passed=$((passed + 1)); echo "ok   $ARCH/$name"
	else
		failed=$((failed + 1)); failures="$failures $name"; echo "FAIL $ARCH/$name (log: $log)"
		tail -n 20 "$log" | sed 's/^/     /'
	fi
done
echo
first=$(ls "$BUILD"/asan/tests/test_* | head -n 1)
echo "built for: $(readelf -h "$first" | sed -n 's/^ *Machine: *//p'); ASan+UBSan, no LeakSanitizer"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed (under $QEMU)"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
