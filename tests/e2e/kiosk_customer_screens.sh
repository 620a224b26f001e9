# SPDX-License-Identifier: Apache-2.0
# What a customer sees when things are not normal (issue 12, points 6 and 7),
# through the real kiosk with scripted keys, touches and simulated buttons:
#  - out of order: one plain sentence, the same whatever the cause; the
#    detail in the log, the status file (tallyctl status) and the staff view;
#  - closed: a press is stored flagged closed and wakes the screen with when
#    the store opens again, then it goes dark;
#  - a press that closes a staff view left open: "Please choose again", and
#    the next press is a rating.
. "$(dirname "$0")/lib.inc"
PNG="python3 $(dirname "$0")/png_pixels.py"

run_kiosk() { # CONF SCRIPT LOG [more options]
	conf=$1 script=$2 log=$3
	shift 3
	"$BIN/tally-kiosk" --config "$conf" --windowed 800x480 --script "$script" -v "$@" 2>"$log" ||
		{ cat "$log"; fail "kiosk exited with an error"; }
}

# --- out of order: no internals on the customer's screen -----------------------
mkdir -p "$WORK/a" "$WORK/b-with-a-longer-directory-name"
for d in a b-with-a-longer-directory-name; do
	head -c 65536 /dev/urandom >"$WORK/$d/k.db"
	printf '[kiosk]\ndatabase = %s/k.db\n' "$WORK/$d" >"$WORK/$d.conf"
	printf 'key 1\nwait 300\nscreenshot %s/ooo.png\nquit\n' "$WORK/$d" >"$WORK/$d.in"
	run_kiosk "$WORK/$d.conf" "$WORK/$d.in" "$WORK/$d.log"
	grep -q "$WORK/$d/k.db: database is corrupt" "$WORK/$d.log" || { cat "$WORK/$d.log"; fail "detail not logged"; }
	grep -q "^out_of_order $WORK/$d/k.db: database is corrupt" "$WORK/$d/kiosk.status" ||
		{ cat "$WORK/$d/kiosk.status"; fail "detail not in the status file"; }
done
echo "ok: the detail is in the log and the status file (tallyctl status shows its out_of_order line)"
# Two different paths, one picture: the path and SQLite's words are not drawn.
$PNG "$WORK/a/ooo.png" same "$WORK/b-with-a-longer-directory-name/ooo.png" ||
	fail "the out-of-order screen shows the cause to customers"
expect_eq "out of order is the red screen" "6d1b1b" "$($PNG "$WORK/a/ooo.png" at 5 5)"

# The staff chord opens the staff view over it: the staff see the cause, in a red band.
EDGES="$WORK/edges"
{
	cat "$WORK/a.conf"
	printf '[buttons]\nstaff_hold_s = 0.5\n'
	for i in 1 2 3 4; do printf '[button.%d]\nchip = sim:%s\nline = %d\n' "$i" "$EDGES" $((i + 10)); done
} >"$WORK/chord.conf"
printf '11 1 300000\n14 1 310000\n11 0 1100000\n14 0 1110000\n' >"$EDGES"
printf 'wait 1500\nscreenshot %s/staff-ooo.png\nquit\n' "$WORK" >"$WORK/chord.in"
run_kiosk "$WORK/chord.conf" "$WORK/chord.in" "$WORK/chord.log"
grep -q "staff view: open (staff chord)" "$WORK/chord.log" || { cat "$WORK/chord.log"; fail "the chord did not open the view"; }
expect_eq "the staff view shows the out-of-order band" "8b1e1e" "$($PNG "$WORK/staff-ooo.png" at 3 476)"

# --- closed: a press wakes the screen with the next opening -------------------
printf '[kiosk]\ndatabase = %s/c.db\ntimezone = Europe/Berlin\n[screen]\nclosed_wake_s = 1.5\n[hours]\nmon = 08:00-20:00\ntue = 08:00-20:00\nwed = 08:00-20:00\nthu = 08:00-20:00\nfri = 08:00-20:00\nsat = closed\nsun = closed\n' \
	"$WORK" >"$WORK/c.conf"
cat >"$WORK/c.in" <<IN
screenshot $WORK/closed-dark.png
key 2
wait 300
screenshot $WORK/closed-woken.png
wait 2500
screenshot $WORK/closed-dark-again.png
quit
IN
# Thursday 21:30: open again Friday 08:00, the next day.
run_kiosk "$WORK/c.conf" "$WORK/c.in" "$WORK/c.log" --now '2026-11-26 21:30:00'
grep -q 'press while closed: stored, flagged closed; screen shows "Closed — open again Friday at 08:00"' "$WORK/c.log" ||
	{ cat "$WORK/c.log"; fail "the closed notice does not name the next opening"; }
echo "ok: the closed notice names Friday 08:00"
expect_eq "the press is stored, flagged closed" "2|2" "$(sql "$WORK/c.db" 'select value, flags from ratings')"
expect_eq "closed and not pressed: dark" "0" "$($PNG "$WORK/closed-dark.png" count e0e6ee)"
[ "$($PNG "$WORK/closed-woken.png" count e0e6ee)" -gt 500 ] || fail "the press did not wake the screen with text"
echo "ok: the press wakes the screen with text"
$PNG "$WORK/closed-dark-again.png" same "$WORK/closed-dark.png" || fail "the screen did not go dark again"
echo "ok: dark again after closed_wake_s"
# Early the same morning: "at 08:00", no day.
rm -f "$WORK/c.db"*
printf 'key 1\nwait 300\nquit\n' >"$WORK/c2.in"
run_kiosk "$WORK/c.conf" "$WORK/c2.in" "$WORK/c2.log" --now '2026-11-26 06:10:00'
grep -q 'screen shows "Closed — open again at 08:00"' "$WORK/c2.log" || { cat "$WORK/c2.log"; fail "same-day notice"; }
echo "ok: the same day says only the time"

# --- the press that closes a staff view: "Please choose again" ----------------
printf '[kiosk]\ndatabase = %s/s.db\n[screen]\nthanks_s = 0.3\nchoose_again_s = 3\n[filter]\nresponse_interval_s = 0\n[staff]\ncorner_hold_s = 0.5\n' \
	"$WORK" >"$WORK/s.conf"
cat >"$WORK/s.in" <<IN
screenshot $WORK/rating.png
touch-down 0.02 0.03
wait 900
touch-up 0.02 0.03
wait 300
# a customer touches a face on the open staff view: it closes, no rating
touch 0.15 0.7
touch-up 0.15 0.7
wait 800
screenshot $WORK/choose-again.png
# the next press is a rating, and the notice is answered
touch 0.15 0.7
touch-up 0.15 0.7
wait 800
screenshot $WORK/after.png
quit
IN
run_kiosk "$WORK/s.conf" "$WORK/s.in" "$WORK/s.log"
grep -q "staff view: closed (touch)" "$WORK/s.log" || { cat "$WORK/s.log"; fail "the touch did not close the view"; }
[ "$($PNG "$WORK/choose-again.png" count ffc857)" -gt 300 ] || fail "no \"Please choose again\" after the closing press"
echo "ok: \"Please choose again\" shows after the closing press"
expect_eq "the rating screen has no such notice" "0" "$($PNG "$WORK/rating.png" count ffc857)"
expect_eq "only the next press is a rating" "1" "$(sql "$WORK/s.db" 'select count(*) from ratings')"
expect_eq "the notice is gone once rated" "0" "$($PNG "$WORK/after.png" count ffc857)"
