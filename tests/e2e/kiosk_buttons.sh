# From simulated GPIO edges to database rows, through the same debounce,
# press rules and filter as hardware: values, misuse flags, nothing lost,
# and no rating from bounce, the staff chord or a stuck button.
. "$(dirname "$0")/lib.inc"

EDGES="$WORK/edges"
{
	echo "[kiosk]"
	echo "database = $WORK/k.db"
	echo "[screen]"
	echo "thanks_s = 0.5"
	echo "[filter]"
	echo "response_interval_s = 1"
	echo "[buttons]"
	echo "stuck_after_s = 1"
	echo "staff_hold_s = 0.5"
	for i in 1 2 3 4; do
		printf '[button.%d]\nchip = sim:%s\nline = %d\nled_line = %d\n' "$i" "$EDGES" $((i + 10)) $((i + 20))
	done
} >"$WORK/k.conf"

# <line> <level> <time in microseconds>. Lines 11..14 are buttons 1..4.
cat >"$EDGES" <<REC
# button 1: a press with 5 ms of contact bounce, released at 0.2 s
11 1 0
11 0 1000
11 1 2000
11 0 3500
11 1 5000
11 0 200000
# button 3: a 10 ms glitch shorter than the debounce time: nothing
13 1 300000
13 0 310000
# button 3 pressed during the thank-you screen (0.5 s after the first): misuse
13 1 600000
13 0 700000
# the staff chord: buttons 1 and 4 together for 0.7 s: no rating
11 1 2000000
14 1 2010000
11 0 2700000
14 0 2710000
# button 2 stuck for 1.5 s (stuck_after_s = 1): no rating
12 1 4000000
12 0 5500000
# button 4: a clean press, long after the others
14 1 7000000
14 0 7100000
REC

# The last press is decided about 7 s after the file is first read (its
# place in the recording); then nothing more can come. Wait for it, then stop.
"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 2>"$WORK/log" &
KIOSK=$!
trap 'kill $KIOSK 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
wait_until 120 '[ "$(sql "$WORK/k.db" "select count(*) from ratings where value = 3" 2>/dev/null)" = 1 ]' ||
	{ cat "$WORK/log"; fail "the last press was not stored"; }
kill $KIOSK
wait $KIOSK || { cat "$WORK/log"; fail "kiosk exited with an error"; }

expect_eq "ratings from the edges" \
"0|button|0
2|button|1
3|button|0" \
	"$(sql "$WORK/k.db" 'select value, source, flags from ratings order by seq')"
grep -q "staff chord: staff view requested" "$WORK/log" || { cat "$WORK/log"; fail "no staff chord"; }
echo "ok: staff chord seen"
grep -q "stuck" "$WORK/log" || { cat "$WORK/log"; fail "stuck button not logged"; }
expect_eq "stuck logged once" "1" "$(grep -c ': stuck' "$WORK/log")"
