# SPDX-License-Identifier: Apache-2.0
# The end-of-shift screen through the real kiosk, with scripted time
# (--now): a customer presses just before the Early shift ends; the result
# waits until the thank-you is over, shows once, and a key pressed on it
# is a rating as usual; a touch only closes it; the wall display shows it
# too. Pictures are compared by their pixels with the screens rendered by
# --screenshot, so "what showed when" is checked, not guessed from logs.
. "$(dirname "$0")/lib.inc"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
K="$BIN/tally-kiosk"
DAY=2025-06-17 # a Tuesday

python3 "$ROOT/scripts/demo_data.py" "$K" "$WORK/k.db" 4 "$DAY 20:00" --history 28
conf() { # MODE
	printf '[kiosk]\ndatabase = %s\nmode = %s\ntimezone = Europe/Berlin\n[screen]\nthanks_s = 8\n' "$WORK/k.db" "$1"
	printf '[filter]\nresponse_interval_s = 0\n[staff]\nshift_end_s = 20\n'
	printf '[shifts]\nEarly = Mon-Sat 08:00-14:00\nLate = Mon-Sat 14:00-20:00\n'
}
conf rating >"$WORK/rating.conf"
conf display >"$WORK/display.conf"
run_kiosk() { # CONF SCRIPT NOW LOG
	"$K" --config "$1" --windowed 800x480 --script "$2" --now "$3" -v 2>"$4" ||
		{ cat "$4"; fail "kiosk exited with an error"; }
}
same() { python3 "$ROOT/tests/e2e/pngsame.py" "$1" "$2"; }
before=$(sql "$WORK/k.db" "select count(*) from ratings")

# --- a customer at the counter as the Early shift ends at 14:00 ----------
# The key goes at once (the shift ends 6 s after the kiosk's "now"), the
# thank-you lasts 8 s, so the end falls inside it.
cat >"$WORK/a.in" <<IN
wait 200
key 4
wait 4000
screenshot $WORK/a-during.png
wait 8000
screenshot $WORK/a-end.png
key 2
wait 1000
screenshot $WORK/a-after.png
wait 2000
quit
IN
run_kiosk "$WORK/rating.conf" "$WORK/a.in" "$DAY 13:59:54" "$WORK/a.log"
"$K" --config "$WORK/rating.conf" --screenshot "$WORK/thanks.png" --screen thanks
"$K" --config "$WORK/rating.conf" --now "$DAY 14:00:05" --screenshot "$WORK/early-end.png" --screen shift-end
"$K" --config "$WORK/rating.conf" --screenshot "$WORK/rating.png" --screen rating
same "$WORK/a-during.png" "$WORK/thanks.png" || fail "during the customer's thank-you something else showed"
echo "ok: the shift's end during a thank-you does not interrupt it"
same "$WORK/a-end.png" "$WORK/early-end.png" || fail "after the thank-you the Early shift's result did not show"
echo "ok: then the Early shift's result shows"
expect_eq "shown once" 1 "$(grep -c 'shift end: shown' "$WORK/a.log")"
grep -q 'shift end: shown: Early shift: ' "$WORK/a.log" || { cat "$WORK/a.log"; fail "the log names another shift"; }
grep -q 'shift end: screen closed (key)' "$WORK/a.log" || { cat "$WORK/a.log"; fail "the key did not close it"; }
same "$WORK/a-after.png" "$WORK/a-end.png" && fail "the screen stayed after the key"
expect_eq "both keys are ratings (4, then 2: values 0 and 2, face_order best-first)" "0,2" \
	"$(sql "$WORK/k.db" "select group_concat(value) from (select value from ratings where seq > (select max(seq) - 2 from ratings) order by seq)")"
expect_eq "two ratings more" $((before + 2)) "$(sql "$WORK/k.db" "select count(*) from ratings")"
expect_eq "the schedule was recorded once" 1 "$(sql "$WORK/k.db" "select count(*) from shift_schedules")"

