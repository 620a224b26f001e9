# SPDX-License-Identifier: Apache-2.0
# `make run` as a person uses it: on a desktop (a real X server, Xvfb), the
# whole system starts; a key pressed in the kiosk's window is a rating at
# the local head office within seconds. Then it stops cleanly.
. "$(dirname "$0")/lib.inc"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for tool in xvfb-run xdotool; do command -v $tool >/dev/null || fail "$tool is needed (scripts/deps.sh installs it)"; done
unset SDL_VIDEODRIVER
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
BUILD_REL=${TALLY_BUILD#"$ROOT"/}

# The dashboard's demo chain (tally-hq demo, run by scripts/run_sync.sh), read while make run runs: each demo user logs
# in with the password make run printed and sees only their stores, the
# live kiosk's rating among them.
cat >"$WORK/dash_check.py" <<'PY'
import http.client, json, re, sys, time
port, log = int(sys.argv[1]), open(sys.argv[2]).read()
assert f"dashboard on http://127.0.0.1:{port}/" in log, "make run did not print the dashboard's URL"
users = dict(re.findall(r"^tally:   (demo-[a-z]+)  password ([0-9a-f]{16})  \((?:chain|region|store)\)$", log, re.M))
assert set(users) == {"demo-chain", "demo-north", "demo-berlin"}, f"users printed: {users}"
want = {"demo-chain": {"Berlin Mitte", "Hamburg", "London", "Manchester", "New York", "Demo Store"},
        "demo-north": {"Berlin Mitte", "Hamburg", "Demo Store"}, "demo-berlin": {"Berlin Mitte"}}
for user, pw in users.items():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/login", json.dumps({"user": user, "password": pw}), {"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status == 200, f"{user} cannot log in: {r.status}"
    cookie = r.getheader("Set-Cookie").split(";")[0]
    c.request("GET", "/api/v1/overview?period=7d", headers={"Cookie": cookie})
    r = c.getresponse(); o = json.loads(r.read())
    stores = {s["store"]: s for s in o["stores"]}
    assert set(stores) == want[user], f"{user} sees {sorted(stores)}"
    assert all(s["ratings"] > 100 for n, s in stores.items() if n != "Demo Store"), f"{user}: a demo store without two weeks of ratings"
    if "Demo Store" in stores:
        # A rating, or (this machine's clock not NTP-synced) a press at an unknown time: counted either way.
        d = stores["Demo Store"]
        assert d["ratings"] + d["unknown_time"] == 1, f"{user}: the pressed rating is not counted: {d}"
    print(f"ok: {user} sees {sorted(stores)} with two weeks of ratings")
    if user != "demo-chain":
        continue
    # The demo's alert rules: the market leader's default per store, a floor and silent kiosks per region.
    c.request("GET", "/api/v1/alert-rules", headers={"Cookie": cookie})
    r = c.getresponse(); rules = json.loads(r.read())["rules"]
    got = {(x["kind"], x["scope_kind"], x["scope"]) for x in rules if x["enabled"]}
    demo = want[user] - {"Demo Store"}
    need = {("negative", "store", s) for s in demo} | {(k, "region", g) for k in ("index", "silent")
                                                         for g in ("North", "West", "Americas")}
    assert need <= got, f"demo rules missing: {sorted(need - got)}"
    neg = [x for x in rules if x["kind"] == "negative"]
    assert all((x["threshold"], x["window_min"], x["min_ratings"]) == (50, 15, 4) for x in neg), f"negative rules: {neg}"
    print(f"ok: the demo chain has {len(rules)} alert rules (50 % / 15 min / 4 per store, a floor and silent kiosks per region)")
    # Hamburg's bad quarter hour: the alert thread's first check opens an episode the Alerts page shows.
    deadline = time.monotonic() + 60
    while True:
        c.request("GET", "/api/v1/alerts?state=all", headers={"Cookie": cookie})
        r = c.getresponse(); alerts = json.loads(r.read())["alerts"]
        ham = [a for a in alerts if a["kind"] == "negative" and a["store"] == "Hamburg"]
        if ham or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert ham, f"no alert episode for Hamburg within 60 s: {alerts}"
    print(f"ok: the Alerts page has an episode to show: {ham[0]['detail']}")
PY

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
	[ "\$(sqlite3 "$WORK/run/hq.db" "select count(*) from ratings where kiosk_id = 'demo-kiosk'" 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
python3 "$WORK/dash_check.py" $PORT "$WORK/run.log" >"$WORK/dash.log" 2>&1; echo \$? >"$WORK/dash.rc"
sed -n 's/^pid //p' "$WORK/run/kiosk.status" >"$WORK/kiosk.pid"
# The person leaves the window (Escape, in a window only): the kiosk stops, and make run stops the rest.
xdotool key Escape
wait \$RUN
echo "run.sh exited \$?" >>"$WORK/run.log"
DESKTOP
timeout 300 xvfb-run -a -s "-screen 0 1024x600x24" sh "$WORK/desktop.sh" || { cat "$WORK/run.log"; fail "make run under Xvfb failed"; }

expect_eq "the pressed rating at head office (key 2: value 2 of 0..3, face_order best-first)" "demo-kiosk|1|2|4" \
	"$(sql "$WORK/run/hq.db" "select kiosk_id, seq, value, scale from ratings where kiosk_id = 'demo-kiosk'")"
grep -q "^run.sh exited 0$" "$WORK/run.log" || { cat "$WORK/run.log"; fail "make run did not end cleanly"; }
grep -q "display: software framebuffer on x11" "$WORK/run.log" || { cat "$WORK/run.log"; fail "kiosk not in an X window"; }
echo "ok: the kiosk ran in an X window on the software framebuffer"
[ "$(cat "$WORK/dash.rc")" = 0 ] || { cat "$WORK/dash.log" "$WORK/run.log"; fail "the dashboard's demo chain"; }
cat "$WORK/dash.log"
# The processes this run started, by their pids (run.sh's own list and the kiosk's status file).
for p in $(cat "$WORK/run/run.pids" "$WORK/kiosk.pid"); do
	wait_until 30 '! kill -0 $p 2>/dev/null' || fail "process $p ($(cat /proc/$p/comm 2>/dev/null)) still running after make run stopped"
done
[ "$(wc -w <"$WORK/run/run.pids")" = 2 ] && [ -s "$WORK/kiosk.pid" ] || fail "make run did not say which processes it started"
echo "ok: everything stopped with make run"
