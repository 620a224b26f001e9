#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make run`: the whole system on this machine with built-in defaults.
# Data lives in build/run/. The kiosk opens a window on a desktop, goes
# fullscreen on a console with a DRM device, and with no display at all
# says so in one line and how to run it headless. TALLY_RUN_DIR moves the
# data elsewhere (tests), TALLY_HQ_PORT the local head office's port.
set -eu
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/$BUILD"
RUN=${TALLY_RUN_DIR:-$B/run}
mkdir -p "$RUN"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
	KIOSK_MODE="--windowed 800x480"
elif ls /dev/dri/card* >/dev/null 2>&1 && tty 2>/dev/null | grep -q '^/dev/tty[0-9]'; then
	KIOSK_MODE="--fullscreen"
	export SDL_VIDEODRIVER=kmsdrm
else
	echo "tally: no display here (no \$DISPLAY, no console with /dev/dri): run headless with SDL_VIDEODRIVER=offscreen $BUILD/tally-kiosk --windowed 800x480, or see a screen with $BUILD/tally-kiosk --screenshot rating.png --screen rating" >&2
	exit 1
fi

cat >"$RUN/kiosk.conf" <<CONF
# Written by make run: the demo kiosk on this machine.
[kiosk]
id = demo-kiosk
database = $RUN/kiosk.db
CONF

pids=""
stop() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap stop EXIT INT TERM

# Head office on SQLite, the demo kiosk registered, tally-sync started.
. "$ROOT/scripts/run_sync.sh"

echo "tally: kiosk ratings go to $RUN/kiosk.db; keys 1-4, a click or a touch rate; close the window or press Escape to stop" >&2
"$B/tally-kiosk" --config "$RUN/kiosk.conf" $KIOSK_MODE
