# SPDX-License-Identifier: Apache-2.0
# tallyctl stats: a day's figures as the staff view shows them, in text and
# JSON, from a real store; DST days; exit codes.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/ctl_lib.inc"

DB="$WORK/kiosk.db"
ctl_make_store "$DB"
ctl_fill_store "$DB"
ctl_config "$WORK/k.conf" "$DB"
C="--config $WORK/k.conf"

expect_rc "stats text" 0 "$CTL" $C stats --day 2026-03-10
cat >"$WORK/want" <<'TXT'
Tuesday 2026-03-10, Berlin Mitte / Counter (Europe/Berlin)
67% positive on 2026-03-10 — 67 points above last Tuesday.

ratings          3  (not counted: 1 misuse, 1 closed)
% positive       67%
Happy Index      77.8
faces            best 2 0 1 0 worst
times            1 corrected, 1 unknown (counted, in no hour)

                   ratings  % positive  Happy Index   this day against it
  this day               3         67%         77.8
  day before             1        100%        100.0   -33 points
  last Tuesday           1          0%          0.0   +67 points

hour  ratings
10          1  ########################################
11          0
12          0
13          0
14          1  ########################################
TXT
expect_file "stats text: counts, scores, comparisons, hours" "$WORK/want" "$WORK/out"

expect_rc "stats json" 0 "$CTL" $C --json stats --day 2026-03-10
j() { jq -c "$1" "$WORK/out"; }
expect_eq "json counts worst first" "[0,1,0,2]" "$(j .day.counts)"
expect_eq "json total" 3 "$(j .day.total)"
expect_eq "json misuse apart" 1 "$(j .day.misuse)"
expect_eq "json closed apart" 1 "$(j .day.closed)"
expect_eq "json time corrected/unknown" "[1,1]" "$(j '[.day.time_corrected,.day.time_unknown]')"
expect_eq "json happy index" 77.78 "$(j .day.happy_index)"
expect_eq "json % positive" 66.67 "$(j .day.positive_pct)"
expect_eq "json hours 10 and 14" "[1,1]" "$(j '[.day.hourly[10],.day.hourly[14]]')"
expect_eq "json hourly leaves the unknown time out" 2 "$(j '.day.hourly|add')"
expect_eq "json day bounds" '["2026-03-10T00:00:00.000+01:00","2026-03-11T00:00:00.000+01:00"]' "$(j '[.day.start,.day.end]')"
expect_eq "json yesterday" '["2026-03-09",1,100]' "$(j '[.yesterday.date,.yesterday.total,.yesterday.positive_pct]')"
expect_eq "json last week" '["2026-03-03","Tuesday",0]' "$(j '[.last_week.date,.last_week.weekday,.last_week.positive_pct]')"
expect_eq "json vs last week" '[true,66.67,77.78]' "$(j '[.vs_last_week.comparable,.vs_last_week.positive_points,.vs_last_week.happy_points]')"
expect_eq "json vs yesterday" '-33.33' "$(j .vs_yesterday.positive_points)"
expect_eq "json summary" '"67% positive on 2026-03-10 — 67 points above last Tuesday."' "$(j .summary)"

# An empty day: no scores (null, not zero), no comparison.
expect_rc "empty day" 0 "$CTL" $C --json stats --day 2026-01-05
expect_eq "empty day: no scores" '[0,null,null,false]' "$(j '[.day.total,.day.happy_index,.day.positive_pct,.vs_yesterday.comparable]')"
expect_eq "empty day: sentence" '"No ratings yet on 2026-01-05."' "$(j .summary)"

# DST: the spring-forward day has 23 hours, the fall-back day 25.
sqlite3 "$DB" "INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced)
 VALUES ('k1', 3, 4, 'button', 1774746000000, 1, 'b', 1),  -- 2026-03-29 01:00Z = 03:00 CEST
        ('k1', 3, 4, 'button', 1792888200000, 1, 'b', 1),  -- 2026-10-25 00:30Z = 02:30 CEST
        ('k1', 0, 4, 'button', 1792891800000, 1, 'b', 1);  -- 2026-10-25 01:30Z = 02:30 CET"
