#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Renders the staff view, the PIN pad and the wall display shown in
# the README into docs/screenshots/, headless, from demo
# databases (scripts/demo_data.py) with 4 and 5 faces, at a fixed
# "now" so the pictures only change when the code does.
set -eu
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/docs/screenshots"
K="$ROOT/$BUILD/tally-kiosk"
NOW='2025-06-17 16:40'
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

for faces in 4 5; do
	python3 "$ROOT/scripts/demo_data.py" "$K" "$TMP/d$faces.db" "$faces" "$NOW"
	printf '[kiosk]\ndatabase = %s\nstore = Harbour Street\ntimezone = Europe/Berlin\n[screen]\nfaces = %s\n[staff]\nhours = 8-20\n' \
		"$TMP/d$faces.db" "$faces" >"$TMP/k$faces.conf"
	cp "$TMP/k$faces.conf" "$TMP/p$faces.conf"
	sed -i 's/^faces = .*/&\nrotate = 90/' "$TMP/p$faces.conf"
done
shot() { # CONF SCREEN SIZE NAME
	"$K" --config "$1" --now "$NOW" --screenshot "$OUT/$4.png" --screen "$2" --size "$3"
	# Flat colours and text quantize well: keeps each picture small for the repository.
	if command -v convert >/dev/null; then
		convert "$OUT/$4.png" -strip -colors 128 "PNG8:$OUT/$4.png"
	fi
}
shot "$TMP/k4.conf" staff 800x480 staff-4-800x480
shot "$TMP/k5.conf" staff 1920x1080 staff-5-1920x1080
shot "$TMP/p4.conf" staff 1280x800 staff-4-portrait
shot "$TMP/p5.conf" staff 1280x800 staff-5-portrait
shot "$TMP/k4.conf" display 800x480 display-4-800x480
shot "$TMP/k5.conf" display 1920x1080 display-5-1920x1080
shot "$TMP/p5.conf" display 1280x800 display-5-portrait
shot "$TMP/k4.conf" pin 800x480 pin-800x480
ls -l "$OUT"
