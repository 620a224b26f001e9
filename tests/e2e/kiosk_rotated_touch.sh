# A portrait screen on a landscape panel (rotate = 90): a touch lands on
# the face the customer sees there.
. "$(dirname "$0")/lib.inc"

printf '[kiosk]\ndatabase = %s/k.db\n[screen]\nrotate = 90\nthanks_s = 0.5\n[filter]\nresponse_interval_s = 0\n' "$WORK" >"$WORK/k.conf"
# Portrait 480x800 seen on the 800x480 panel turned clockwise: the faces'
# row runs down the panel, left face (the best, face_order = best-first) at the top. Faces band centre
# is at logical y ~ 0.66 of 800 -> panel x = 800 - 528 = 272 (0.34).
cat >"$WORK/input" <<SCRIPT
touch 0.34 0.12
wait 900
touch 0.34 0.88
wait 900
quit
SCRIPT
"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --script "$WORK/input" 2>"$WORK/log" ||
	{ cat "$WORK/log"; fail "kiosk exited with an error"; }
expect_eq "faces hit through the rotation" "3
0" "$(sql "$WORK/k.db" 'select value from ratings order by seq')"
