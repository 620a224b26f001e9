# SPDX-License-Identifier: Apache-2.0
# The follow-up question through the real kiosk: touch answers, keys,
# answers drawn above the physical buttons of a simulated chip (pixels),
# the same buttons answering, a press during the question never a new
# rating, no answer in time (the rating stands alone), and kill -9 while
# the question shows (the rating, stored at the press, survives).
. "$(dirname "$0")/lib.inc"
PNG="python3 $(dirname "$0")/png_pixels.py"
BOX=47505b   # an answer's box: the background 1f2a38 lightened (question_screen.c)
BG=1f2a38

run_kiosk() { # CONF SCRIPT LOG
	"$BIN/tally-kiosk" --config "$1" --windowed 800x480 --script "$2" -v 2>"$3" ||
		{ cat "$3"; fail "kiosk exited with an error"; }
}

# --- touch: answers are buttons on the screen ----------------------------------
cat >"$WORK/t.conf" <<CONF
[kiosk]
database = $WORK/t.db
[screen]
thanks_s = 0.5
followup_s = 60
[filter]
response_interval_s = 0
[text]
followup_negative = Waiting time, Staff, Price
CONF
# 4 faces best-first: key 1 is the best (3, positive: no answers listed), key 4 the worst (0).
# At 800x480 three answers sit in one row; the middle one ("Staff") is at the centre, 0.66 down.
cat >"$WORK/t.in" <<IN
key 4
wait 800
screenshot $WORK/asked.png
# beside the answers (the question, a corner): nothing, and no rating
touch 0.5 0.1
touch 0.02 0.03
touch-up 0.02 0.03
# key 4 is no answer here (three answers): nothing, and no rating
key 4
wait 300
touch 0.5 0.66
wait 200
screenshot $WORK/thanked.png
wait 1200
key 1
wait 1200
screenshot $WORK/not-asked.png
key 3
wait 800
key 1
wait 1200
quit
IN
run_kiosk "$WORK/t.conf" "$WORK/t.in" "$WORK/t.log"
expect_eq "ratings (a press during the question is none)" "3" "$(sql "$WORK/t.db" 'select count(*) from ratings')"
expect_eq "each answer with its rating" "1|0|key|Staff
2|3|key|
3|1|key|Waiting time" "$(sql "$WORK/t.db" 'select seq, value, source, reason from ratings order by seq')"
grep -q 'rating 1: answer 2 "Staff" by touch' "$WORK/t.log" || { cat "$WORK/t.log"; fail "no log line for the answer"; }
[ "$($PNG "$WORK/asked.png" count $BOX)" -gt 20000 ] || fail "the question shows no answer boxes"
expect_eq "the left answer box" "$BOX" "$($PNG "$WORK/asked.png" at 40 250)"
expect_eq "the right answer box" "$BOX" "$($PNG "$WORK/asked.png" at 760 250)"
# (A face's anti-aliased edge may hold a few pixels of that colour; a box holds thousands.)
[ "$($PNG "$WORK/thanked.png" count $BOX)" -lt 200 ] || fail "answer boxes on the thank-you"
[ "$($PNG "$WORK/not-asked.png" count $BOX)" -lt 200 ] || fail "a question after a positive rating with no positive answers"
echo "ok: answered: the thank-you; an empty list: no question"

