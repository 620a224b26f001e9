# tallyctl check-config: every problem, one "file:line:" line each, exit 1;
# a good file says ok, exit 0; usage errors exit 2.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/ctl_lib.inc"

ctl_config "$WORK/good.conf" "$WORK/k.db"
expect_rc "good config" 0 "$CTL" check-config "$WORK/good.conf"
expect_eq "good config says ok" "$WORK/good.conf: ok" "$(cat "$WORK/out")"
expect_rc "good config via --config" 0 "$CTL" --config "$WORK/good.conf" check-config

cat >"$WORK/bad.conf" <<'EOF2'
[kiosk]
id = k1
timezone = Europe/Atlantis
colour = blue
[screen]
faces = 9
rotate = 45
[nonsense]
EOF2
B="$WORK/bad.conf"
expect_rc "bad config" 1 "$CTL" check-config "$B"
cat >"$WORK/want" <<EOF2
$B:3: timezone: unknown time zone "Europe/Atlantis" (not in the tz database)
$B:4: unknown key "colour" in [kiosk]
$B:6: faces must be a whole number from 3 to 5, not "9"
$B:7: rotate must be 0, 90, 180 or 270, not "45"
$B:8: unknown section [nonsense]
5 problems in $B
EOF2
expect_file "every problem, one line each, file:line:" "$WORK/want" "$WORK/out"

expect_rc "bad config json" 1 "$CTL" --json check-config "$B"
expect_eq "json ok/count" '[false,5]' "$(jq -c '[.ok,.count]' "$WORK/out")"
expect_eq "json lines" '[3,4,6,7,8]' "$(jq -c '[.problems[].line]' "$WORK/out")"
expect_eq "json message" '"unknown key \"colour\" in [kiosk]"' "$(jq -c '.problems[1].message' "$WORK/out")"

printf '[kiosk]\ntimezone = /etc/localtime\n' >"$WORK/path.conf"
expect_rc "a path is not a zone name" 1 "$CTL" check-config "$WORK/path.conf"
grep -q ':2: timezone: "/etc/localtime" is not an IANA time zone name' "$WORK/out" || fail "path zone: message"

expect_rc "missing file" 1 "$CTL" check-config "$WORK/nope.conf"
grep -q "nope.conf:0: cannot open" "$WORK/out" || fail "missing file: message"
expect_rc "no file given" 2 "$CTL" check-config
expect_rc "two files" 2 "$CTL" check-config "$B" "$B"
expect_rc "no command" 2 "$CTL"
expect_rc "unknown command" 2 "$CTL" frobnicate
expect_rc "help" 0 "$CTL" --help
grep -q '^exit codes: 0 ok, 1 problem found or failed, 2 usage' "$WORK/out" || fail "help lists exit codes"
expect_rc "version" 0 "$CTL" --version
grep -q '^tallyctl [0-9]' "$WORK/out" || fail "version"

# [shifts]: an overlap is a problem with its line; a gap is a note, still ok.
printf '[kiosk]\nstore = A\n[shifts]\nEarly = Mon-Fri 06:00-14:00\nLate = Mon-Fri 13:00-22:00\n2026-12-24 = Noon 11:00-12:00\n' >"$WORK/overlap.conf"
expect_rc "overlapping shifts" 1 "$CTL" check-config "$WORK/overlap.conf"
grep -q 'overlap.conf:5: shift "Late" overlaps "Early" on Mon' "$WORK/out" || fail "overlap: message"
grep -q 'overlap.conf:6: 2026-12-24 names shift "Noon"' "$WORK/out" || fail "dated unknown shift: message"
printf '[shifts]\nEarly = Mon-Fri 06:00-14:00\nLate = Mon-Fri 14:30-22:00\n[hours]\nsat = 09:00-12:00\n2026-12-24 = 08:00-14:00\n' >"$WORK/gap.conf"
expect_rc "a gap is only noted" 0 "$CTL" check-config "$WORK/gap.conf"
grep -q 'gap.conf:2: note: on Mon no shift runs from 14:00 to 14:30' "$WORK/out" || fail "gap: note"
grep -q 'note: on Sat the store is open from 09:00 to 12:00 with no shift' "$WORK/out" || fail "open hours without shift: note"
grep -q 'gap.conf: ok' "$WORK/out" || fail "gap: still ok"
expect_rc "notes in json" 0 "$CTL" --json check-config "$WORK/gap.conf"
[ "$(jq '[.ok, (.notes | length > 0), .count]' -c "$WORK/out")" = '[true,true,0]' ] || fail "json notes: $(cat "$WORK/out")"
echo "ok: shift overlaps refused, gaps noted"
