# SPDX-License-Identifier: Apache-2.0
# tallyctl export: CSV (the default, in the schema head office's export
# shares: the face's label beside its number, RFC 3339 times, CRLF) and JSON
# to stdout, exactly; --since/--until by the
# store's local days and by ISO times; misuse left out unless asked; exit codes.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/ctl_lib.inc"

DB="$WORK/kiosk.db"
ctl_make_store "$DB"
ctl_fill_store "$DB"
ctl_config "$WORK/k.conf" "$DB"
C="--config $WORK/k.conf"
# A schema-3 store (from before install ids): the id is empty, nothing corrected by head office.
I=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'install_id'" 2>/dev/null || true)

H='kiosk,install_id,store,area,seq,time,time_basis,value,label,scale,source,flags,wall_time,boot_ms,boot_id,clock_synced,corrected_time,corrected_by,corrected_err_ms,at_head_office,received_time,shift,reason'
R1='k1,'"$I"',Berlin Mitte,Counter,1,2026-03-10T10:30:00.000+01:00,synced,3,very positive,4,button,,2026-03-10T10:30:00.000+01:00,1000,b0,1,,,,1,,,'
R2='k1,'"$I"',Berlin Mitte,Counter,2,2026-03-10T10:30:02.000+01:00,synced,0,very negative,4,button,misuse,2026-03-10T10:30:02.000+01:00,3000,b0,1,,,,1,,,'
R3='k1,'"$I"',Berlin Mitte,Counter,3,2026-03-10T21:15:00.000+01:00,synced,2,positive,4,button,closed,2026-03-10T21:15:00.000+01:00,5000,b0,1,,,,0,,,'
R4='k1,'"$I"',Berlin Mitte,Counter,4,2026-03-10T14:10:00.000+01:00,corrected,1,negative,4,touch,,2026-03-08T13:00:00.000+01:00,7000,b1,0,2026-03-10T14:10:00.000+01:00,kiosk,,0,,,'
R5='k1,'"$I"',Berlin Mitte,Counter,5,,unknown,3,very positive,4,key,,2026-03-10T23:59:59.999+01:00,9000,"b,""q""",0,,,,0,,,'
R6='k1,'"$I"',Berlin Mitte,Counter,6,2026-03-11T00:00:00.000+01:00,synced,2,positive,4,button,,2026-03-11T00:00:00.000+01:00,11000,b2,1,,,,0,,,'
R7='k1,'"$I"',Berlin Mitte,Counter,7,2026-03-03T11:00:00.000+01:00,synced,0,very negative,4,button,,2026-03-03T11:00:00.000+01:00,13000,b2,1,,,,1,,,'
R8='k1,'"$I"',Berlin Mitte,Counter,8,2026-03-09T10:00:00.000+01:00,synced,3,very positive,4,button,,2026-03-09T10:00:00.000+01:00,15000,b2,1,,,,1,,,'

expect_rc "csv, all but misuse" 0 "$CTL" $C export --format csv
printf '%s\r\n' "$H" "$R1" "$R3" "$R4" "$R5" "$R6" "$R7" "$R8" >"$WORK/want"
expect_file "csv: every column, RFC 4180 quoting, flags as words, best time" "$WORK/want" "$WORK/out"

expect_rc "csv with misuse" 0 "$CTL" $C export --format csv --include-misuse
printf '%s\r\n' "$H" "$R1" "$R2" "$R3" "$R4" "$R5" "$R6" "$R7" "$R8" >"$WORK/want"
expect_file "csv --include-misuse" "$WORK/want" "$WORK/out"

# One local day: the corrected rating of the 8th belongs to the 10th, the
# unknown-time one at 23:59:59.999 too, midnight's belongs to the 11th.
expect_rc "csv, one day" 0 "$CTL" $C export --format csv --since 2026-03-10 --until 2026-03-10 --include-misuse
printf '%s\r\n' "$H" "$R1" "$R2" "$R3" "$R4" "$R5" >"$WORK/want"
expect_file "csv --since DAY --until DAY (local day, DST-aware)" "$WORK/want" "$WORK/out"

expect_rc "csv, ISO times" 0 "$CTL" $C export --format csv --since 2026-03-10T14:00 --until 2026-03-10T21:15:00+01:00
printf '%s\r\n' "$H" "$R4" >"$WORK/want"
expect_file "csv --since local ISO --until ISO with offset (exclusive)" "$WORK/want" "$WORK/out"

expect_rc "csv, ISO Z" 0 "$CTL" $C export --format csv --since 2026-03-10T22:59:59.999Z
printf '%s\r\n' "$H" "$R5" "$R6" >"$WORK/want"
expect_file "csv --since ISO Z with milliseconds" "$WORK/want" "$WORK/out"

