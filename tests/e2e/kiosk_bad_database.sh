# SPDX-License-Identifier: Apache-2.0
# A corrupt database: the kiosk says "out of order" on screen and in the
# log, stores nothing, and leaves the file exactly as it was.
. "$(dirname "$0")/lib.inc"

head -c 65536 /dev/urandom >"$WORK/k.db"
cp "$WORK/k.db" "$WORK/before.db"
printf '[kiosk]\ndatabase = %s/k.db\n' "$WORK" >"$WORK/k.conf"
printf 'key 1\nwait 200\nscreenshot %s/ooo.png\nquit\n' "$WORK" >"$WORK/input"
"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --script "$WORK/input" 2>"$WORK/log" ||
	{ cat "$WORK/log"; fail "kiosk exited with an error"; }
grep -q "error: $WORK/k.db: database is corrupt or not a database, left untouched" "$WORK/log" ||
	{ cat "$WORK/log"; fail "no clear log line"; }
echo "ok: one clear error line"
cmp -s "$WORK/k.db" "$WORK/before.db" || fail "the corrupt file was modified"
echo "ok: file untouched"
[ ! -e "$WORK/k.db-wal" ] || fail "a WAL was created next to a corrupt file"
[ -s "$WORK/ooo.png" ] || fail "no screenshot"

# A font that is missing is refused with the config, at its line.
printf '[kiosk]\ndatabase = %s/ok.db\n[screen]\nfont = /nonexistent/font.ttf\n' "$WORK" >"$WORK/f.conf"
if "$BIN/tally-kiosk" --config "$WORK/f.conf" 2>"$WORK/log2"; then fail "missing font accepted"; fi
grep -q "f.conf:4: font: cannot read \"/nonexistent/font.ttf\"" "$WORK/log2" || { cat "$WORK/log2"; fail "no font error"; }
# A font file that is there but no font: one error line, and ratings are still stored.
echo "not a font" >"$WORK/bad.ttf"
printf '[kiosk]\ndatabase = %s/ok.db\n[screen]\nfont = %s/bad.ttf\n' "$WORK" "$WORK" >"$WORK/f.conf"
printf 'key 3\nwait 100\nquit\n' >"$WORK/input2"
"$BIN/tally-kiosk" --config "$WORK/f.conf" --windowed 800x480 --script "$WORK/input2" 2>"$WORK/log2" ||
	{ cat "$WORK/log2"; fail "kiosk exited with an error"; }
grep -q "font: $WORK/bad.ttf" "$WORK/log2" || { cat "$WORK/log2"; fail "no font error"; }
expect_eq "rating stored without a font (best-first)" "1" "$(sql "$WORK/ok.db" 'select value from ratings')"

# A bad config is refused with file:line.
printf '[screen]\nfaces = 7\n' >"$WORK/bad.conf"
if "$BIN/tally-kiosk" --config "$WORK/bad.conf" 2>"$WORK/log3"; then fail "bad config accepted"; fi
expect_eq "config error" "$WORK/bad.conf:2: faces must be a whole number from 3 to 5, not \"7\"" "$(cat "$WORK/log3")"
