# "Done means" for shifts: a store configures two shifts, and after a day of
# ratings each team sees its own figures on the kiosk (the end-of-shift
# screen, as the running kiosk logs its sentence), on the wall display, in
# `tallyctl stats --by shift` and at head office (GET /api/v1/summary
# ?by=shift, after a real tally-sync), all agreeing.
. "$(dirname "$0")/sync_lib.inc"
CTL=${TALLY_CTL:-$B/asan/tallyctl}
K=${TALLY_KIOSK:-$B/asan/tally-kiosk}
export SDL_VIDEODRIVER=offscreen
DAY=2025-06-17 # a Tuesday

HQ_DB="$T/hq.db"
HQ_PORT=$(free_port)
TOKEN=$("$HQ" --db "$HQ_DB" kiosk add --id demo-kiosk --store "Harbour Street" --area Counter --tz Europe/Berlin \
	2>"$T/hq-add.log" | sed -n 's/^token[: =]*//p' | head -n 1)
[ -n "$TOKEN" ] || fail "tally-hq kiosk add printed no token"
hq_start

# A day of ratings (and four weeks before it), none sent yet.
KDB="$T/kiosk.db"
python3 "$ROOT/scripts/demo_data.py" "$K" "$KDB" 4 "$DAY 20:00" --history 28
sqlite3 "$KDB" "UPDATE ratings SET acked = 0"
cat >"$T/kiosk.ini" <<INI
[kiosk]
id = demo-kiosk
store = Harbour Street
timezone = Europe/Berlin
database = $KDB
[screen]
faces = 4
[sync]
url = http://127.0.0.1:$HQ_PORT
token = $TOKEN
summary_every_s = 0
[shifts]
Early = Mon-Sat 08:00-14:00
Late = Mon-Sat 14:00-20:00
INI
sed 's/^\[kiosk\]$/[kiosk]\nmode = display/' "$T/kiosk.ini" >"$T/display.ini"

# The kiosk at the end of each shift, and the wall display at the end of the day.
printf 'wait 2500\nquit\n' >"$T/in"
for at in "14:00" "20:00"; do
	"$K" --config "$T/kiosk.ini" --windowed 800x480 --script "$T/in" --now "$DAY $at" -v 2>"$T/kiosk-$at.log" ||
		fail "kiosk exited with an error"
done
"$K" --config "$T/display.ini" --windowed 800x480 --script "$T/in" --now "$DAY 20:00" -v 2>"$T/display.log" ||
	fail "wall display exited with an error"
"$K" --config "$T/kiosk.ini" --now "$DAY 16:40" --screenshot "$T/staff.png" --screen staff ||
	fail "staff view screenshot"
[ -s "$T/staff.png" ] || fail "no staff view picture"
shown() { sed -n 's/.*shift end: shown: \(.*\) ([0-9]* ratings)$/\1/p' "$1"; }

"$CTL" --config "$T/kiosk.ini" --json stats --by shift --day "$DAY" >"$T/ctl.json" || fail "tallyctl stats --by shift"
j() { jq -r "$1" "$T/ctl.json"; }
[ "$(j '[.shifts[].name] | join(",")')" = "Early,Late" ] || fail "tallyctl: shifts $(j '[.shifts[].name]')"
early=$(j '.shifts[0].sentence') late=$(j '.shifts[1].sentence')
echo "# tallyctl: $early / $late"
[ "$(shown "$T/kiosk-14:00.log")" = "$early" ] || fail "kiosk at 14:00 said [$(shown "$T/kiosk-14:00.log")], tallyctl [$early]"
echo "ok: the Early team's figures on the kiosk agree with tallyctl"
[ "$(shown "$T/kiosk-20:00.log")" = "$late" ] || fail "kiosk at 20:00 said [$(shown "$T/kiosk-20:00.log")], tallyctl [$late]"
echo "ok: the Late team's figures on the kiosk agree with tallyctl"
[ "$(shown "$T/display.log")" = "$late" ] || fail "wall display said [$(shown "$T/display.log")], tallyctl [$late]"
echo "ok: the wall display agrees"
"$CTL" --config "$T/kiosk.ini" stats --by shift --day "$DAY" >"$T/ctl.txt" || fail "tallyctl stats --by shift (text)"
grep -q "^$early\$" "$T/ctl.txt" || fail "the text report lacks the Early sentence"

# Head office, after a real tally-sync: the same figures per shift.
"$CTL" --config "$T/kiosk.ini" sync >"$T/sync.out" 2>&1 || { cat "$T/sync.out"; fail "tallyctl sync"; }
[ "$(kiosk_count 'acked = 0')" = 0 ] || fail "ratings left unsent"
[ "$(sqlite3 "$HQ_DB" "SELECT count(*) FROM kiosk_shifts WHERE kiosk_id = 'demo-kiosk'")" = 1 ] ||
	fail "head office holds no shift schedule for the kiosk"
curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HQ_PORT/api/v1/summary?day=$DAY&by=shift" >"$T/hq.json" ||
	fail "summary by shift"
h() { jq -r "$1" "$T/hq.json"; }
for i in 0 1; do
	name=$(j ".shifts[$i].name")
	[ "$(h ".shifts.kiosk.shifts[$i].shift")" = "$name" ] || fail "head office shift $i is $(h ".shifts.kiosk.shifts[$i].shift")"
	for f in total misuse closed; do
		[ "$(h ".shifts.kiosk.shifts[$i].figures.$f")" = "$(j ".shifts[$i].figures.$f")" ] ||
			fail "$name $f: head office $(h ".shifts.kiosk.shifts[$i].figures.$f"), tallyctl $(j ".shifts[$i].figures.$f")"
	done
	[ "$(h ".shifts.kiosk.shifts[$i].figures.counts | join(\",\")")" = "$(j ".shifts[$i].figures.counts | join(\",\")")" ] ||
		fail "$name counts differ"
	# the screens' whole numbers: head office sends one decimal, tallyctl two
	for f in positive_pct happy_index; do
		a=$(h ".shifts.kiosk.shifts[$i].figures.$f | . + 0.5 | floor") b=$(j ".shifts[$i].figures.$f | . + 0.5 | floor")
		[ "$a" = "$b" ] || fail "$name $f: head office $a, tallyctl $b"
	done
	echo "ok: head office agrees on the $name shift ($(j ".shifts[$i].figures.total") ratings)"
done
[ "$(h '.shifts.store.shifts[0].kiosks')" = 1 ] || fail "store grouping by shift"
