# What an admin relies on: READY=1 and watchdog pings for systemd, the
# status file tallyctl reads, SIGHUP reloading the config (a bad one
# refused, the old one kept), and opening hours (dark screen, presses
# stored flagged closed).
. "$(dirname "$0")/lib.inc"

# Presses come through a simulated chip's FIFO, at moments the test
# chooses; every step waits for the kiosk to show it did the last one.
EDGES="$WORK/edges"
write_conf() { # $1: extra lines
	{
		printf '[kiosk]\nid = admin-kiosk\ndatabase = %s/k.db\ntimezone = Europe/Berlin\n' "$WORK"
		printf '[screen]\nthanks_s = 0.3\n[filter]\nresponse_interval_s = 0\n'
		for i in 1 2 3 4; do printf '[button.%d]\nchip = sim:%s\nline = %d\n' "$i" "$EDGES" $((i + 10)); done
		printf '%s\n' "$1"
	} >"$WORK/k.conf.new"
	mv "$WORK/k.conf.new" "$WORK/k.conf"
}
# week HOURS: an [hours] section with the same hours every day.
week() {
	echo "[hours]"
	for d in mon tue wed thu fri sat sun; do echo "$d = $1"; done
}
ALL_CLOSED=$(week closed)
write_conf ""
mkfifo "$EDGES"
screen_is() { grep -q "^screen $1\$" "$WORK/kiosk.status" 2>/dev/null; }
stored() { [ "$(sql "$WORK/k.db" 'select count(*) from ratings' 2>/dev/null)" = "$1" ]; }

# 1. systemd's notify socket, the status file, and SIGHUP.
python3 "$(dirname "$0")/notify_listen.py" "$WORK/notify" 600 "$WORK/notes" &
LISTENER=$!
wait_until 60 '[ -S "$WORK/notify" ]' || fail "notify listener did not start"
NOTIFY_SOCKET="$WORK/notify" WATCHDOG_USEC=400000 \
	"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 2>"$WORK/log" &
KIOSK=$!
trap 'kill $KIOSK $LISTENER 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
wait_until 60 'screen_is rating' || { cat "$WORK/kiosk.status" "$WORK/log"; fail "status file: screen"; }
grep -q "^pid $KIOSK$" "$WORK/kiosk.status" || fail "status file: pid"
echo "ok: status file says the kiosk is up, showing the faces"
sim_press "$EDGES" 11
wait_until 60 'stored 1' || { cat "$WORK/log"; fail "open press not stored"; }

# A config with a mistake: refused, the old one kept.
printf '[screen]\nfaces = 9\n' >"$WORK/k.conf"
kill -HUP $KIOSK
wait_until 60 'grep -q "config reload refused" "$WORK/log"' || { cat "$WORK/log"; fail "bad config: no answer"; }
# Then a good one: every day closed (the dark screen).
write_conf "$ALL_CLOSED"
kill -HUP $KIOSK
wait_until 60 'screen_is closed' || { cat "$WORK/kiosk.status"; fail "status file: closed"; }
echo "ok: status file says closed"
# Open all day again, then closed again: the reload moves the screen both ways.
write_conf ""
kill -HUP $KIOSK
wait_until 60 'screen_is rating' || { cat "$WORK/kiosk.status"; fail "status file: open again"; }
echo "ok: a reload opens the store again"
write_conf "$ALL_CLOSED"
kill -HUP $KIOSK
wait_until 60 'screen_is closed' || { cat "$WORK/kiosk.status"; fail "status file: closed again"; }
sim_press "$EDGES" 12
wait_until 60 'stored 2' || { cat "$WORK/log"; fail "closed press not stored"; }
wait_until 60 '[ "$(grep -c "^WATCHDOG=1$" "$WORK/notes")" -ge 5 ]' || { cat "$WORK/notes"; fail "too few watchdog pings"; }
echo "ok: watchdog pings from the loop"
kill $KIOSK
wait $KIOSK || { cat "$WORK/log"; fail "kiosk exited with an error"; }
wait_until 60 'grep -q "^STOPPING=1$" "$WORK/notes"' || { cat "$WORK/notes"; fail "no STOPPING=1"; }
echo "ok: STOPPING=1 at the end"
kill $LISTENER
wait $LISTENER || true

grep -q "config reload refused, old config kept: $WORK/k.conf:2: faces must be a whole number from 3 to 5" "$WORK/log" ||
	{ cat "$WORK/log"; fail "bad config not refused clearly"; }
echo "ok: bad config refused with file:line"
grep -q "config reloaded from $WORK/k.conf" "$WORK/log" || fail "good config not reloaded"
echo "ok: good config reloaded"
expect_eq "open press counts, closed press flagged closed" "0|0
1|2" "$(sql "$WORK/k.db" 'select value, flags from ratings order by seq')"
expect_eq "READY=1 once" "1" "$(grep -c '^READY=1$' "$WORK/notes")"

# 2. Closing time passes while the kiosk runs: 19:59:40 local, open until
# 20:00 (20 s for the kiosk to start and take the first press, even on a
# busy machine), then the screen goes dark on its own.
rm -f "$WORK/k.db"*
write_conf "$(week 08:00-20:00)"
"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --now '2026-11-26 19:59:40' 2>"$WORK/log2" &
KIOSK=$!
wait_until 60 'screen_is rating' || { cat "$WORK/kiosk.status" "$WORK/log2"; fail "kiosk did not start"; }
sim_press "$EDGES" 13
wait_until 60 'stored 1' || { cat "$WORK/log2"; fail "press before closing not stored"; }
wait_until 90 'screen_is closed' || { cat "$WORK/kiosk.status" "$WORK/log2"; fail "did not close at 20:00"; }
sim_press "$EDGES" 14
wait_until 60 'stored 2' || { cat "$WORK/log2"; fail "press after closing not stored"; }
kill $KIOSK
wait $KIOSK || { cat "$WORK/log2"; fail "kiosk exited with an error"; }
grep -q "store closes (opening hours)" "$WORK/log2" || { cat "$WORK/log2"; fail "closing not logged"; }
expect_eq "before and after closing time" "2|0
3|2" "$(sql "$WORK/k.db" 'select value, flags from ratings order by seq')"
