# SPDX-License-Identifier: Apache-2.0
# A portrait screen on a landscape panel (rotate = 90): a touch lands on
# the face the customer sees there.
. "$(dirname "$0")/lib.inc"

printf '[kiosk]\ndatabase = %s/k.db\n[screen]\nrotate = 90\nthanks_s = 0.5\n[filter]\nresponse_interval_s = 0\n' "$WORK" >"$WORK/k.conf"
# Portrait 480x800 seen on the 800x480 panel turned clockwise: the faces
# in two rows (portrait layout), the first face (the best, face_order =
# best-first) top left, the last bottom right. Logical (129, 382) is panel
# (800 - 382, 129) = (0.52, 0.27); logical (350, 648) is panel (0.19, 0.73).
cat >"$WORK/input" <<SCRIPT
touch 0.52 0.27
wait 900
touch 0.19 0.73
wait 900
quit
SCRIPT
"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --script "$WORK/input" 2>"$WORK/log" ||
	{ cat "$WORK/log"; fail "kiosk exited with an error"; }
expect_eq "faces hit through the rotation" "3
0" "$(sql "$WORK/k.db" 'select value from ratings order by seq')"
