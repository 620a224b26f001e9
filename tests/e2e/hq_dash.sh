#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The dashboard's data end to end against the real tally-hq on 127.0.0.1:
# kiosks in two regions and zones post ratings over HTTP, then each role
# reads GET /api/v1/overview, /api/v1/store and /api/v1/fleet as JSON and
# as CSV. Checked: the figures against the ratings this test posted, every
# answer and every CSV holding only the stores of the role (403 for a store
# outside it), the CSV's columns equal to the JSON's keys, the formula
# guard, Content-Disposition, faces best first with the kiosk's colours,
# and the errors (401, 403 for a kiosk token, 400 for bad arguments, 404);
# a guessed address opened in a browser gets the "page not found" page,
# the same address from a script (and every /api/ path) the JSON 404.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-dash-XXXXXX")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$DIR/hq.conf" <<EOF
[hq]
database = $DIR/hq.db
listen = 127.0.0.1:0
fleet_silent_minutes = 120
EOF
HQC="$HQ --config $DIR/hq.conf"
$HQC kiosk add --store "Berlin" --area Counter --region North --tz Europe/Berlin --id k-b1 >"$DIR/k-b1"
$HQC kiosk add --store "Berlin" --area Pickup --region North --tz Europe/Berlin --id k-b2 >"$DIR/k-b2"
$HQC kiosk add --store "=Hamburg" --area Counter --region North --tz Europe/Berlin --id k-h1 >"$DIR/k-h1"
$HQC kiosk add --store "Tokyo" --area Counter --region East --tz Asia/Tokyo --id k-t1 >"$DIR/k-t1"
echo 'chain-pass-1' | $HQC user add boss --role chain --password-stdin >/dev/null
echo 'north-pass-1' | $HQC user add north --role region --region North --password-stdin >/dev/null
echo 'tokyo-pass-1' | $HQC user add tokyo --role store --store Tokyo --password-stdin >/dev/null
$HQC admin-token >"$DIR/admin"

$HQC >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 600); do grep -q '^listening on ' "$DIR/out" && break; kill -0 "$PID" || break; sleep 0.05; done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
[ -n "$PORT" ] || { cat "$DIR/err"; fail "no listening line"; }

PORT=$PORT DIR=$DIR HQ=$HQ ADMIN=$(cat "$DIR/admin") /usr/bin/python3 - <<'EOF'
import csv, http.client, io, json, os
from urllib.parse import quote

port, D, ADMIN = int(os.environ["PORT"]), os.environ["DIR"], os.environ["ADMIN"]
H = 3600000
T0 = 1711929600000  # 2024-04-01 00:00 UTC, a Monday: 02:00 in Berlin, 09:00 in Tokyo

def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
    print("ok:", what)

