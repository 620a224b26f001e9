#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tally-hq as an operator runs it (issue 9, points 5, 7, 8, 10, 12), a real
# server on 127.0.0.1 (random port): error bodies always JSON, exports that
# fail loudly instead of ending early, spreadsheet-safe CSV, log lines that
# cannot be forged, the token life cycle (list, revoke, rotate, expiry)
# and the fleet view (kiosk list, GET /api/v1/kiosks, GET /metrics).
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-ops-XXXXXX")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat >"$DIR/hq.conf" <<CONF
[hq]
database = $DIR/hq.db
listen = 127.0.0.1:0
CONF
HQC="$HQ --config $DIR/hq.conf"

# Names are UTF-8 text: a Latin-1 store name is refused at the door, with one line.
if $HQC kiosk add --store "$(printf 'Stra\337e')" --area Counter --id k-bad 2>"$DIR/bad.err"; then
	fail "a store name that is not UTF-8 was accepted"
fi
[ "$(wc -l <"$DIR/bad.err")" -eq 1 ] && grep -q "store must be UTF-8" "$DIR/bad.err" || fail "no clear error: $(cat "$DIR/bad.err")"
echo "ok: non-UTF-8 store name refused: $(cat "$DIR/bad.err")"

$HQC kiosk add --store "Berlin Mitte" --area Counter --tz Europe/Berlin --id k-a >"$DIR/a.txt" 2>/dev/null
$HQC kiosk add --store "Berlin Mitte" --area Warehouse --tz Europe/Berlin --id k-b >"$DIR/b.txt" 2>/dev/null
$HQC kiosk add --store "Hamburg" --area Counter --tz Europe/Berlin --id k-silent >/dev/null 2>&1
$HQC admin-token --label ops >"$DIR/admin1.txt" 2>/dev/null
$HQC admin-token --label backup --expires 30 >"$DIR/admin2.txt" 2>/dev/null

start() {
	: >"$DIR/out" # emptied now: the background job's redirection may come after the first read
	$HQC >>"$DIR/out" 2>>"$DIR/err" &
	PID=$!
	for _ in $(seq 300); do grep -q '^listening on ' "$DIR/out" && break; sleep 0.1; done
	PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
	[ -n "$PORT" ] || { cat "$DIR/err"; fail "no listening line"; }
}
stop() {
	kill -TERM "$PID"
	wait "$PID" || fail "tally-hq exited $? after SIGTERM"
	PID=""
}
start

TOKEN_A=$(awk '$1=="token"{print $2}' "$DIR/a.txt") TOKEN_B=$(awk '$1=="token"{print $2}' "$DIR/b.txt") \
ADMIN=$(cat "$DIR/admin1.txt") ADMIN2=$(cat "$DIR/admin2.txt") PORT=$PORT HQC="$HQC" DB="$DIR/hq.db" \
ERRLOG="$DIR/err" /usr/bin/python3 - <<'PY'
import http.client, json, os, sqlite3, subprocess

port = int(os.environ["PORT"])
A, B, ADMIN, ADMIN2 = os.environ["TOKEN_A"], os.environ["TOKEN_B"], os.environ["ADMIN"], os.environ["ADMIN2"]
HQC = os.environ["HQC"].split()
T0 = 1729980000000  # 2024-10-27 00:00 Europe/Berlin (the 25-hour day)

