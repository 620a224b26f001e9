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
ls -l "$OUT"
