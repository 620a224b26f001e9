#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tally-hq end to end: a real server on 127.0.0.1 (random port), the kiosk
# registry through the CLI, and every answer of the HTTP API, bad input
# included (malformed, unknown/revoked token, another kiosk's id, over
# 1 MiB, a gzip bomb, too many ratings, a client trickling a byte a second).
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-e2e-XXXXXX")
. "$(dirname "$0")/pg_lib.inc"
HQ_DB=$(hq_target "$DIR")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT

cat >"$DIR/hq.conf" <<EOF
[hq]
database = $HQ_DB
listen = 127.0.0.1:0
connection_timeout_s = 2
EOF
HQC="$HQ --config $DIR/hq.conf"
$HQC kiosk add --store "Berlin Mitte" --area Counter --tz Europe/Berlin --id k-a >"$DIR/a.txt"
$HQC kiosk add --store "Berlin Mitte" --area Warehouse --tz Europe/Berlin --id k-b >"$DIR/b.txt"
$HQC admin-token >"$DIR/admin.txt"
if $HQC kiosk add --store S --area A --tz Mars/Olympus 2>/dev/null; then echo "unknown zone accepted"; exit 1; fi
if $HQC kiosk add --store S --area A --id k-a 2>/dev/null; then echo "duplicate id accepted"; exit 1; fi

$HQC >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 600); do grep -q '^listening on ' "$DIR/out" && break; sleep 0.1; done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
[ -n "$PORT" ] || { echo "no listening line"; cat "$DIR/err"; exit 1; }

TOKEN_A=$(awk '$1=="token"{print $2}' "$DIR/a.txt") \
TOKEN_B=$(awk '$1=="token"{print $2}' "$DIR/b.txt") \
ADMIN=$(cat "$DIR/admin.txt") PORT=$PORT HQC="$HQC" /usr/bin/python3 - <<'EOF'
import gzip, http.client, json, os, socket, subprocess, time

port = int(os.environ["PORT"])
A, B, ADMIN = os.environ["TOKEN_A"], os.environ["TOKEN_B"], os.environ["ADMIN"]
T0 = 1711839600000  # 2024-03-31 00:00 Europe/Berlin (the spring-forward day)

