#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every benchmark built in $BUILD/bench/ (release build, see
# `make bench`) and prints its figures, one block per benchmark.
# Scratch files go to $TMPDIR (default /tmp).
set -u
BUILD=${BUILD:-build}
status=0
run() {
	echo "== $1"
	"$BUILD/bench/$1" || { echo "$1 failed"; status=1; }
	echo
}
run bench_stats
run bench_staff
run bench_shift_stats
run bench_gpio_latency
run bench_gpio_storm
echo "== bench_kiosk"
python3 "$(dirname "$0")/bench_kiosk.py" "$BUILD" || status=1
echo
run bench_sync_wire
echo "== bench_sync (tally-sync + tally-hq over loopback)"
sh "$(dirname "$0")/bench_sync.sh" "$BUILD" || status=1
echo
echo "== bench_hq_ingest (100 kiosks posting full batches to tally-hq over loopback)"
"$BUILD/bench/bench_hq_ingest" --hq "$BUILD/tally-hq" 2>/dev/null || { echo "bench_hq_ingest failed"; status=1; }
echo
echo "== bench_dash_render (the dashboard's first full render in headless Chromium over loopback)"
/usr/bin/python3 "$(dirname "$0")/bench_dash_render.py" "$BUILD" || status=1
echo
exit $status
