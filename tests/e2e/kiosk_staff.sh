# The staff view, end to end, the ways staff open it: the buttons' chord
# (simulated GPIO edges), a long press in a screen corner (scripted
# touches), the PIN pad (keys and a pad touch), the schedule (--now puts
# the kiosk just before a scheduled time). In every path the press that
# closes the view is not a rating; a later customer press is.
. "$(dirname "$0")/lib.inc"

run_kiosk() { # CONF SCRIPT [more options]
	conf=$1 script=$2
	shift 2
	"$BIN/tally-kiosk" --config "$conf" --windowed 800x480 --script "$script" -v "$@" 2>"$WORK/log" ||
		{ cat "$WORK/log"; fail "kiosk exited with an error"; }
}
expect_log() { # WHAT PATTERN
	grep -q "$2" "$WORK/log" || { cat "$WORK/log"; fail "$1: no \"$2\" in the log"; }
	echo "ok: $1"
}
base_conf() { # DB
	printf '[kiosk]\ndatabase = %s\n[screen]\nthanks_s = 0.3\n[filter]\nresponse_interval_s = 0\n[staff]\ncorner_hold_s = 0.5\n' "$1"
}

# --- corner long press, no PIN -------------------------------------------
base_conf "$WORK/a.db" >"$WORK/a.conf"
cat >"$WORK/a.in" <<'IN'
# a short tap in the corner: nothing
touch-down 0.02 0.03
wait 100
touch-up 0.02 0.03
wait 900
# held: the staff view opens
touch-down 0.98 0.03
wait 1000
touch-up 0.98 0.03
screenshot STAFF_PNG
# a customer taps a face on the open view: it closes, no rating
touch 0.15 0.7
touch-up 0.15 0.7
wait 1500
# later, a real rating on the rightmost face
touch 0.85 0.7
touch-up 0.85 0.7
wait 500
quit
IN
sed -i "s#STAFF_PNG#$WORK/a-staff.png#" "$WORK/a.in"
run_kiosk "$WORK/a.conf" "$WORK/a.in"
expect_eq "short corner tap opens nothing" "1" "$(grep -c 'staff view: open' "$WORK/log")"
expect_log "corner long press opens the view" "staff view: open (corner long press)"
expect_log "a touch closes it" "staff view: closed (touch)"
expect_eq "only the later press is a rating" "3|touch" "$(sql "$WORK/a.db" 'select value, source from ratings')"
[ -s "$WORK/a-staff.png" ] || fail "no screenshot of the open view"

# --- corner long press with a PIN ------------------------------------------
{ base_conf "$WORK/b.db"; echo "pin = 2468"; } >"$WORK/b.conf"
cat >"$WORK/b.in" <<'IN'
# the pad's cancel key (bottom left of the pad) closes it
touch-down 0.02 0.97
wait 1000
touch-up 0.02 0.97
touch 0.395 0.881
touch-up 0.395 0.881
wait 1500
# a wrong PIN, then the right one
touch-down 0.02 0.03
wait 1000
touch-up 0.02 0.03
key 1
key 1
key 1
key 1
key 2
key 4
key 6
key 8
wait 200
# any key closes the view: key 3 is not a rating
key 3
wait 1500
key 2
wait 500
quit
IN
run_kiosk "$WORK/b.conf" "$WORK/b.in"
expect_eq "PIN asked twice" "2" "$(grep -c 'staff view: PIN asked' "$WORK/log")"
expect_log "the pad's cancel key" "staff view: closed (PIN cancelled)"
expect_log "a wrong PIN is refused" "staff view: wrong PIN"
expect_log "the right PIN opens the view" "staff view: open (corner long press and PIN)"
expect_log "a key closes it" "staff view: closed (key)"
expect_eq "no rating from PIN digits or the closing key" "1|key" "$(sql "$WORK/b.db" 'select value, source from ratings')"

# --- the staff chord on simulated buttons ------------------------------------
EDGES="$WORK/edges"
{
	base_conf "$WORK/c.db"
	printf '[buttons]\nstaff_hold_s = 0.5\n'
	for i in 1 2 3 4; do
		printf '[button.%d]\nchip = sim:%s\nline = %d\n' "$i" "$EDGES" $((i + 10))
	done
} >"$WORK/c.conf"
cat >"$EDGES" <<'REC'
# buttons 1 and 4 held together 0.8 s: the chord opens the view
11 1 300000
14 1 310000
11 0 1100000
14 0 1110000
# button 2 pressed on the open view: closes it, and its release is no rating
12 1 2000000
12 0 2150000
# button 3 well after: a rating
13 1 4000000
13 0 4100000
REC
# Button 3's press is decided about 4 s after the file is first read: wait
# for it (however slow the machine), then stop the kiosk.
"$BIN/tally-kiosk" --config "$WORK/c.conf" --windowed 800x480 -v 2>"$WORK/log" &
KIOSK=$!
trap 'kill $KIOSK 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
wait_until 120 '[ "$(sql "$WORK/c.db" "select count(*) from ratings" 2>/dev/null)" = 1 ]' ||
	{ cat "$WORK/log"; fail "button 3 was not stored"; }
kill $KIOSK
wait $KIOSK || { cat "$WORK/log"; fail "kiosk exited with an error"; }
expect_log "the chord opens the view" "staff view: open (staff chord)"
expect_log "a button closes it" "staff view: closed (button)"
expect_log "the closing press is swallowed" "button 2 closed the staff view: not a rating"
expect_eq "only button 3 rated" "2|button" "$(sql "$WORK/c.db" 'select value, source from ratings')"

# --- the schedule ----------------------------------------------------------------
{ base_conf "$WORK/d.db"; printf 'view_at = 07:00, 12:00\nview_s = 3\n'; } >"$WORK/d.conf"
printf 'wait 6500\nquit\n' >"$WORK/d.in"
run_kiosk "$WORK/d.conf" "$WORK/d.in" --now '2025-06-17 11:59:58'
expect_log "opens at the scheduled time" "staff view: open (schedule)"
expect_log "closes after view_s" "staff view: closed (time is up)"
expect_eq "the schedule makes no rating" "0" "$(sql "$WORK/d.db" 'select count(*) from ratings')"