# --- the answers in tallyctl stats and export ------------------------------------
"$BIN/tallyctl" --config "$WORK/t.conf" stats >"$WORK/stats.txt" || fail "tallyctl stats failed"
grep -q '^top reasons      2 answered' "$WORK/stats.txt" || { cat "$WORK/stats.txt"; fail "stats: no top reasons"; }
grep -q '^        1  negative Staff$' "$WORK/stats.txt" || { cat "$WORK/stats.txt"; fail "stats: Staff"; }
"$BIN/tallyctl" --config "$WORK/t.conf" --json stats | python3 -c '
import json, sys
r = json.load(sys.stdin)["reasons"]
assert r["answered"] == 2 and r["misuse_answered"] == 0, r
assert sorted((x["reason"], x["after"], x["count"]) for x in r["top"]) == [("Staff", "negative", 1), ("Waiting time", "negative", 1)], r
' || fail "stats --json: reasons"
echo "ok: tallyctl stats lists the top reasons"
"$BIN/tallyctl" --config "$WORK/t.conf" export >"$WORK/export.csv" || fail "tallyctl export failed"
head -n 1 "$WORK/export.csv" | tr -d '\r' | grep -q ',shift,reason$' || fail "export: no reason column"
expect_eq "export: the reason column" "Staff||Waiting time" "$(tail -n +2 "$WORK/export.csv" | tr -d '\r' | awk -F, '{ print $NF }' | paste -sd '|')"
"$BIN/tallyctl" --config "$WORK/t.conf" export --format json | python3 -c '
import json, sys
assert [r["reason"] for r in json.load(sys.stdin)] == ["Staff", None, "Waiting time"]
' || fail "export --format json: reason"
echo "ok: tallyctl export has the reason"

# --- no answer in time: the rating stands alone, thanked all the same -----------
sed "s#t.db#late.db#; s#followup_s = 60#followup_s = 2#" "$WORK/t.conf" >"$WORK/late.conf"
cat >"$WORK/late.in" <<IN
key 4
wait 2800
screenshot $WORK/late.png
wait 800
quit
IN
run_kiosk "$WORK/late.conf" "$WORK/late.in" "$WORK/late.log"
expect_eq "the rating without an answer" "0|" "$(sql "$WORK/late.db" 'select value, reason from ratings')"
grep -q 'rating 1: no answer within 2 s; the rating stands alone' "$WORK/late.log" ||
	{ cat "$WORK/late.log"; fail "no timeout line"; }
[ "$($PNG "$WORK/late.png" count $BOX)" -lt 200 ] || fail "the question is still there after followup_s"
echo "ok: no answer in time"

# --- buttons: the answers drawn above the buttons that choose them --------------
EDGES="$WORK/edges"
mkfifo "$EDGES"
{
	printf '[kiosk]\ndatabase = %s/b.db\n[screen]\nthanks_s = 0.5\nfollowup_s = 60\n' "$WORK"
	printf '[filter]\nresponse_interval_s = 0\n[text]\nfollowup_negative = Waiting time, Staff\n'
	printf 'followup_positive = Friendly, Quick, Helpful, Clean\n'
	for i in 1 2 3 4; do printf '[button.%d]\nchip = sim:%s\nline = %d\n' "$i" "$EDGES" $((i + 10)); done
} >"$WORK/b.conf"
# Two answers on four buttons: over buttons 2 and 3, centred; columns 1 and 4 stay empty.
"$BIN/tally-kiosk" --config "$WORK/b.conf" --screenshot "$WORK/b-question.png" --screen question ||
	fail "no screenshot of the question"
expect_eq "nothing above button 1" "$BG" "$($PNG "$WORK/b-question.png" at 39 200)"
expect_eq "an answer above button 2" "$BOX" "$($PNG "$WORK/b-question.png" at 229 200)"
expect_eq "an answer above button 3" "$BOX" "$($PNG "$WORK/b-question.png" at 419 200)"
expect_eq "nothing above button 4" "$BG" "$($PNG "$WORK/b-question.png" at 609 200)"