expect_rc "json" 0 "$CTL" $C export --format json --since 2026-03-10T21:00 --until 2026-03-11
cat >"$WORK/want" <<'JSON'
[
{"seq":3,"kiosk_id":"k1","value":2,"label":"positive","scale":4,"source":"button","wall_ms":1773173700000,"wall_time":"2026-03-10T21:15:00.000+01:00","boot_ms":5000,"boot_id":"b0","clock_synced":true,"corrected_ms":null,"acked":false,"flags":2,"flag_names":["closed"],"time_basis":"synced","best_ms":1773173700000,"best_time":"2026-03-10T21:15:00.000+01:00","corrected_by":null,"install_id":"@I@","shift":null,"reason":null},
{"seq":5,"kiosk_id":"k1","value":3,"label":"very positive","scale":4,"source":"key","wall_ms":1773183599999,"wall_time":"2026-03-10T23:59:59.999+01:00","boot_ms":9000,"boot_id":"b,\"q\"","clock_synced":false,"corrected_ms":null,"acked":false,"flags":0,"flag_names":[],"time_basis":"unknown","best_ms":null,"best_time":null,"corrected_by":null,"install_id":"@I@","shift":null,"reason":null},
{"seq":6,"kiosk_id":"k1","value":2,"label":"positive","scale":4,"source":"button","wall_ms":1773183600000,"wall_time":"2026-03-11T00:00:00.000+01:00","boot_ms":11000,"boot_id":"b2","clock_synced":true,"corrected_ms":null,"acked":false,"flags":0,"flag_names":[],"time_basis":"synced","best_ms":1773183600000,"best_time":"2026-03-11T00:00:00.000+01:00","corrected_by":null,"install_id":"@I@","shift":null,"reason":null}
]
JSON
sed -i "s/@I@/$I/g" "$WORK/want"
expect_file "json: one object per rating, nulls for unknown" "$WORK/want" "$WORK/out"
expect_eq "json parses" 3 "$(jq length "$WORK/out")"

expect_rc "json, --json picks the format" 0 "$CTL" $C --json export --since 2027-01-01
expect_eq "json, nothing in range" "[]" "$(cat "$WORK/out")"

expect_rc "all rows parse as json" 0 "$CTL" $C export --format json --include-misuse
expect_eq "json row count" 8 "$(jq length "$WORK/out")"
expect_eq "json misuse flag names" '["misuse"]' "$(jq -c '.[1].flag_names' "$WORK/out")"

# With [shifts]: each rating's shift by its best time (the corrected one
# moves to the Late shift; unknown time and midnight are in none).
ctl_config "$WORK/shifts.conf" "$DB"
printf '[shifts]\nEarly = Mon-Fri 06:00-14:00\nLate = Mon-Fri 14:00-22:00\n' >>"$WORK/shifts.conf"
expect_rc "csv with shifts" 0 "$CTL" --config "$WORK/shifts.conf" export --format csv --include-misuse
expect_eq "shift column" "shift Early Early Late Late   Early Early" \
	"$(awk -F, '{ sub(/\r$/, "") } NR == 1 { printf "%s", $(NF - 1); next } { printf " %s", $(NF - 1) }' "$WORK/out")"
expect_rc "json with shifts" 0 "$CTL" --config "$WORK/shifts.conf" export --format json --include-misuse
expect_eq "json shift" '["Early","Early","Late","Late",null,null,"Early","Early"]' "$(jq -c '[.[].shift]' "$WORK/out")"

# Usage errors: exit 2, nothing on stdout.
expect_rc "no --format: CSV" 0 "$CTL" $C export
printf '%s\r\n' "$H" "$R1" "$R3" "$R4" "$R5" "$R6" "$R7" "$R8" >"$WORK/want"
expect_file "CSV is the default format" "$WORK/want" "$WORK/out"
expect_rc "bad --format" 2 "$CTL" $C export --format xml
expect_rc "bad --since" 2 "$CTL" $C export --format csv --since 2026-02-30
grep -q 'is not a date' "$WORK/err" || fail "bad --since: message"
expect_rc "bad --until" 2 "$CTL" $C export --format csv --until yesterday
expect_rc "unknown option" 2 "$CTL" $C export --format csv --frobnicate
expect_eq "usage error prints nothing on stdout" "" "$(cat "$WORK/out")"

# Read-only: a missing store is not created; a read-only file is still exported.
ctl_config "$WORK/missing.conf" "$WORK/nope.db"
expect_rc "missing store" 1 "$CTL" --config "$WORK/missing.conf" export --format csv
grep -q 'no database here' "$WORK/err" || fail "missing store: message"
[ ! -e "$WORK/nope.db" ] || fail "export created a store"
sum=$(cat "$DB" "$DB-wal" 2>/dev/null | cksum)
chmod 0444 "$DB"
expect_rc "read-only store" 0 "$CTL" $C export --format csv
expect_eq "export wrote nothing to the store" "$sum" "$(cat "$DB" "$DB-wal" 2>/dev/null | cksum)"
chmod 0644 "$DB"

# A config with problems is refused, with file:line.
printf '[kiosk]\ntimezone = Mars/Olympus\n' >"$WORK/bad.conf"
expect_rc "bad config" 1 "$CTL" --config "$WORK/bad.conf" export --format csv
grep -q "bad.conf:2: timezone" "$WORK/err" || fail "bad config: file:line"
