# SPDX-License-Identifier: Apache-2.0
# The kiosk run headless with scripted key, touch and mouse input; then the
# database rows are checked: value, source, misuse flag, time fields.
. "$(dirname "$0")/lib.inc"

cat >"$WORK/k.conf" <<CONF
[kiosk]
id = e2e-kiosk
database = $WORK/k.db
[screen]
faces = 5
thanks_s = 0.5
[filter]
response_interval_s = 1
CONF

cat >"$WORK/input" <<SCRIPT
key 1
screenshot $WORK/lit.png
wait 1200
# the fifth face: touch at its place on the panel (800x480, 5 columns)
touch 0.9 0.75
wait 1200
# a mouse click SDL made from a touch must not count twice
touch-click 400 360
click 400 360
wait 1200
# pressed twice quickly: both stored, the second marked misuse
key 4
wait 100
key 2
wait 800
quit
SCRIPT

"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --script "$WORK/input" 2>"$WORK/log" ||
	{ cat "$WORK/log"; fail "kiosk exited with an error"; }

expect_eq "rows" "5" "$(sql "$WORK/k.db" 'select count(*) from ratings')"
expect_eq "values, sources and misuse flags" \
"1|e2e-kiosk|0|5|key|0
2|e2e-kiosk|4|5|touch|0
3|e2e-kiosk|2|5|touch|0
4|e2e-kiosk|3|5|key|0
5|e2e-kiosk|1|5|key|1" \
	"$(sql "$WORK/k.db" 'select seq, kiosk_id, value, scale, source, flags from ratings order by seq')"
expect_eq "time fields present" "5" \
	"$(sql "$WORK/k.db" "select count(*) from ratings where wall_ms > 1600000000000 and boot_ms > 0 and length(boot_id) = 36 and clock_synced in (0, 1)")"
expect_eq "boot id is this machine's" "$(cat /proc/sys/kernel/random/boot_id)" \
	"$(sql "$WORK/k.db" 'select distinct boot_id from ratings')"
[ -s "$WORK/lit.png" ] || fail "no screenshot"
# a clean stop folds the WAL back into the database file
[ ! -s "$WORK/k.db-wal" ] || fail "WAL left behind after a clean stop"
echo ok: clean stop
