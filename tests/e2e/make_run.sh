# `make run` as a person uses it: on a desktop (a real X server, Xvfb), the
# whole system starts; a key pressed in the kiosk's window is a rating at
# the local head office within seconds. Then it stops cleanly.
. "$(dirname "$0")/lib.inc"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for tool in xvfb-run xdotool; do command -v $tool >/dev/null || fail "$tool is needed (scripts/deps.sh installs it)"; done
unset SDL_VIDEODRIVER
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
BUILD_REL=${TALLY_BUILD#"$ROOT"/}

cat >"$WORK/desktop.sh" <<DESKTOP
set -u
cd "$ROOT"
TALLY_RUN_DIR="$WORK/run" TALLY_HQ_PORT=$PORT BUILD="$BUILD_REL" ./scripts/run.sh >"$WORK/run.log" 2>&1 &
RUN=\$!
xdotool search --sync --name '^Tally\$' >/dev/null 2>&1
# The kiosk shows its faces (its status file says so) before the key is typed.
for i in \$(seq 600); do
	grep -q '^screen rating\$' "$WORK/run/kiosk.status" 2>/dev/null && break
	sleep 0.1
done
xdotool search --name '^Tally\$' windowfocus --sync
xdotool key 2
for i in \$(seq 600); do
	[ "\$(sqlite3 "$WORK/run/hq.db" 'select count(*) from ratings' 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
sed -n 's/^pid //p' "$WORK/run/kiosk.status" >"$WORK/kiosk.pid"
# The person leaves the window (Escape, in a window only): the kiosk stops, and make run stops the rest.
xdotool key Escape
wait \$RUN
echo "run.sh exited \$?" >>"$WORK/run.log"
DESKTOP
timeout 300 xvfb-run -a -s "-screen 0 1024x600x24" sh "$WORK/desktop.sh" || { cat "$WORK/run.log"; fail "make run under Xvfb failed"; }

expect_eq "the pressed rating at head office" "demo-kiosk|1|1|4" \
	"$(sql "$WORK/run/hq.db" 'select kiosk_id, seq, value, scale from ratings')"
grep -q "^run.sh exited 0$" "$WORK/run.log" || { cat "$WORK/run.log"; fail "make run did not end cleanly"; }
grep -q "display: software framebuffer on x11" "$WORK/run.log" || { cat "$WORK/run.log"; fail "kiosk not in an X window"; }
echo "ok: the kiosk ran in an X window on the software framebuffer"
# The processes this run started, by their pids (run.sh's own list and the kiosk's status file).
for p in $(cat "$WORK/run/run.pids" "$WORK/kiosk.pid"); do
	wait_until 30 '! kill -0 $p 2>/dev/null' || fail "process $p ($(cat /proc/$p/comm 2>/dev/null)) still running after make run stopped"
done
[ "$(wc -w <"$WORK/run/run.pids")" = 2 ] && [ -s "$WORK/kiosk.pid" ] || fail "make run did not say which processes it started"
echo "ok: everything stopped with make run"
