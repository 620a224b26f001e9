#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Renders the customer screens shown in the README into docs/screenshots/,
# headless (no display needed): `make screenshots`.
set -eu
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/docs/screenshots"
K="$ROOT/$BUILD/tally-kiosk"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

"$K" --screenshot "$OUT/rating-4-800x480.png" --screen rating --size 800x480
"$K" --screenshot "$OUT/thanks-800x480.png" --screen thanks --size 800x480
"$K" --screenshot "$OUT/out-of-order-800x480.png" --screen out-of-order --size 800x480
printf '[screen]\nfaces = 5\n' >"$TMP/five.conf"
"$K" --config "$TMP/five.conf" --screenshot "$OUT/rating-5-1920x1080.png" --screen rating --size 1920x1080
printf '[screen]\nfaces = 3\nrotate = 90\n[text]\nquestion = Как вы оцениваете наше обслуживание сегодня?\n' >"$TMP/portrait.conf"
"$K" --config "$TMP/portrait.conf" --screenshot "$OUT/rating-3-portrait-ru.png" --screen rating --size 800x480
# The follow-up question after a negative rating: on a buttons-only kiosk each answer
# stands above the button that chooses it; on touch the answers are buttons.
ANSWERS='followup_negative = Waiting time, Unfriendly staff, Price, Cleanliness'
printf '[text]\n%s\n' "$ANSWERS" >"$TMP/touch.conf"
"$K" --config "$TMP/touch.conf" --screenshot "$OUT/question-touch-800x480.png" --screen question --size 800x480
printf '[text]\n%s, Opening hours, Product range\n' "$ANSWERS" >"$TMP/touch6.conf"
"$K" --config "$TMP/touch6.conf" --screenshot "$OUT/question-touch-6-1920x1080.png" --screen question --size 1920x1080
{
	printf '[text]\n%s\n' "$ANSWERS"
	for i in 1 2 3 4; do printf '[button.%d]\nchip = pinctrl-bcm2835\nline = %d\n' "$i" $((i + 4)); done
} >"$TMP/buttons.conf"
"$K" --config "$TMP/buttons.conf" --screenshot "$OUT/question-buttons-800x480.png" --screen question --size 800x480
printf '[text]\nfollowup_negative = Waiting time, Staff\n' >"$TMP/two.conf"
for i in 1 2 3 4; do printf '[button.%d]\nchip = pinctrl-bcm2835\nline = %d\n' "$i" $((i + 4)); done >>"$TMP/two.conf"
"$K" --config "$TMP/two.conf" --screenshot "$OUT/question-buttons-2-800x480.png" --screen question --size 800x480
# The customers' languages (docs/store.md): a touch kiosk with four, each screen in
# one of them; German, Arabic (right to left) and Chinese (the fallback font) at
# 800x480, 1920x1080 and portrait.
printf '[kiosk]\nlanguages = en, de, ar, zh\n' >"$TMP/lang.conf"
printf '[kiosk]\nlanguages = en, de, ar, zh\n[screen]\nfaces = 5\n' >"$TMP/lang5.conf"
printf '[kiosk]\nlanguages = en, de, ar, zh\n[screen]\nfaces = 3\nrotate = 90\n' >"$TMP/langp.conf"
for l in de ar zh; do
	"$K" --config "$TMP/lang.conf" --language $l --screenshot "$OUT/rating-$l-800x480.png" --screen rating --size 800x480
	"$K" --config "$TMP/lang5.conf" --language $l --screenshot "$OUT/rating-$l-1920x1080.png" --screen rating --size 1920x1080
	"$K" --config "$TMP/langp.conf" --language $l --screenshot "$OUT/rating-$l-portrait.png" --screen rating --size 800x480
done
"$K" --config "$TMP/lang.conf" --language ar --screenshot "$OUT/thanks-ar-800x480.png" --screen thanks --size 800x480
"$K" --config "$TMP/lang.conf" --language zh --screenshot "$OUT/out-of-order-zh-800x480.png" --screen out-of-order --size 800x480
ls -l "$OUT"