def req(method, path, body=None, token=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if body is not None:
        h.setdefault("Content-Type", "application/json")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Content-Type"), dict(r.getheaders()), data

def batch(kiosk, seqs, misuse=()):
    return json.dumps({"kiosk": kiosk, "boots": ["boot-0"],
                       "ratings": [[s, s % 4, 4, "button", T0 + s * 60000, s, 0, 1, None,
                                    1 if s in misuse else 0] for s in seqs]}).encode()

def hq_clock(doc):
    """Every JSON answer carries head office's clock; checked here, then set aside."""
    assert isinstance(doc.pop("hq_time_ms"), int) and isinstance(doc.pop("hq_clock_synced"), bool), doc
    return doc

def post(body, token=A, headers=None):
    st, ct, _, data = req("POST", "/api/v1/ratings", body, token, headers)
    assert ct == "application/json", ct
    return st, hq_clock(json.loads(data))

def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
    print("ok:", what)

st, _, _, data = req("GET", "/healthz")
health = hq_clock(json.loads(data))  # and the engine with whether it answers (hq_health)
check(st == 200 and health.get("ok") is True and health.get("db_reachable") is True, "healthz")

st, ack = post(batch("k-a", range(1, 101), misuse={5}))
check(st == 200 and ack == {"kiosk": "k-a", "accepted": 100, "duplicates": 0, "acked_through": 100, "gaps": []}, "ingest 100")
st, ack = post(batch("k-a", range(1, 101), misuse={5}))
check(st == 200 and ack["accepted"] == 0 and ack["duplicates"] == 100 and ack["acked_through"] == 100, "replay is duplicates")
st, ans = post(batch("k-a", range(1, 101)))
check(st == 409 and ans["conflict"]["ratings"] == [{"seq": 5, "fields": ["flags"]}], "a repeat with other content is a 409 conflict")
st, ack = post(batch("k-a", [103, 104, 110]))
check(st == 200 and ack["acked_through"] == 100 and ack["gaps"] == [[101, 102], [105, 109]], "gaps reported")
st, ack = post(gzip.compress(batch("k-a", range(101, 103))), headers={"Content-Encoding": "gzip"})
check(st == 200 and ack["accepted"] == 2 and ack["acked_through"] == 104, "gzip body")

def refused(status, body, token=A, headers=None, what=""):
    st, ans = post(body, token, headers)
    check(st == status and isinstance(ans.get("error"), str) and "\n" not in ans["error"], f"{status} {what}: {ans.get('error')}")

refused(400, b'{"kiosk":"k-a","boots":[', what="malformed JSON")
refused(400, b'{"kiosk":"k-a","boots":["b"],"ratings":[[1,"2",4,"button",1,1,0,1,null,0]]}', what="wrong type")
refused(400, b'{"kiosk":"k-a","boots":["b"],"ratings":[[200,4,4,"button",1,1,0,1,null,0]]}', what="value out of range")
refused(400, b'{"kiosk":"k-a","boots":["b"],"ratings":[[200,1,9,"button",1,1,0,1,null,0]]}', what="scale out of range")
refused(400, b'not gzip at all', headers={"Content-Encoding": "gzip"}, what="corrupt gzip")
refused(401, batch("k-a", [200]), token=None, what="missing token")
refused(401, batch("k-a", [200]), token="0" * 64, what="unknown token")
refused(403, batch("k-a", [200]), token=B, what="another kiosk's id")
refused(413, batch("k-a", range(1000, 6001)), what="too many ratings")
# Refused on its Content-Length before the body is read: the server may close while we still send.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(("POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Length: %d\r\n\r\n" % (A, 1024 * 1024 + 10)).encode())
try:
    s.sendall(b" " * (1024 * 1024 + 10))
except OSError:
    pass
answer = b""
try:
    while not answer.endswith(b"}"):
        got = s.recv(4096)
        if not got:
            break
        answer += got
except OSError:
    pass
s.close()
check(answer.startswith(b"HTTP/1.1 413") and b'"error"' in answer, "413 body over 1 MiB")
refused(413, gzip.compress(b"[" + b" " * (2 * 1024 * 1024) + b"]"), headers={"Content-Encoding": "gzip"}, what="gzip bomb")

# A client trickling its body one byte a second gets a 408 after the 2 s deadline.
s = socket.create_connection(("127.0.0.1", port))
body = batch("k-a", [300])
s.sendall(("POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (A, len(body))).encode())
s.settimeout(1.0)
answer = b""
for i in range(8):
    try:
        s.sendall(body[i:i + 1])
        answer += s.recv(4096)
        break
    except socket.timeout:
        continue
    except OSError:
        break
s.settimeout(5)
try:
    while True:
        got = s.recv(4096)
        if not got:
            break
        answer += got
except OSError:
    pass
s.close()
check(answer.startswith(b"HTTP/1.1 408") and b'"error"' in answer, "slow client gets 408")

# A client that connects and says nothing is disconnected by the idle timeout.
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(10)
t = time.monotonic()
closed = s.recv(1) == b""
s.close()
check(closed and time.monotonic() - t < 9, "idle client disconnected")

# Nothing of the refused batches was written: k-a holds 1..104 and 110.
st, _, _, data = req("GET", "/api/v1/ratings?from=2024-03-31&to=2024-04-01&format=json&limit=5000", token=ADMIN)
rows = json.loads(data)["ratings"]
check(st == 200 and sorted(r["seq"] for r in rows) == list(range(1, 105)) + [110], "no partial writes")

st, _, _, data = req("GET", "/api/v1/summary?day=2024-03-31", token=A)
s = json.loads(data)
check(st == 200 and s["day"] == "2024-03-31" and s["kiosk"]["misuse"] == 1 and s["kiosk"]["total"] == 104, "summary over HTTP")
check([a["area"] for a in s["store"]["areas"]] == ["Counter", "Warehouse"], "summary lists every area")

# Admin export, paged: follow the Link header to the end, json then csv.
for fmt in ("json", "csv"):
    path, seen, pages = f"/api/v1/ratings?store=Berlin%20Mitte&from=2024-03-31&to=2024-03-31&format={fmt}&limit=40", 0, 0
    while path:
        st, ct, hdr, data = req("GET", path, token=ADMIN)
        assert st == 200, (st, data)
        pages += 1
        if fmt == "json":
            seen += len(json.loads(data)["ratings"])
        else:
            assert ct.startswith("text/csv"), ct
            seen += data.count(b"\r\n") - 1
        link = hdr.get("Link")
        path = link[link.index("<") + 1:link.index(">")] if link else None
    check(seen == 105 and pages == 3, f"admin export {fmt}: {seen} rows in {pages} pages")
st, _, _, _ = req("GET", "/api/v1/ratings?from=2024-03-31&to=2024-03-31", token=A)
check(st == 403, "export refuses a kiosk token")

subprocess.run(os.environ["HQC"].split() + ["kiosk", "revoke", "k-a"], check=True, stdout=subprocess.DEVNULL)
refused(401, batch("k-a", [105]), what="revoked token")
EOF

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || { echo "tally-hq exited $rc after SIGTERM"; cat "$DIR/err"; exit 1; }
grep -q "stopping" "$DIR/err"
grep -q "408 request body too slow" "$DIR/err"
echo "hq_api: all passed"
