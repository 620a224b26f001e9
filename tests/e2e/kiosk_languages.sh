# SPDX-License-Identifier: Apache-2.0
# The customers' languages through the real kiosk (issue 12, point 2), with
# scripted touches and keys and the simulated chip:
#  - on a touch kiosk, language buttons switch the texts (the screen is
#    exactly the one --screenshot --language draws), a rating is thanked in
#    the chosen language, and the default comes back after the timeout;
#  - on a kiosk with buttons, the languages take turns while it is idle;
#  - Chinese draws through the fallback font; a missing fallback font is
#    one line in the log and loses no rating;
#  - check-config (tally-kiosk's and tallyctl's) warns of a character no
#    configured font has, naming the text and the character.
. "$(dirname "$0")/lib.inc"
PNG="python3 $(dirname "$0")/png_pixels.py"

run_kiosk() { # CONF SCRIPT LOG
	"$BIN/tally-kiosk" --config "$1" --windowed 800x480 --script "$2" -v 2>"$3" ||
		{ cat "$3"; fail "kiosk exited with an error"; }
}
shot() { # CONF LANGUAGE FILE
	"$BIN/tally-kiosk" --config "$1" --screenshot "$3" --screen rating --size 800x480 --language "$2" ||
		fail "--screenshot --language $2"
}

# --- touch: buttons, thanks in the language, back to the default ----------------
printf '[kiosk]\ndatabase = %s/t.db\nlanguages = en, de, ar, zh\n[screen]\nthanks_s = 0.5\nhighlight_s = 0\nlanguage_return_s = 2\n' \
	"$WORK" >"$WORK/t.conf"
# The four buttons sit in a strip at the foot, clear of the corners: centres at x 153, 317, 481, 645 of 800, y 448 of 480.
cat >"$WORK/t.in" <<IN
wait 200
screenshot $WORK/t-first.png
touch 0.396 0.933
wait 300
screenshot $WORK/t-de.png
touch 0.601 0.933
wait 300
screenshot $WORK/t-ar.png
key 1
wait 1200
screenshot $WORK/t-ar-after.png
wait 3500
screenshot $WORK/t-back.png
quit
IN
run_kiosk "$WORK/t.conf" "$WORK/t.in" "$WORK/t.log"
for l in en de ar; do shot "$WORK/t.conf" $l "$WORK/ref-$l.png"; done
$PNG "$WORK/t-first.png" same "$WORK/ref-en.png" || fail "the kiosk does not start in the first language"
$PNG "$WORK/t-de.png" same "$WORK/ref-de.png" || { cat "$WORK/t.log"; fail "the German button did not show the German screen"; }
$PNG "$WORK/t-ar.png" same "$WORK/ref-ar.png" || { cat "$WORK/t.log"; fail "the Arabic button did not show the Arabic screen"; }
$PNG "$WORK/t-de.png" same "$WORK/ref-en.png" && fail "German and English screens are the same picture"
echo "ok: language buttons switch the texts (each screen as --screenshot --language draws it)"
grep -q "language: de (touch)" "$WORK/t.log" && grep -q "language: ar (touch)" "$WORK/t.log" || { cat "$WORK/t.log"; fail "no log of the choices"; }
expect_eq "a touch on a language button is no rating; the key is" 1 "$(sql "$WORK/t.db" 'select count(*) from ratings')"
$PNG "$WORK/t-ar-after.png" same "$WORK/ref-ar.png" || fail "after the thank-you the language did not stay a while"
echo "ok: after the thank-you the customer's language stays until the timeout"
$PNG "$WORK/t-back.png" same "$WORK/ref-en.png" || { cat "$WORK/t.log"; fail "the default language did not come back"; }
grep -q "language: en (return)" "$WORK/t.log" || fail "no log of the return"
echo "ok: the default language comes back after language_return_s"