def req(method, path, body=None, headers=None, cookie=None, token=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    if token:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data

def token(kiosk):
    return [l.split()[1] for l in open(f"{D}/{kiosk}") if l.startswith("token ")][0]

# (ms, value, flags, synced) per kiosk; values on 4 faces, 3 = best.
posts = {
    # Berlin counter: 1 April 10:00 and 10:30 local (08:00, 08:30 UTC) a 3 and a 2; 11:00 local a 0;
    # a misuse and a closed press; one press on an unsynced clock (time unknown).
    "k-b1": [(T0 + 8 * H, 3, 0, 1), (T0 + 8 * H + 1800000, 2, 0, 1), (T0 + 9 * H, 0, 0, 1),
             (T0 + 9 * H + 1000, 3, 1, 1), (T0 + 20 * H, 3, 2, 1), (T0 + 10 * H, 3, 0, 0),
             # 31 March, the day before: two 3s (the previous period of a one-day range)
             (T0 - 10 * H, 3, 0, 1), (T0 - 9 * H, 3, 0, 1)],
    "k-b2": [(T0 + 12 * H, 1, 0, 1)],
    "k-h1": [(T0 + 8 * H, 0, 0, 1), (T0 + 8 * H + 60000, 1, 0, 1)],
    # Tokyo: 1 April 23:30 local is 14:30 UTC; 15:30 UTC is already 2 April there.
    "k-t1": [(T0 + 14 * H + 1800000, 3, 0, 1), (T0 + 15 * H + 1800000, 0, 0, 1)],
}
for k, rs in posts.items():
    body = json.dumps({"kiosk": k, "boots": ["boot-0"], "version": "9.9.9",
                       "ratings": [[i + 1, v, 4, "button", ms, i + 1, 0, syn, None, fl] for i, (ms, v, fl, syn) in enumerate(rs)]})
    st, _, data = req("POST", "/api/v1/ratings", body, {"Content-Type": "application/json"}, token=token(k))
    check(st == 200, f"{k} posts {len(rs)} ratings ({st} {data[:100]})")

sessions = {}
for user, pw in [("boss", "chain-pass-1"), ("north", "north-pass-1"), ("tokyo", "tokyo-pass-1")]:
    st, h, data = req("POST", "/login", json.dumps({"user": user, "password": pw}), {"Content-Type": "application/json"})
    check(st == 200, f"{user} logs in")
    sessions[user] = h["Set-Cookie"].split(";")[0]

R = "from=2024-04-01&to=2024-04-01"
def get(path, who):
    st, h, data = req("GET", path, cookie=sessions.get(who), token=ADMIN if who == "admin" else None)
    return st, h, data

# --- overview: figures against what was posted --------------------------------
st, h, data = get("/api/v1/overview?" + R + "&min_ratings=1", "boss")
o = json.loads(data)
check(st == 200 and o["period"] == {"name": "range", "from": "2024-04-01", "to": "2024-04-01", "days": 1}
      and o["previous"] == {"from": "2024-03-31", "to": "2024-03-31", "days": 1}, "overview: the period and the previous one")
check(isinstance(o["as_of_ms"], int) and o["as_of"].endswith("Z"), "overview: as_of in ms and RFC 3339")
S = {s["store"]: s for s in o["stores"]}
b = S["Berlin"]
# Berlin 1 April: 3, 2, 0 (counter) and 1 (pickup): HI (100+66.7+0+33.3)/4 = 50, positive 2/4
check(b["ratings"] == 4 and b["happy_index"] == 50.0 and b["positive_pct"] == 50.0, f"Berlin's figures: {b}")
check(b["misuse"] == 1 and b["closed"] == 1 and b["unknown_time"] == 1, "Berlin: misuse, closed and unknown time apart")
check(b["prev_ratings"] == 2 and b["prev_happy_index"] == 100.0 and b["change_happy_index"] == -50.0
      and b["change_ratings"] == 2, "Berlin: previous period and the change")
check(S["Tokyo"]["ratings"] == 1 and S["Tokyo"]["happy_index"] == 100.0, "Tokyo: only its own 1 April (23:30 local), not 2 April")
check(S["=Hamburg"]["happy_index"] == 16.7 and S["=Hamburg"]["prev_ratings"] == 0 and S["=Hamburg"]["change_happy_index"] is None,
      "Hamburg: figures, and no change without a previous period")
check([s["store"] for s in o["stores"]] == ["Tokyo", "Berlin", "=Hamburg"] and [s["rank"] for s in o["stores"]] == [1, 2, 3],
      "ranking: Happy Index first, rank 1..n")
check(o["chain"]["ratings"] == 7 and o["chain"]["stores"] == 3, "chain: every store")
check([r["region"] for r in o["regions"]] == ["East", "North"] and o["regions"][1]["stores"] == 2, "regions by name")
check([m["store"] for m in o["movers"]] == ["Berlin"] and o["movers"][0]["direction"] == "down", "movers: Berlin went down")
st, _, data = get("/api/v1/overview?" + R, "boss")
check(json.loads(data)["movers"] == [], "movers: none under the default minimum of 20 ratings")

# --- each role sees only its stores, everywhere ---------------------------------
expect = {"boss": {"Berlin", "=Hamburg", "Tokyo"}, "admin": {"Berlin", "=Hamburg", "Tokyo"},
          "north": {"Berlin", "=Hamburg"}, "tokyo": {"Tokyo"}}
for who, want in expect.items():
    st, _, data = get("/api/v1/overview?" + R + "&min_ratings=1", who)
    o = json.loads(data)
    check(st == 200 and {s["store"] for s in o["stores"]} == want and o["chain"]["stores"] == len(want)
          and {m["store"] for m in o["movers"]} <= want, f"{who}: overview holds only {sorted(want)}")
    for table in ["stores", "regions", "movers", "chain"]:
        st, h, data = get(f"/api/v1/overview?{R}&min_ratings=1&format=csv&table={table}", who)
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        if table == "stores":
            check({r["store"].lstrip("'") for r in rows} == want, f"{who}: overview CSV stores only theirs")
    st, _, data = get("/api/v1/fleet", who)
    f = json.loads(data)
    check(st == 200 and {k["store"] for k in f["kiosks"]} == want, f"{who}: fleet holds only their stores' kiosks")
    st, _, data = get("/api/v1/fleet?format=csv", who)
    check({r["store"].lstrip("'") for r in csv.DictReader(io.StringIO(data.decode()))} == want, f"{who}: fleet CSV only theirs")
    for store in ["Berlin", "=Hamburg", "Tokyo"]:
        for fmt in ["", "&format=csv&table=kiosks"]:
            st, _, data = get(f"/api/v1/store?store={quote(store)}&{R}{fmt}", who)
            if store in want:
                check(st == 200, f"{who}: store {store}{fmt} 200")
            else:
                check(st == 403 and b"Berlin" not in data.replace(b"store Berlin", b"") and b"k-" not in data,
                      f"{who}: store {store}{fmt} refused 403, nothing of it")
st, _, data = get("/api/v1/store?store=Nowhere&" + R, "tokyo")
check(st == 403, "a store user asking for a store that does not exist: 403, the same as one that exists")
st, _, data = get("/api/v1/store?store=Nowhere&" + R, "boss")
check(st == 404, "chain user, unknown store: 404")

# --- store page --------------------------------------------------------------------
st, h, data = get("/api/v1/store?store=Berlin&" + R, "north")
s = json.loads(data)
check(s["store"] == "Berlin" and s["region"] == "North" and s["tz"] == "Europe/Berlin" and s["totals"]["ratings"] == 4,
      "store: totals")
check([a["area"] for a in s["areas"]] == ["Counter", "Pickup"] and s["areas"][0]["ratings"] == 3
      and s["areas"][1]["happy_index"] == 33.3, "store: areas side by side")
check([k["kiosk"] for k in s["kiosks"]] == ["k-b1", "k-b2"] and s["kiosks"][0]["misuse"] == 1, "store: kiosks side by side")
# 1 April 2024 is a Monday (weekday 1); 08:00 and 08:30 UTC are 10:00 and 10:30 CEST.
cells = {(c["weekday"], c["hour"]): c for c in s["heatmap"]}
check(set(cells) == {(1, 10), (1, 11), (1, 14)} and cells[(1, 10)]["ratings"] == 2 and cells[(1, 10)]["happy_index"] == 83.3,
      f"store: heat map in local hours ({sorted(cells)})")
check(s["trend"] == [{"date": "2024-04-01", "weekday": 1, "ratings": 4, "happy_index": 50.0, "positive_pct": 50.0,
                      "misuse": 1, "closed": 1, "unknown_time": 1}], f"store: trend {s['trend']}")
check([(x["value"], x["label"], x["colour"], x["count"]) for x in s["faces"]] ==
      [(3, "very positive", "#43a047", 1), (2, "positive", "#a5d46a", 1), (1, "negative", "#f4978e", 1),
       (0, "very negative", "#e53935", 1)] and s["faces"][0]["share_pct"] == 25.0, "store: faces best first, the kiosk's colours")
check(s["reasons"] == [], "store: reasons empty until kiosks ask the follow-up question")
st, _, data = get("/api/v1/store?store=Berlin&from=2024-03-26&to=2024-04-01", "north")
t = json.loads(data)["trend"]
check(len(t) == 7 and t[0]["ratings"] == 0 and t[0]["happy_index"] is None and t[5]["ratings"] == 2,
      "store: a week's trend lists every day, empty ones too")

# --- CSV: the JSON's columns, the formula guard, a filename -----------------------------
cases = [("/api/v1/overview?" + R, "stores", "stores"), ("/api/v1/overview?" + R, "regions", "regions"),
         ("/api/v1/overview?" + R + "&min_ratings=1", "movers", "movers"), ("/api/v1/overview?" + R, "chain", "chain"),
         ("/api/v1/store?store=Berlin&" + R, "totals", "totals"), ("/api/v1/store?store=Berlin&" + R, "areas", "areas"),
         ("/api/v1/store?store=Berlin&" + R, "kiosks", "kiosks"), ("/api/v1/store?store=Berlin&" + R, "heatmap", "heatmap"),
         ("/api/v1/store?store=Berlin&" + R, "trend", "trend"), ("/api/v1/store?store=Berlin&" + R, "faces", "faces"),
         ("/api/v1/fleet", None, "kiosks")]
for path, table, key in cases:
    st, _, data = get(path, "boss")
    doc = json.loads(data)[key]
    rows = doc if isinstance(doc, list) else [doc]
    sep = "&" if "?" in path else "?"
    st, h, data = get(path + sep + "format=csv" + (f"&table={table}" if table else ""), "boss")
    text = data.decode()
    got = list(csv.reader(io.StringIO(text)))
    check(st == 200 and h["Content-Type"] == "text/csv; charset=utf-8" and text.endswith("\r\n"), f"CSV {path} {table}: text/csv, CRLF")
    check(got[0] == list(rows[0].keys()) and len(got) == len(rows) + 1, f"CSV {table}: the JSON's columns, one row each")
    cd = h.get("Content-Disposition", "")
    check(cd.startswith('attachment; filename="tally-') and cd.endswith('.csv"'), f"CSV {table}: {cd}")
st, h, data = get("/api/v1/overview?" + R + "&format=csv", "boss")
check("\r\n'=Hamburg," in data.decode() or ",'=Hamburg," in data.decode(), "CSV: a store named =Hamburg is written '=Hamburg")
check(h["Content-Disposition"] == 'attachment; filename="tally-overview-stores-2024-04-01-2024-04-01.csv"', "overview CSV filename")

# --- fleet ------------------------------------------------------------------------------
st, _, data = get("/api/v1/fleet", "admin")
f = json.loads(data)["kiosks"]
k = {x["kiosk"]: x for x in f}
check(k["k-b1"]["version"] == "9.9.9" and k["k-b1"]["last_seq"] == 8 and k["k-b1"]["gaps"] == 0
      and k["k-b1"]["region"] == "North" and k["k-b1"]["conflicts"] == 0, "fleet: version, last seq, region")
check(all(x["attention"] == [] or x["attention"][0] in ("silent", "never", "clock") for x in f), "fleet: attention words")

# Silence counts in opening hours: two kiosks quiet for three hours, one closed all week (a shop shut for
# the night), one open all day (no hours set). Only the open one is "silent".
import subprocess, time
subprocess.run([os.environ["HQ"], "--config", f"{D}/hq.conf", "kiosk", "hours", "k-b2", "daily=closed"], check=True,
               stdout=subprocess.DEVNULL)
quiet = int(time.time() * 1000) - 3 * H
subprocess.run(["sqlite3", f"{D}/hq.db", f"UPDATE kiosks SET last_batch_ms = {quiet} WHERE id IN ('k-b2', 'k-t1')"], check=True)
st, _, data = get("/api/v1/fleet", "admin")
k = {x["kiosk"]: x for x in json.loads(data)["kiosks"]}
check("silent" in k["k-t1"]["attention"] and k["k-t1"]["open_now"] is True and k["k-t1"]["silent_s"] >= 3 * 3600,
      "fleet: a kiosk open all day, quiet for 3 h, is silent")
check("silent" not in k["k-b2"]["attention"] and k["k-b2"]["open_now"] is False and k["k-b2"]["silent_s"] >= 3 * 3600,
      "fleet: a kiosk closed all week, quiet for 3 h, is not silent (closed, open_now false)")
# fleet_silent_minutes = 120 (the config above): quiet for 90 minutes of opening hours is not silent yet.
subprocess.run(["sqlite3", f"{D}/hq.db", f"UPDATE kiosks SET last_batch_ms = {int(time.time() * 1000) - 90 * 60000}"
                " WHERE id = 'k-t1'"], check=True)
st, _, data = get("/api/v1/fleet", "admin")
k = {x["kiosk"]: x for x in json.loads(data)["kiosks"]}
check("silent" not in k["k-t1"]["attention"] and k["k-t1"]["silent_s"] >= 90 * 60,
      "fleet: quiet for 90 min with fleet_silent_minutes = 120 is not silent")
st, _, data = get("/api/v1/fleet?format=csv", "admin")
rows = {r["kiosk"]: r for r in csv.DictReader(io.StringIO(data.decode()))}
check(rows["k-b2"]["open_now"] == "false" and rows["k-t1"]["open_now"] == "true", "fleet CSV: open_now")

# --- errors -------------------------------------------------------------------------------
for path, what in [("/api/v1/overview?period=week", "period"), ("/api/v1/overview?from=2024-04-02&to=2024-04-01", "after"),
                   ("/api/v1/overview?from=2023-01-01&to=2024-04-01", "366"), ("/api/v1/overview?min_ratings=0", "min_ratings"),
                   ("/api/v1/overview?format=xml", "format"), ("/api/v1/overview?format=csv&table=kiosks", "table"),
                   ("/api/v1/store?" + R, "store is required"), ("/api/v1/store?store=Berlin&format=csv", "table")]:
    st, _, data = get(path, "boss")
    check(st == 400 and what in json.loads(data)["error"], f"{path}: 400 ({json.loads(data)['error']})")
for path in ["/api/v1/overview", "/api/v1/store?store=Berlin", "/api/v1/fleet"]:
    st, _, _ = req("GET", path)
    check(st == 401, f"{path}: 401 without a session")
    st, _, _ = req("GET", path, token=token("k-b1"))
    check(st == 403, f"{path}: 403 for a kiosk token")
    st, _, _ = req("POST", path, "{}", token=ADMIN)
    check(st == 405, f"{path}: POST is 405")
# --- a guessed address: a page for a person's browser, the JSON 404 for a script ----------------------------
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
for path in ["/fleet.html", "/nothing", "/static/nothing.js", "/store/Berlin"]:
    for who in (None, "boss"):
        st, h, data = req("GET", path, headers={"Accept": BROWSER}, cookie=sessions.get(who))
        check(st == 404 and h["Content-Type"] == "text/html; charset=utf-8" and b"<h1>Page not found</h1>" in data
              and b'href="/">Go to the overview' in data and b'href="/static/app.css"' in data
              and "default-src 'self'" in h["Content-Security-Policy"] and h["Cache-Control"] == "no-store",
              f"GET {path} from a browser ({'signed in' if who else 'no session'}): 404, the page not found, "
              "linking the overview, in the dashboard's style")
    for accept in (None, "*/*", "application/json", "application/json, text/html"):
        st, h, data = req("GET", path, headers={"Accept": accept} if accept else None, cookie=sessions["boss"])
        check(st == 404 and h["Content-Type"] == "application/json" and json.loads(data)["error"].startswith("no such "),
              f"GET {path}, Accept {accept}: the JSON 404 ({json.loads(data)['error']})")
for path in ["/api/v1/nothing", "/api/v1/store?store=Nowhere&" + R]:
    st, h, data = req("GET", path, headers={"Accept": BROWSER}, cookie=sessions["boss"])
    check(st == 404 and h["Content-Type"] == "application/json" and json.loads(data)["error"],
          f"GET {path} from a browser: an API path keeps the JSON 404 ({json.loads(data)['error']})")
st, h, data = req("HEAD", "/nothing", headers={"Accept": BROWSER})
check(st == 404 and h["Content-Type"] == "text/html; charset=utf-8" and not data, "HEAD /nothing from a browser: 404 as HTML, no body")

st, _, data = get("/api/v1/overview?period=30d", "boss")
check(st == 200 and json.loads(data)["period"]["days"] == 30, "period=30d")

# A name from before names were checked, not UTF-8: an error naming the problem, never a shorter answer.
import subprocess
subprocess.run(["sqlite3", f"{D}/hq.db", "UPDATE kiosks SET area = CAST(X'50ff' AS TEXT) WHERE id = 'k-h1'"], check=True)
for path in ["/api/v1/fleet", "/api/v1/store?store=%3DHamburg&" + R, "/api/v1/fleet?format=csv"]:
    st, _, data = get(path, "boss")
    check(st == 500 and "not valid UTF-8" in json.loads(data)["error"], f"{path}: a name that is not UTF-8 is a 500 naming it")
EOF
echo "ok: dashboard data end to end"