"$BIN/tally-kiosk" --config "$WORK/b.conf" --windowed 800x480 -v 2>"$WORK/b.log" &
KIOSK=$!
trap 'kill -9 $KIOSK 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
exec 3>"$EDGES" # held open: the kiosk never sees the end of the FIFO between presses
press() { # BUTTON
	_t=$(($(date +%s%N) / 1000))
	printf '%s 1 %s\n%s 0 %s\n' $(($1 + 10)) "$_t" $(($1 + 10)) $((_t + 150000)) >&3
}
logged() { # COUNT TEXT: the log has TEXT at least COUNT times
	[ "$(grep -c "$2" "$WORK/b.log" 2>/dev/null || true)" -ge "$1" ]
}
wait_until 60 'grep -q "store: .* open" "$WORK/b.log"' || { cat "$WORK/b.log"; fail "kiosk did not start"; }
press 4 # the worst face: the question with its two answers
wait_until 60 'logged 1 "rating 1: follow-up question asked"' || { cat "$WORK/b.log"; fail "no question after the rating"; }
press 1 # no answer above button 1: nothing
wait_until 60 'logged 1 "button 1: no answer above it; not a rating either"' || { cat "$WORK/b.log"; fail "button 1"; }
press 4 # nor above button 4: and never a new rating
wait_until 60 'logged 1 "button 4: no answer above it"' || { cat "$WORK/b.log"; fail "button 4"; }
expect_eq "a press during the question is no rating" "1" "$(sql "$WORK/b.db" 'select count(*) from ratings')"
press 3 # "Staff", drawn above button 3
wait_until 60 '[ "$(sql "$WORK/b.db" "select reason from ratings where seq = 1")" = Staff ]' ||
	{ cat "$WORK/b.log"; fail "button 3 did not answer Staff"; }
echo "ok: button 3 answers the answer drawn above it"
grep -q 'rating 1: answer 2 "Staff" by button' "$WORK/b.log" || { cat "$WORK/b.log"; fail "no log line for the answer"; }
# A positive rating (four answers, one above each button); kill -9 while it is asked.
press 1
wait_until 60 'logged 1 "rating 2: follow-up question asked"' || { cat "$WORK/b.log"; fail "no question after rating 2"; }
kill -9 $KIOSK
wait $KIOSK 2>/dev/null || true
exec 3>&-
expect_eq "after kill -9 during the question the rating is there" "2|3|" \
	"$(sql "$WORK/b.db" 'select seq, value, reason from ratings where seq = 2')"
expect_eq "and the database is whole" "ok" "$(sql "$WORK/b.db" 'pragma integrity_check')"
expect_eq "the answer given before is kept" "Staff" "$(sql "$WORK/b.db" 'select reason from ratings where seq = 1')"

# --- a press begun on the faces and released during the question answers nothing ---
rm -f "$EDGES"
mkfifo "$EDGES"
sed "s#/b.db#/h.db#; s#thanks_s = 0.5#thanks_s = 0.5\nhighlight_s = 2#" "$WORK/b.conf" >"$WORK/h.conf"
"$BIN/tally-kiosk" --config "$WORK/h.conf" --windowed 800x480 -v 2>"$WORK/h.log" &
KIOSK=$!
exec 3>"$EDGES"
wait_until 60 'grep -q "store: .* open" "$WORK/h.log"' || { cat "$WORK/h.log"; fail "kiosk did not start"; }
# Button 4 rates; button 2 goes down while the rated face is still lit (highlight_s = 2).
_t=$(($(date +%s%N) / 1000))
printf '14 1 %s\n14 0 %s\n12 1 %s\n' "$_t" $((_t + 150000)) $((_t + 300000)) >&3
wait_until 60 'grep -q "rating 1: follow-up question asked" "$WORK/h.log"' || { cat "$WORK/h.log"; fail "no question"; }
_t=$(($(date +%s%N) / 1000))
printf '12 0 %s\n' "$_t" >&3 # released while the question shows: the answer "Waiting time" is above it
wait_until 60 'grep -q "button 2: pressed before the question showed; neither a rating nor an answer" "$WORK/h.log"' ||
	{ cat "$WORK/h.log"; fail "a press begun before the question answered it"; }
kill $KIOSK
wait $KIOSK || { cat "$WORK/h.log"; fail "kiosk exited with an error"; }
exec 3>&-
expect_eq "no answer and no second rating from it" "1|" "$(sql "$WORK/h.db" 'select count(*), max(reason) from ratings')"
