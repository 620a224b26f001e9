#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Renders the staff view, the PIN pad, the wall display and the shift
# screens (staff view with shifts, end of shift) shown in the docs into
# docs/screenshots/, headless, from demo
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
	# (only where ImageMagick is the real one: a failed conversion keeps the full PNG)
	if command -v convert >/dev/null && convert "$OUT/$4.png" -strip -colors 128 "PNG8:$TMP/q.png" 2>/dev/null; then
		mv "$TMP/q.png" "$OUT/$4.png"
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
# The staff screens in the store's language (the first of [kiosk] languages).
for l in de ar zh; do
	sed "s/^\[kiosk\]$/&\nlanguages = $l/" "$TMP/k4.conf" >"$TMP/k4-$l.conf"
	sed "s/^\[kiosk\]$/&\nlanguages = $l/" "$TMP/k5.conf" >"$TMP/k5-$l.conf"
	sed "s/^\[kiosk\]$/&\nlanguages = $l/" "$TMP/p4.conf" >"$TMP/p4-$l.conf"
	shot "$TMP/k4-$l.conf" staff 800x480 staff-$l-800x480
done
shot "$TMP/k5-zh.conf" display 1920x1080 display-zh-1920x1080
shot "$TMP/k5-de.conf" staff 1920x1080 staff-de-1920x1080
shot "$TMP/p4-ar.conf" staff 1280x800 staff-ar-portrait

# Shifts: two shifts and four weeks before, so the comparisons have something to say.
python3 "$ROOT/scripts/demo_data.py" "$K" "$TMP/s.db" 4 "$NOW" --history 28
SHIFTS='[shifts]\nEarly = Mon-Sat 08:00-14:00\nLate = Mon-Sat 14:00-20:00\n'
for faces in 4 5; do
	[ "$faces" = 4 ] || python3 "$ROOT/scripts/demo_data.py" "$K" "$TMP/s5.db" 5 "$NOW" --history 28
	db="$TMP/s.db"
	[ "$faces" = 4 ] || db="$TMP/s5.db"
	printf "[kiosk]\ndatabase = %s\nstore = Harbour Street\ntimezone = Europe/Berlin\n[screen]\nfaces = %s\n$SHIFTS" \
		"$db" "$faces" >"$TMP/s$faces.conf"
	cp "$TMP/s$faces.conf" "$TMP/sp$faces.conf"
	sed -i 's/^faces = .*/&\nrotate = 90/' "$TMP/sp$faces.conf"
done
shot "$TMP/s4.conf" staff 800x480 shifts-staff-800x480
shot "$TMP/s5.conf" staff 1920x1080 shifts-staff-1920x1080
shot "$TMP/sp4.conf" staff 1280x800 shifts-staff-portrait
shot "$TMP/s4.conf" shift-end 800x480 shift-end-800x480
shot "$TMP/s5.conf" shift-end 1920x1080 shift-end-1920x1080
shot "$TMP/sp4.conf" shift-end 1280x800 shift-end-portrait
shot "$TMP/s4.conf" display 800x480 shifts-display-800x480
shot "$TMP/s5.conf" display 1920x1080 shifts-display-1920x1080
# Top reasons today: the demo day's ratings answered the follow-up question.
cp "$TMP/d4.db" "$TMP/r4.db"
sqlite3 "$TMP/r4.db" "UPDATE ratings SET reason = CASE WHEN 2 * value > scale - 1 THEN
	CASE seq % 3 WHEN 0 THEN 'Friendly staff' WHEN 1 THEN 'Quick service' ELSE NULL END ELSE
	CASE seq % 4 WHEN 0 THEN 'Waiting time' WHEN 1 THEN 'Waiting time' WHEN 2 THEN 'Price' ELSE NULL END END"
sed "s#$TMP/d4.db#$TMP/r4.db#" "$TMP/k4.conf" >"$TMP/r4.conf"
shot "$TMP/r4.conf" staff 800x480 staff-reasons-800x480
shot "$TMP/r4.conf" display 800x480 display-reasons-800x480
ls -l "$OUT"