def req(method, path, body=None, token=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Authorization": "Bearer " + token} if token else {}
    if body is not None:
        h["Content-Type"] = "application/json"
    c.putrequest(method, path, skip_accept_encoding=True)  # the path goes out byte for byte
    for k, v in h.items():
        c.putheader(k, v)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Content-Type"), dict(r.getheaders()), data

def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
    print("ok:", what)

def cli(*args):
    p = subprocess.run(HQC + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr

def post(kiosk, token, seqs, version=None, synced=1, base=T0):
    b = {"kiosk": kiosk, "boots": ["boot-0"],
         "ratings": [[s, s % 4, 4, "button", base + s * 60000, s, 0, synced, None, 0] for s in seqs]}
    if version:
        b["version"] = version
    st, _, _, data = req("POST", "/api/v1/ratings", json.dumps(b).encode(), token)
    return st, json.loads(data)

# --- 5: error bodies are always JSON --------------------------------------------
for path, want in (("/%ff", "/\\xff"), ("/%c3%28", "/\\xc3("), ("/%1b%5b31m", "/\\x1b[31m")):
    st, ct, _, data = req("GET", path)
    msg = json.loads(data)["error"] if data else None
    check(st == 404 and ct == "application/json" and msg == "no such resource: " + want, f"GET {path}: 404 {msg!r}")

# --- 8: logs cannot be forged ------------------------------------------------------
st, _, _, _ = req("GET", "/x%0atally-hq:%20notice:%20admin%20token%20accepted%1b%5b2J%09%7f")
log = open(os.environ["ERRLOG"], encoding="utf-8", errors="replace").read()
check(st == 404 and "notice: admin token accepted" not in log.replace("\\x0atally-hq: notice: admin token accepted", ""),
      "a path with a newline forges no log line")
check("/x\\x0atally-hq: notice: admin token accepted\\x1b[2J\\x09\\x7f" in log, "control bytes logged as \\xNN")

# --- 12: version and health recorded by ingest ---------------------------------------
st, ack = post("k-a", A, range(1, 11), version="9.8.7")
check(st == 200 and ack["accepted"] == 10, "k-a posts with its version")
st, ack = post("k-b", B, range(1, 4), synced=0)
check(st == 200 and ack["accepted"] == 3, "k-b posts (no version, clock unsynced)")
st, ack = post("k-b", B, range(1, 4), synced=0)
check(st == 200 and ack["duplicates"] == 3, "k-b resends: duplicates")

rc, out, _ = cli("kiosk", "list")
lines = out.splitlines()
check(rc == 0 and lines[0].split()[:2] == ["ID", "STORE"], "kiosk list has a header")
order = [l.split()[0] for l in lines[1:]]
check(order == ["k-silent", "k-a", "k-b"], f"kiosk list: silent ones first (never, then oldest batch): {order}")
a = next(l for l in lines if l.startswith("k-a "))
check("9.8.7" in a and " synced " in a and " 10 " in a, f"kiosk list shows version, clock, last seq: {a}")
b = next(l for l in lines if l.startswith("k-b "))
check(" unsynced " in b, "k-b's clock shows unsynced")

st, ct, _, data = req("GET", "/api/v1/kiosks", token=ADMIN)
ks = json.loads(data)["kiosks"]
check(st == 200 and [k["id"] for k in ks] == ["k-silent", "k-a", "k-b"], "GET /api/v1/kiosks: silent ones first")
ka = ks[1]
check(ka["last_seq"] == 10 and ka["version"] == "9.8.7" and ka["clock"] == "synced" and ka["conflicts"] == 0
      and ka["last_batch_ms"] and ka["silent_s"] >= 0 and ka["batches"] == 1, f"k-a's health: {ka}")
check(ks[0]["last_batch_ms"] is None and ks[0]["version"] is None, "k-silent never posted")
check(ks[2]["duplicates"] == 3 and ks[2]["batches"] == 2, "k-b: 2 batches, 3 duplicates")
st, _, _, _ = req("GET", "/api/v1/kiosks", token=A)
check(st == 403, "GET /api/v1/kiosks refuses a kiosk token")

st, ct, _, data = req("GET", "/metrics")
check(st == 401, "GET /metrics needs the admin token by default")
st, ct, _, data = req("GET", "/metrics", token=ADMIN)
m = data.decode()
check(st == 200 and ct.startswith("text/plain; version=0.0.4"), "GET /metrics: Prometheus text")
def metric(line_start):
    for l in m.splitlines():
        if l.startswith(line_start + " "):
            return float(l.split()[-1])
    raise SystemExit("FAIL: no metric " + line_start)
check(metric("tally_hq_ratings_total") == 13 and metric("tally_hq_batches_total") == 3
      and metric("tally_hq_duplicates_total") == 3 and metric("tally_hq_conflicts_total") == 0, "metrics: counts")
check(metric('tally_hq_request_duration_seconds_bucket{le="+Inf"}') >= 10
      and metric("tally_hq_request_duration_seconds_count") >= 10 and "# TYPE tally_hq_request_duration_seconds histogram" in m,
      "metrics: request latency histogram")
check(metric('tally_hq_kiosk_last_seen_age_seconds{kiosk="k-a",store="Berlin Mitte"}') >= 0
      and 'tally_hq_kiosk_last_seen_age_seconds{kiosk="k-silent",store="Hamburg"} +Inf' in m, "metrics: last-seen age per kiosk")

# --- 7: CSV is safe in a spreadsheet -------------------------------------------------
db = sqlite3.connect(os.environ["DB"], timeout=10)
db.execute("UPDATE kiosks SET area = '=HYPERLINK(\"http://x\",\"y\")' WHERE id = 'k-a'")
db.commit()
st, ct, _, data = req("GET", "/api/v1/ratings?from=2024-10-27&to=2024-10-27&format=csv", token=ADMIN)
csv = data.decode()
check(st == 200 and ',"\'=HYPERLINK(""http://x"",""y"")",' in csv and ",=HYPERLINK" not in csv, "CSV neutralises a formula")

# --- 5: an export that cannot encode a row says so -------------------------------------
db.execute("UPDATE kiosks SET store = CAST(x'537472616465' AS TEXT) || CAST(x'df' AS TEXT) WHERE id = 'k-b'")
db.commit()
for fmt in ("json", "csv"):
    st, ct, _, data = req("GET", f"/api/v1/ratings?from=2024-10-27&to=2024-10-27&format={fmt}", token=ADMIN)
    err = json.loads(data)["error"]
    check(st == 500 and ct == "application/json" and "not valid UTF-8" in err, f"{fmt} export with a bad row: 500 {err}")
db.execute("UPDATE kiosks SET store = 'Berlin Mitte' WHERE id = 'k-b'")
db.commit()

# --- 6: no limit on time zones -------------------------------------------------------
# 70 more kiosks, each in its own zone (today's limit was 64: every summary failed with a 65th).
import glob, hashlib, time
zones = sorted(z[len("/usr/share/zoneinfo/"):] for z in glob.glob("/usr/share/zoneinfo/[AE]*/*")
               if os.path.isfile(z) and open(z, "rb").read(4) == b"TZif")[:70]
check(len(zones) == 70, "70 zones on disk")
for i, z in enumerate(zones):
    db.execute("INSERT INTO kiosks (id, store, area, tz, token_hash, created_ms) VALUES (?,?,?,?,?,?)",
               (f"z-{i}", f"Zone store {i}", "Counter", z, hashlib.sha256(f"zone-token-{i}".encode()).digest(),
                int(time.time() * 1000)))
db.commit()
st, ans = post("z-0", "zone-token-0", [1, 2], base=T0 + 12 * 3600000)  # midday UTC: the 27th everywhere
st, _, _, data = req("GET", "/api/v1/summary?day=2024-10-27", token="zone-token-0")
s = json.loads(data)
check(st == 200 and s["kiosk"]["total"] == 2 and s["chain"]["total"] == 13 + 2,
      f"summary with kiosks in {len(zones) + 1} zones: {st}")

# --- 10: tokens have a life cycle ------------------------------------------------------
rc, out, _ = cli("admin-token", "list")
rows = [l.split() for l in out.splitlines()[1:]]
check(rc == 0 and len(rows) == 2 and rows[0][1] == ADMIN[:8] and rows[0][2] == "active" and rows[1][-1] == "backup",
      "admin-token list: ids, prefixes, labels, no secrets")
check(ADMIN not in out and ADMIN2 not in out, "admin-token list prints no secret")
rc, out, err = cli("admin-token", "rotate", ADMIN[:8])
NEW = out.strip()
check(rc == 0 and len(NEW) == 64 and NEW != ADMIN, "admin-token rotate by prefix prints a new token")
st, _, _, _ = req("GET", "/api/v1/kiosks", token=ADMIN)
check(st == 401, "the rotated admin token is refused")
st, _, _, _ = req("GET", "/api/v1/kiosks", token=NEW)
check(st == 200, "the new admin token works")
rc, out, _ = cli("admin-token", "revoke", "2")
st, _, _, _ = req("GET", "/api/v1/kiosks", token=ADMIN2)
check(rc == 0 and st == 401, "admin-token revoke ID: refused from then on")
rc, _, err = cli("admin-token", "revoke", "ffffffff")
check(rc == 1 and "no admin token" in err, "revoking an unknown token says so")

rc, out, _ = cli("kiosk", "rotate-token", "k-a")
A2 = out.split("token ")[1].strip()
check(rc == 0 and len(A2) == 64 and A2 != A, "kiosk rotate-token prints a new token")
st, ans = post("k-a", A, [11])
check(st == 401, "k-a's old token is refused after rotation")
st, ans = post("k-a", A2, [11])
check(st == 200 and ans["accepted"] == 1, "k-a's new token works")
rc, _, err = cli("kiosk", "rotate-token", "k-nobody")
check(rc == 1 and "no kiosk" in err, "rotating an unknown kiosk says so")

# Expiry: a token whose day is over gets a 401 that says so (the clock is moved in the database).
rc, out, _ = cli("kiosk", "rotate-token", "k-b", "--expires", "1")
B2 = out.split("token ")[1].strip()
st, _ = post("k-b", B2, [4])
check(st == 200, "a token with an expiry works before it")
db.execute("UPDATE kiosks SET token_expires_ms = 1000 WHERE id = 'k-b'")
db.commit()
st, ans = post("k-b", B2, [5])
check(st == 401 and "expired" in ans["error"] and "k-b" in ans["error"], f"an expired kiosk token: 401 {ans['error']}")
rc, out, _ = cli("kiosk", "list")
check(" expired " in next(l for l in out.splitlines() if l.startswith("k-b ")), "kiosk list shows the expiry")
db.execute("UPDATE admin_tokens SET expires_ms = 1000 WHERE prefix = ?", (NEW[:8],))
db.commit()
st, _, _, data = req("GET", "/api/v1/kiosks", token=NEW)
check(st == 401 and "expired" in json.loads(data)["error"], "an expired admin token: 401 saying so")
rc, _, err = cli("admin-token", "--expires", "2001-01-01")
check(rc == 2 and "over" in err, "an expiry in the past is refused")
PY

# /metrics without a token from loopback, when configured so.
stop
echo "metrics_open_on_loopback = true" >>"$DIR/hq.conf"
start
code=$(/usr/bin/python3 -c "
import http.client,sys
c=http.client.HTTPConnection('127.0.0.1',$PORT,timeout=30); c.request('GET','/metrics'); r=c.getresponse(); b=r.read()
print(r.status, b.count(b'tally_hq_ratings_total'))")
[ "$code" = "200 3" ] || fail "metrics_open_on_loopback: got $code"
echo "ok: /metrics from loopback without a token when metrics_open_on_loopback = true"
stop
echo "hq_ops: all passed"