# --- a touch on it closes it, and is no rating ---------------------------
cat >"$WORK/b.in" <<IN
wait 4000
screenshot $WORK/b-end.png
touch 0.5 0.5
wait 600
screenshot $WORK/b-after.png
quit
IN
n=$(sql "$WORK/k.db" "select count(*) from ratings")
run_kiosk "$WORK/rating.conf" "$WORK/b.in" "$DAY 19:59:58" "$WORK/b.log"
grep -q 'shift end: shown: Late shift: ' "$WORK/b.log" || { cat "$WORK/b.log"; fail "the Late shift's end did not show"; }
grep -q 'shift end: screen closed (touch)' "$WORK/b.log" || { cat "$WORK/b.log"; fail "the touch did not close it"; }
same "$WORK/b-after.png" "$WORK/rating.png" || fail "after the touch the faces did not come back"
expect_eq "a touch on it is no rating" "$n" "$(sql "$WORK/k.db" "select count(*) from ratings")"

# --- restarted after the end: shown once within the grace period, not after it
printf 'wait 1500\nquit\n' >"$WORK/c.in"
run_kiosk "$WORK/rating.conf" "$WORK/c.in" "$DAY 20:05" "$WORK/c.log"
expect_eq "restart 5 minutes after the end: shown once" 1 "$(grep -c 'shift end: shown: Late' "$WORK/c.log")"
run_kiosk "$WORK/rating.conf" "$WORK/c.in" "$DAY 20:20" "$WORK/d.log"
expect_eq "restart 20 minutes after (grace 15 min): not shown" 0 "$(grep -c 'shift end: shown' "$WORK/d.log")"

# --- the wall display shows it too -----------------------------------------
cat >"$WORK/e.in" <<IN
wait 4000
screenshot $WORK/e-end.png
quit
IN
run_kiosk "$WORK/display.conf" "$WORK/e.in" "$DAY 19:59:58" "$WORK/e.log"
"$K" --config "$WORK/rating.conf" --now "$DAY 20:00:05" --screenshot "$WORK/late-end.png" --screen shift-end
same "$WORK/e-end.png" "$WORK/late-end.png" || { cat "$WORK/e.log"; fail "the wall display did not show the Late shift's result"; }
echo "ok: the wall display shows the end of the shift"

# --- off: never shown ------------------------------------------------------
sed 's/^shift_end_s = 20$/shift_end = false/' "$WORK/rating.conf" >"$WORK/off.conf"
run_kiosk "$WORK/off.conf" "$WORK/c.in" "$DAY 20:05" "$WORK/f.log"
expect_eq "shift_end = false: not shown" 0 "$(grep -c 'shift end: shown' "$WORK/f.log")"

# --- at closing time: the Late shift ends as the store closes at 20:00; its
# result shows with the panel lit, and the panel dims when it goes --------
mkdir -p "$WORK/sys/class/backlight/panel"
echo 255 >"$WORK/sys/class/backlight/panel/max_brightness"
echo 180 >"$WORK/sys/class/backlight/panel/brightness"
{ cat "$WORK/rating.conf"; printf '[hours]\nmon = 08:00-20:00\ntue = 08:00-20:00\n'; } |
	sed 's/^shift_end_s = 20$/shift_end_s = 3/' >"$WORK/closing.conf"
printf 'wait 9000\nquit\n' >"$WORK/g.in"
TALLY_SYSFS_ROOT="$WORK/sys" "$K" --config "$WORK/closing.conf" --windowed 800x480 --script "$WORK/g.in" \
	--now "$DAY 19:59:58" -v 2>"$WORK/g.log" &
KPID=$!
until_log() { # PATTERN: waits (at most 60 s) for the kiosk to log it
	i=0
	while ! grep -q "$1" "$WORK/g.log"; do
		kill -0 "$KPID" 2>/dev/null || { cat "$WORK/g.log"; fail "kiosk ended before \"$1\""; }
		sleep 0.1; i=$((i + 1))
		[ $i -lt 600 ] || { kill "$KPID"; cat "$WORK/g.log"; fail "no \"$1\" in 60 s"; }
	done
}
until_log 'shift end: shown: Late'
until_log 'store closes (opening hours)'
expect_eq "closed, but the shift's result keeps the panel lit" 180 "$(cat "$WORK/sys/class/backlight/panel/brightness")"
until_log 'shift end: screen closed (time up)'
expect_eq "then the panel dims" 0 "$(cat "$WORK/sys/class/backlight/panel/brightness")"
wait "$KPID" || { cat "$WORK/g.log"; fail "kiosk exited with an error"; }
