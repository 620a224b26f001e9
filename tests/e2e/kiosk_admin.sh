# What an admin relies on: READY=1 and watchdog pings for systemd, the
# status file tallyctl reads, SIGHUP reloading the config (a bad one
# refused, the old one kept), and opening hours (dark screen, presses
# stored flagged closed).
. "$(dirname "$0")/lib.inc"

write_conf() { # $1: extra lines
	printf '[kiosk]\nid = admin-kiosk\ndatabase = %s/k.db\ntimezone = Europe/Berlin\n[screen]\nthanks_s = 0.3\n[filter]\nresponse_interval_s = 0\n%s' \
		"$WORK" "$1" >"$WORK/k.conf"
}
# week HOURS: an [hours] section with the same hours every day.
week() {
	echo "[hours]"
	for d in mon tue wed thu fri sat sun; do echo "$d = $1"; done
}
ALL_CLOSED=$(week closed)
write_conf ""

# 1. systemd's notify socket, the status file, and SIGHUP.
python3 "$(dirname "$0")/notify_listen.py" "$WORK/notify" 9 "$WORK/notes" &
LISTENER=$!
sleep 0.5
printf 'key 1\nwait 6000\nkey 2\nwait 500\nquit\n' >"$WORK/input"
NOTIFY_SOCKET="$WORK/notify" WATCHDOG_USEC=400000 \
	"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --script "$WORK/input" 2>"$WORK/log" &
KIOSK=$!
sleep 1.2
grep -q "^screen rating$" "$WORK/kiosk.status" || { cat "$WORK/kiosk.status"; fail "status file: screen"; }
grep -q "^pid $KIOSK$" "$WORK/kiosk.status" || fail "status file: pid"
echo "ok: status file says the kiosk is up, showing the faces"

# A config with a mistake: refused, the old one kept.
printf '[screen]\nfaces = 9\n' >"$WORK/k.conf"
kill -HUP $KIOSK
sleep 0.5
# Then a good one: every day closed (the dark screen).
write_conf "$ALL_CLOSED"
kill -HUP $KIOSK
sleep 1
grep -q "^screen closed$" "$WORK/kiosk.status" || { cat "$WORK/kiosk.status"; fail "status file: closed"; }
echo "ok: status file says closed"
# Open all day again, then closed again: the reload moves the screen both ways.
write_conf ""
kill -HUP $KIOSK
sleep 0.7
grep -q "^screen rating$" "$WORK/kiosk.status" || { cat "$WORK/kiosk.status"; fail "status file: open again"; }
echo "ok: a reload opens the store again"
write_conf "$ALL_CLOSED"
kill -HUP $KIOSK
sleep 0.7
wait $KIOSK || { cat "$WORK/log"; fail "kiosk exited with an error"; }
wait $LISTENER

grep -q "config reload refused, old config kept: $WORK/k.conf:2: faces must be a whole number from 3 to 5" "$WORK/log" ||
	{ cat "$WORK/log"; fail "bad config not refused clearly"; }
echo "ok: bad config refused with file:line"
grep -q "config reloaded from $WORK/k.conf" "$WORK/log" || fail "good config not reloaded"
echo "ok: good config reloaded"
expect_eq "open press counts, closed press flagged closed (best-first: key 1 = value 3)" "3|0
2|2" "$(sql "$WORK/k.db" 'select value, flags from ratings order by seq')"
expect_eq "READY=1 once" "1" "$(grep -c '^READY=1$' "$WORK/notes")"
[ "$(grep -c '^WATCHDOG=1$' "$WORK/notes")" -ge 5 ] || { cat "$WORK/notes"; fail "too few watchdog pings"; }
echo "ok: watchdog pings from the loop"
grep -q '^STOPPING=1$' "$WORK/notes" || fail "no STOPPING=1"
echo "ok: STOPPING=1 at the end"

# 2. Closing time passes while the kiosk runs: 19:59:58 local, open until 20:00.
rm -f "$WORK/k.db"*
write_conf "$(week 08:00-20:00)"
printf 'key 3\nwait 4000\nkey 4\nwait 300\nscreenshot %s/closed.png\nquit\n' "$WORK" >"$WORK/input2"
"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --now '2026-11-26 19:59:58' \
	--script "$WORK/input2" 2>"$WORK/log2" || { cat "$WORK/log2"; fail "kiosk exited with an error"; }
grep -q "store closes (opening hours)" "$WORK/log2" || { cat "$WORK/log2"; fail "closing not logged"; }
expect_eq "before and after closing time (best-first)" "1|0
0|2" "$(sql "$WORK/k.db" 'select value, flags from ratings order by seq')"
