# SPDX-License-Identifier: Apache-2.0
# One command-line convention in all four programs (getopt_long): -h/--help
# and -V/--version exit 0 on stdout, "--opt=value" is "--opt value", an
# unknown option is one line and exit 2; every option --help lists is in
# the program's man page, and `make` built the man pages.
. "$(dirname "$0")/lib.inc"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(cat "$ROOT/VERSION")

printf '[screen]\nfaces = 9\n' >"$WORK/bad.conf"
for p in tally-kiosk:1 tally-sync:8 tally-hq:8 tallyctl:8; do
	prog=${p%%:*} section=${p##*:}
	for h in --help -h; do
		"$BIN/$prog" $h >"$WORK/help" 2>"$WORK/err" || fail "$prog $h exited $?"
		grep -q "^usage: $prog" "$WORK/help" || fail "$prog $h: no usage on stdout"
		[ ! -s "$WORK/err" ] || fail "$prog $h wrote to stderr"
	done
	for v in --version -V; do
		"$BIN/$prog" $v >"$WORK/version" || fail "$prog $v exited $?"
		expect_eq "$prog $v" "$prog $VERSION" "$(head -n 1 "$WORK/version")"
	done
	set +e
	"$BIN/$prog" --frobnicate >"$WORK/out" 2>"$WORK/err"
	rc=$?
	set -e
	expect_eq "$prog: an unknown option exits 2" 2 "$rc"
	grep -q -- '--frobnicate' "$WORK/err" || fail "$prog: the unknown option is not named"
	grep -q -- "$prog --help" "$WORK/err" || fail "$prog: no pointer to --help"

	# Every long option of --help is in the man page's source, and make built the page.
	page="$ROOT/man/$prog.$section.scd"
	[ -s "$TALLY_BUILD/man/$prog.$section" ] || fail "make did not build $TALLY_BUILD/man/$prog.$section"
	for opt in $(grep -o -- '--[a-z][a-z-]*' "$WORK/help" | sort -u); do
		grep -q -- "\*$opt\*" "$page" || fail "$prog: $opt is in --help but not in $prog($section)"
	done
	echo "ok: $prog: every --help option is in $prog($section)"
done

# --opt=value is --opt value: a bad config is refused the same both ways.
for prog in tally-kiosk tally-sync tally-hq; do
	set +e
	"$BIN/$prog" --config="$WORK/bad.conf" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	set -e
	expect_eq "$prog --config=FILE read" "2 $WORK/bad.conf:2: faces must be a whole number from 3 to 5, not \"9\"" \
		"$rc $(head -n 1 "$WORK/err")"
	set +e
	"$BIN/$prog" -c "$WORK/bad.conf" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	set -e
	expect_eq "$prog -c FILE read" "2 $WORK/bad.conf:2: faces must be a whole number from 3 to 5, not \"9\"" \
		"$rc $(head -n 1 "$WORK/err")"
done
set +e
"$BIN/tallyctl" --config="$WORK/bad.conf" check-config >"$WORK/out" 2>&1
rc=$?
set -e
expect_eq "tallyctl --config=FILE" "1 $WORK/bad.conf:2: faces must be a whole number from 3 to 5, not \"9\"" \
	"$rc $(head -n 1 "$WORK/out")"
printf '[kiosk]\ndatabase = %s/none.db\n' "$WORK" >"$WORK/k.conf"
"$BIN/tallyctl" --config "$WORK/k.conf" stats --day=2026-03-10 >"$WORK/out" 2>&1 && fail "stats without a database succeeded"
grep -q "none.db: no database here" "$WORK/out" || { cat "$WORK/out"; fail "stats --day=DAY not taken"; }
"$BIN/tallyctl" --config "$WORK/k.conf" export --help >"$WORK/out" || fail "export --help exited $?"
grep -q "^usage: tallyctl .*export \[--format csv|json\]" "$WORK/out" || fail "a command's --help"
echo "ok: --opt=value, -c, a command's --help"

# The man pages are complete where the issue asked: tally-kiosk(1) names
# every screen --screen takes, how the staff view opens and the exit status;
# tally-hq(8) every path head office serves and what --verbose logs.
K="$ROOT/man/tally-kiosk.1.scd"
for screen in rating thanks out-of-order staff pin display shift-end closed; do
	grep -q "^\*$screen\*$" "$K" || fail "tally-kiosk(1) does not name the $screen screen"
done
"$BIN/tally-kiosk" --help | grep -q "rating, thanks, out-of-order, staff, pin, display, shift-end or question" || fail "--help's screens changed: update this test and the man page"
for section in "SCREENS" "OPENING THE STAFF VIEW" "EXIT STATUS"; do
	grep -q "^# $section$" "$K" || fail "tally-kiosk(1) has no $section"
done
grep -q 'staff chord' "$K" && grep -q 'corner' "$K" && grep -q 'view\\_at' "$K" || fail "tally-kiosk(1): how the staff view opens"
H="$ROOT/man/tally-hq.8.scd"
for path in $(grep -ho '"/\(api/v[0-9]*/[a-z_/]*\|healthz\|metrics\)"' "$ROOT"/app/hq/*.c | tr -d '"' | sort -u); do
	grep -q -- "$path" "$H" || fail "tally-hq(8) does not list $path, which tally-hq serves"
done
grep -A4 -- '--verbose\*$' "$H" | grep -q 'accepted batch' || fail "tally-hq(8) does not say what --verbose logs"
grep -q "^# EXIT STATUS$" "$H" || fail "tally-hq(8) has no EXIT STATUS"
echo "ok: tally-kiosk(1) names every screen, the staff view's ways in, the exit status; tally-hq(8) the API and --verbose"