# --- buttons: the languages take turns while idle --------------------------------
EDGES="$WORK/edges"
: >"$EDGES"
{
	printf '[kiosk]\ndatabase = %s/b.db\nlanguages = en, zh\n[screen]\nlanguage_rotate_s = 2\n' "$WORK"
	for i in 1 2 3 4; do printf '[button.%d]\nchip = sim:%s\nline = %d\n' "$i" "$EDGES" $((i + 10)); done
} >"$WORK/b.conf"
printf 'wait 200\nscreenshot %s/b-0.png\nwait 2800\nscreenshot %s/b-1.png\nwait 2000\nscreenshot %s/b-2.png\nquit\n' \
	"$WORK" "$WORK" "$WORK" >"$WORK/b.in"
run_kiosk "$WORK/b.conf" "$WORK/b.in" "$WORK/b.log"
shot "$WORK/b.conf" en "$WORK/bref-en.png"
shot "$WORK/b.conf" zh "$WORK/bref-zh.png"
$PNG "$WORK/b-0.png" same "$WORK/bref-en.png" || fail "the buttons kiosk does not start in English"
$PNG "$WORK/b-1.png" same "$WORK/bref-zh.png" || { cat "$WORK/b.log"; fail "the languages did not rotate to Chinese"; }
$PNG "$WORK/b-2.png" same "$WORK/bref-en.png" || { cat "$WORK/b.log"; fail "the languages did not rotate back"; }
grep -q "language: zh (rotation)" "$WORK/b.log" || fail "no log of the rotation"
echo "ok: a kiosk with buttons shows its languages in turn while idle (no language buttons on it)"

# --- the fallback font: Chinese drawn; missing, one line and no lost rating -----
printf '[kiosk]\ndatabase = %s/z.db\nlanguages = zh\n' "$WORK" >"$WORK/z.conf"
printf '[kiosk]\ndatabase = %s/m.db\nlanguages = zh\n[screen]\nfallback_font = /nonexistent/wqy-microhei.ttc\n' "$WORK" >"$WORK/m.conf"
shot "$WORK/z.conf" zh "$WORK/zh.png"
shot "$WORK/m.conf" zh "$WORK/zh-boxes.png" 2>"$WORK/m-shot.log"
$PNG "$WORK/zh.png" same "$WORK/zh-boxes.png" && fail "Chinese draws the same with and without the fallback font"
echo "ok: Chinese draws through the fallback font (not as the boxes drawn without it)"
printf 'key 1\nwait 600\nquit\n' >"$WORK/m.in"
run_kiosk "$WORK/m.conf" "$WORK/m.in" "$WORK/m.log"
expect_eq "a missing fallback font loses no rating" 1 "$(sql "$WORK/m.db" 'select count(*) from ratings')"
expect_eq "it is said in one log line" 1 "$(grep -c 'fallback_font /nonexistent/wqy-microhei.ttc is missing (Debian: apt install fonts-wqy-microhei)' "$WORK/m.log")"

# --- check-config: a character no font has ---------------------------------------
"$BIN/tally-kiosk" --config "$WORK/m.conf" --check-config >"$WORK/check.out" || fail "tally-kiosk --check-config failed on warnings"
grep -q '^warning: \[text.zh\] question: "您" (U+60A8) is in no configured font' "$WORK/check.out" ||
	{ cat "$WORK/check.out"; fail "no warning naming the text and the character"; }
"$BIN/tallyctl" check-config "$WORK/m.conf" >"$WORK/ctl.out" || fail "tallyctl check-config failed on warnings"
grep -q 'm.conf: warning: \[text.zh\] question: "您" (U+60A8)' "$WORK/ctl.out" || { cat "$WORK/ctl.out"; fail "tallyctl check-config does not show it"; }
"$BIN/tally-kiosk" --config "$WORK/z.conf" --check-config >"$WORK/check-ok.out" || fail "--check-config"
grep -q "ok (1 language, every character in a font)" "$WORK/check-ok.out" || { cat "$WORK/check-ok.out"; fail "a good config is not ok"; }
echo "ok: check-config warns of a character no configured font has, naming text and character"