expect_rc "spring forward" 0 "$CTL" $C --json stats --day 2026-03-29
expect_eq "spring forward: 23 hours, 03:00 CEST in hour 3" '[23,1,"2026-03-29T00:00:00.000+01:00","2026-03-30T00:00:00.000+02:00"]' \
	"$(j '[.day.hours_in_day,.day.hourly[3],.day.start,.day.end]')"
expect_rc "fall back" 0 "$CTL" $C --json stats --day 2026-10-25
expect_eq "fall back: 25 hours, both 02:30s in hour 2" '[25,2]' "$(j '[.day.hours_in_day,.day.hourly[2]]')"
expect_rc "fall back text" 0 "$CTL" $C stats --day 2026-10-25
head -n 1 "$WORK/out" | grep -q 'a 25-hour day' || fail "fall back text: says 25 hours"

expect_rc "bad --day" 2 "$CTL" $C stats --day 2026-13-01
expect_rc "unknown option" 2 "$CTL" $C stats --week
ctl_config "$WORK/missing.conf" "$WORK/nope.db"
expect_rc "missing store" 1 "$CTL" --config "$WORK/missing.conf" stats --day 2026-03-10
[ ! -e "$WORK/nope.db" ] || fail "stats created a store"
sqlite3 "$WORK/old.db" "CREATE TABLE ratings (seq INTEGER PRIMARY KEY); PRAGMA user_version = 2;"
ctl_config "$WORK/old.conf" "$WORK/old.db"
expect_rc "old schema" 1 "$CTL" --config "$WORK/old.conf" stats --day 2026-03-10
grep -q 'schema version 2 is older than 3' "$WORK/err" || fail "old schema: message"

# --by shift: the fixture's Tuesday in two shifts. The corrected rating
# (really 14:10) is the Late shift's; the unknown-time one is in none.
ctl_config "$WORK/shifts.conf" "$DB"
printf '[shifts]\nEarly = Mon-Fri 06:00-14:00\nLate = Mon-Fri 14:00-22:00\n[staff]\nshift_min_ratings = 1\n' >>"$WORK/shifts.conf"
S="--config $WORK/shifts.conf"
expect_rc "by shift, json" 0 "$CTL" $S --json stats --by shift --day 2026-03-10
expect_eq "two shifts, in order" '["Early","Late"]' "$(j '[.shifts[].name]')"
expect_eq "Early: counts, misuse apart, 100%" '[1,1,100,[0,0,0,1]]' \
	"$(j '.shifts[0].figures | [.total,.misuse,.positive_pct,.counts]')"
expect_eq "Early: local bounds" '["06:00","14:00","2026-03-10T06:00:00.000+01:00"]' "$(j '.shifts[0] | [.from,.to,.start]')"
expect_eq "Early: last week, four-week average over 20 shifts" '[1,0,2,50,20]' \
	"$(j '.shifts[0] | [.last_week.total,.last_week.positive_pct,.four_week_average.total,.four_week_average.positive_pct,.four_week_average.shifts]')"
expect_eq "Late: the corrected rating, closed apart" '[1,1,1,0]' \
	"$(j '.shifts[1].figures | [.total,.time_corrected,.closed,.positive_pct]')"
expect_eq "unknown time counted apart" '[0,1]' "$(j '[.no_shift,.time_unknown]')"
expect_eq "Early's sentence" '"Early shift: 100% positive, Happy Index 100, 50 points above its four-week average"' \
	"$(j '.shifts[0].sentence')"
expect_rc "by shift, text" 0 "$CTL" $S stats --by shift --day 2026-03-10
grep -q '^Early        06:00-14:00       1        100%        100.0  0% (+100)    50% (+50)' "$WORK/out" ||
	fail "by shift text: Early's row: $(cat "$WORK/out")"
grep -q 'whose time is unknown' "$WORK/out" || fail "by shift text: says the unknown time"
expect_rc "by shift without [shifts]" 1 "$CTL" $C stats --by shift --day 2026-03-10
grep -q 'no shifts configured' "$WORK/err" || fail "by shift without shifts: message"
expect_rc "bad --by" 2 "$CTL" $C stats --by week
