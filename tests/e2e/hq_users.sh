#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# People and roles at head office, end to end against the real tally-hq on
# 127.0.0.1: stores in regions (kiosk add --region, store set-region), users
# of each role made with the CLI (passwords on stdin, never in argv), login
# with a cookie, and the rule that a user never sees a store outside their
# role: in GET /api/v1/stores and in the ratings export, JSON and CSV. Then
# the guards: no session 401, a bad or missing CSRF token or another
# origin 403, too many wrong passwords 429 with Retry-After, logout, and a
# deleted user or a new password ending sessions.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-users-XXXXXX")
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
login_max_failures = 3
login_max_failures_per_address = 1000
EOF
HQC="$HQ --config $DIR/hq.conf"
# Four stores: two in North, one put in South afterwards, one in no region.
$HQC kiosk add --store "North One" --area Counter --region North --id k-n1 >"$DIR/k-n1"
$HQC kiosk add --store "North Two" --area Counter --region North --id k-n2 >"$DIR/k-n2"
$HQC kiosk add --store "South, \"One\"" --area Counter --id k-s1 >"$DIR/k-s1"
$HQC kiosk add --store "Lonely" --area Counter --id k-l1 >"$DIR/k-l1"
$HQC store set-region "South, \"One\"" South >/dev/null
if $HQC store set-region Nowhere South 2>"$DIR/e"; then fail "set-region of an unknown store accepted"; fi
grep -q "no store Nowhere" "$DIR/e" || fail "unknown store: $(cat "$DIR/e")"
$HQC kiosk list >"$DIR/list"
grep -q "^k-n1 .*North One .*North " "$DIR/list" || fail "kiosk list lacks k-n1's region: $(cat "$DIR/list")"
grep -q "^k-s1 .* South " "$DIR/list" || fail "kiosk list lacks k-s1's new region: $(cat "$DIR/list")"
grep -q "^k-l1 .*Lonely  *- " "$DIR/list" || fail "kiosk list: a store in no region shows -: $(cat "$DIR/list")"
echo "ok: regions set by kiosk add --region and store set-region, shown by kiosk list"

echo 'chain-pass-1' | $HQC user add boss --role chain --password-stdin >/dev/null
echo 'north-pass-1' | $HQC user add north --role region --region North --password-stdin >/dev/null
echo 'both-pass-12' | $HQC user add twin --role region --region North --region South --password-stdin >/dev/null
echo 'south-pass-1' | $HQC user add south1 --role store --store "South, \"One\"" --password-stdin >/dev/null
echo 'lone-pass-12' | $HQC user add lone --role store --store Lonely --password-stdin >/dev/null
# The password is never an argument, and never asked without a terminal.
if $HQC user add x --role chain --password secret1234 2>/dev/null </dev/null; then fail "--password accepted"; fi
if $HQC user add x --role chain 2>"$DIR/e" </dev/null; then fail "user add without a terminal or --password-stdin"; fi
grep -q "use --password-stdin" "$DIR/e" || fail "no terminal: $(cat "$DIR/e")"
if echo 'short' | $HQC user add x --role chain --password-stdin 2>/dev/null; then fail "a 5-byte password accepted"; fi
if echo 'long-enough-1' | $HQC user add x --role store --password-stdin 2>/dev/null; then fail "store user without --store"; fi
if echo 'long-enough-1' | $HQC user add x --role chain --region North --password-stdin 2>/dev/null; then fail "chain user with a region"; fi
if echo 'long-enough-1' | $HQC user add boss --role chain --password-stdin 2>/dev/null; then fail "duplicate user"; fi
$HQC user list >"$DIR/users"
grep -q "^twin  *region  *regions North, South$" "$DIR/users" || fail "user list: $(cat "$DIR/users")"
grep -q "^boss  *chain  *every store$" "$DIR/users" || fail "user list: $(cat "$DIR/users")"
# Only an Argon2id hash is kept.
sqlite3 "$DIR/hq.db" "SELECT pw_hash FROM users WHERE name='boss'" | grep -q '^\$argon2id\$v=19\$m=65536,t=3,p=1\$' ||
	fail "stored hash: $(sqlite3 "$DIR/hq.db" "SELECT pw_hash FROM users WHERE name='boss'")"
! sqlite3 "$DIR/hq.db" .dump | grep -q 'chain-pass-1' || fail "a password is in the database"
echo "ok: users of each role added, listed, bad input refused, Argon2id hashes only"
$HQC admin-token >"$DIR/admin"

$HQC >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 600); do grep -q '^listening on ' "$DIR/out" && break; kill -0 "$PID" || break; sleep 0.05; done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
[ -n "$PORT" ] || { cat "$DIR/err"; fail "no listening line"; }

PORT=$PORT DIR=$DIR HQC="$HQC" ADMIN=$(cat "$DIR/admin") /usr/bin/python3 - <<'EOF'
import csv, http.client, io, json, os, subprocess

port, D, ADMIN = int(os.environ["PORT"]), os.environ["DIR"], os.environ["ADMIN"]
T0 = 1711929600000  # 2024-04-01 00:00 UTC
ALL = {"North One", "North Two", 'South, "One"', "Lonely"}

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

# Each kiosk posts a different number of ratings, so a count tells whose rows an answer holds.
counts = {"k-n1": 3, "k-n2": 4, "k-s1": 5, "k-l1": 6}
store_of = {"k-n1": "North One", "k-n2": "North Two", "k-s1": 'South, "One"', "k-l1": "Lonely"}
for k, n in counts.items():
    body = json.dumps({"kiosk": k, "boots": ["boot-0"],
                       "ratings": [[s, s % 4, 4, "button", T0 + s * 60000, s, 0, 1, None, 0]
                                   for s in range(1, n + 1)]})
    st, _, data = req("POST", "/api/v1/ratings", body, {"Content-Type": "application/json"}, token=token(k))
    check(st == 200, f"{k} posts {n} ratings ({st} {data[:100]})")

def login(user, pw, form=False, headers=None):
    h = dict(headers or {})
    if form:
        from urllib.parse import urlencode
        body = urlencode({"user": user, "password": pw})
        h["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        body = json.dumps({"user": user, "password": pw})
        h["Content-Type"] = "application/json"
    return req("POST", "/login", body, h)

sessions = {}
for user, pw, form in [("boss", "chain-pass-1", False), ("north", "north-pass-1", True), ("twin", "both-pass-12", False),
                       ("south1", "south-pass-1", True), ("lone", "lone-pass-12", False)]:
    st, h, data = login(user, pw, form)
    check(st == 200, f"{user} logs in ({'form' if form else 'JSON'}): {st} {data[:120]}")
    sc = h.get("Set-Cookie", "")
    attrs = [a.strip() for a in sc.split(";")]
    check(attrs[0].startswith("tally_session=") and len(attrs[0]) == len("tally_session=") + 64, f"{user}: session cookie set")
    check({"HttpOnly", "SameSite=Strict", "Path=/"} <= set(attrs) and "Secure" not in attrs
          and any(a.startswith("Max-Age=") for a in attrs), f"{user}: cookie HttpOnly, SameSite=Strict, Path=/ (no Secure on plain HTTP): {sc}")
    doc = json.loads(data)
    check(doc["user"] == user and len(doc["csrf_token"]) == 64, f"{user}: answer names the user and a CSRF token")
    sessions[user] = (attrs[0], doc["csrf_token"])

# The session token is kept only hashed.
db_ids = subprocess.run(["sqlite3", f"{D}/hq.db", "SELECT hex(id_hash) FROM sessions"], capture_output=True, text=True).stdout
check(all(c.split("=")[1].upper() not in db_ids for c, _ in sessions.values()) and len(db_ids.split()) == 5,
      "sessions stored, by hash only")

expect = {"boss": ALL, "north": {"North One", "North Two"}, "twin": {"North One", "North Two", 'South, "One"'},
          "south1": {'South, "One"'}, "lone": {"Lonely"}}
rows_for = lambda stores: sum(n for k, n in counts.items() if store_of[k] in stores)
for user, want in expect.items():
    cookie = sessions[user][0]
    st, _, data = req("GET", "/api/v1/stores", cookie=cookie)
    doc = json.loads(data)
    got = {s["store"] for s in doc["stores"]}
    check(st == 200 and got == want, f"{user} ({doc.get('role')}): /api/v1/stores shows exactly {sorted(want)} (got {sorted(got)})")
    st, h, data = req("GET", "/api/v1/ratings?from=2024-04-01&to=2024-04-01&format=csv", cookie=cookie)
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    check(st == 200 and h["Content-Type"].startswith("text/csv") and {r["store"] for r in rows} == want
          and len(rows) == rows_for(want), f"{user}: CSV export holds only their stores ({len(rows)} rows)")
    st, _, data = req("GET", "/api/v1/ratings?from=2024-04-01&to=2024-04-01&format=json", cookie=cookie)
    rows = json.loads(data)["ratings"]
    check(st == 200 and {r["store"] for r in rows} == want and len(rows) == rows_for(want),
          f"{user}: JSON export holds only their stores")
    # Paging never leaks another store either.
    seen, after = set(), None
    while True:
        st, h, data = req("GET", "/api/v1/ratings?from=2024-04-01&to=2024-04-01&limit=2" + (f"&after={after}" if after else ""), cookie=cookie)
        doc = json.loads(data)
        seen |= {r["store"] for r in doc["ratings"]}
        after = doc["next"]
        if not after:
            break
    check(seen == want, f"{user}: paged export holds only their stores")
    for other in ALL - want:
        from urllib.parse import quote
        st, _, data = req("GET", "/api/v1/ratings?from=2024-04-01&to=2024-04-01&format=csv&store=" + quote(other), cookie=cookie)
        check(st == 403 and b"store," not in data, f"{user}: asking for {other} is refused 403, no rows")
st, _, data = req("GET", "/api/v1/stores", cookie=sessions["north"][0])
check(json.loads(data)["regions"] == ["North"], "a region user's regions are only theirs")

# The admin token still sees everything; a kiosk token is not an admin.
st, _, data = req("GET", "/api/v1/ratings?from=2024-04-01&to=2024-04-01&format=csv", token=ADMIN)
check(st == 200 and len(list(csv.DictReader(io.StringIO(data.decode())))) == sum(counts.values()), "admin token: every store")
st, _, data = req("GET", "/api/v1/stores", token=ADMIN)
check(st == 200 and {s["store"] for s in json.loads(data)["stores"]} == ALL, "admin token: /api/v1/stores has every store")
st, _, _ = req("GET", "/api/v1/stores", token=token("k-n1"))
check(st == 403, "kiosk token on /api/v1/stores: 403")

# No session, or a made-up one: 401.
for path in ["/api/v1/stores", "/api/v1/ratings?from=2024-04-01&to=2024-04-01&format=csv", "/api/v1/session"]:
    st, _, _ = req("GET", path)
    check(st == 401, f"no session: {path} 401")
    st, _, _ = req("GET", path, cookie="tally_session=" + "0" * 64)
    check(st == 401, f"unknown session: {path} 401")
st, _, data = req("GET", "/api/v1/session", cookie=sessions["twin"][0])
check(st == 200 and json.loads(data)["csrf_token"] == sessions["twin"][1], "GET /api/v1/session gives the CSRF token back")

# CSRF: a state change with a session needs the session's token, from this origin.
cookie, csrf = sessions["lone"]
host = f"127.0.0.1:{port}"
for what, hdr in [("no X-CSRF-Token", {}), ("a wrong X-CSRF-Token", {"X-CSRF-Token": "1" * 64}),
                  ("another session's token", {"X-CSRF-Token": sessions["boss"][1]}),
                  ("another Origin", {"X-CSRF-Token": csrf, "Origin": "http://evil.example"}),
                  ("Sec-Fetch-Site: cross-site", {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"})]:
    st, _, data = req("POST", "/logout", "", hdr, cookie=cookie)
    check(st == 403, f"logout with {what}: 403 ({data[:90]})")
st, _, _ = req("GET", "/api/v1/stores", cookie=cookie)
check(st == 200, "the refused logouts left the session alive")
st, h, _ = req("POST", "/logout", "", {"X-CSRF-Token": csrf, "Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"}, cookie=cookie)
check(st == 200 and h.get("Set-Cookie", "").startswith("tally_session=;") and "Max-Age=0" in h["Set-Cookie"],
      "logout with the token from this origin: 200, cookie cleared")
st, _, _ = req("GET", "/api/v1/stores", cookie=cookie)
check(st == 401, "after logout the cookie opens nothing")
st, _, data = req("POST", "/login", "user=boss&password=" + "x" * 9000, {"Content-Type": "application/x-www-form-urlencoded"})
check(st == 413, "a login body over 8192 bytes (no token needed to send one) is refused 413")
st, _, data = req("POST", "/login", "user=boss", {"Content-Type": "application/x-www-form-urlencoded"})
check(st == 400, "a login without a password: 400")
st, _, _ = login("boss", "chain-pass-1", headers={"Origin": "http://evil.example"})
check(st == 403, "a login posted from another site's page: 403")
# The login page's form posted without JavaScript (reply=page): 303 to its ?next= when that is a path of this
# server, never another site; back to the form with the reason; a cross-site post still refused.
form = {"Content-Type": "application/x-www-form-urlencoded"}
st, h, _ = req("POST", "/login?next=%2Fstore%3Fstore%3DBerlin%2520Mitte", "reply=page&user=boss&password=chain-pass-1", form)
check(st == 303 and h.get("Location") == "/store?store=Berlin%20Mitte" and h.get("Set-Cookie", "").startswith("tally_session="),
      f"the form without JavaScript: 303 to ?next= with the cookie ({h.get('Location')})")
for evil in ["//evil.example/x", "/%5Cevil.example", "https://evil.example/", "/x%0d%0aSet-Cookie:a=b"]:
    st, h, _ = req("POST", "/login?next=" + evil, "reply=page&user=boss&password=chain-pass-1", form)
    check(st == 303 and h.get("Location") == "/", f"the form's next={evil} is not followed: 303 to /")
st, h, _ = req("POST", "/login?next=%2Ffleet", "reply=page&user=boss&password=wrong-pass-1", form)
check(st == 303 and h.get("Location") == "/login?next=%2Ffleet#wrong" and "Set-Cookie" not in h,
      "the form with a wrong password: back to /login#wrong, no cookie")
st, _, _ = req("POST", "/login", "reply=page&user=boss&password=chain-pass-1", dict(form, Origin="http://evil.example"))
check(st == 403, "the form posted from another site's page (login CSRF): 403, no redirect")

# Wrong passwords: 401 each, then 429 with Retry-After, even for the right one.
for i in range(3):
    st, _, _ = login("north", "wrong-password")
    check(st == 401, f"wrong password {i + 1}: 401")
st, h, data = login("north", "north-pass-1")
check(st == 429 and int(h.get("Retry-After", "0")) > 0 and b"too many failed logins" in data,
      f"after 3 failures: 429 with Retry-After {h.get('Retry-After')}")
st, _, _ = login("nobody-at-all", "whatever-123")
check(st == 401, "an unknown user: the same 401")
st, _, _ = login("twin", "both-pass-12")
check(st == 200, "another account from the same address still logs in")
st, _, _ = req("GET", "/api/v1/stores", cookie=sessions["north"][0])
check(st == 200, "the locked account's open session is not ended by the lockout")

# A new password or deleting the user ends their sessions.
subprocess.run(os.environ["HQC"].split() + ["user", "passwd", "south1", "--password-stdin"], input="south-pass-2\n",
               text=True, check=True, capture_output=True)
st, _, _ = req("GET", "/api/v1/stores", cookie=sessions["south1"][0])
check(st == 401, "user passwd ends the user's sessions")
st, _, _ = login("south1", "south-pass-2")
check(st == 200, "the new password logs in")
subprocess.run(os.environ["HQC"].split() + ["user", "del", "boss"], check=True, capture_output=True)
st, _, _ = req("GET", "/api/v1/stores", cookie=sessions["boss"][0])
check(st == 401, "user del ends the user's sessions")
EOF

# Stopped cleanly, with the sanitizers silent (a leak shows at exit).
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || { cat "$DIR/err"; fail "tally-hq exited $rc after SIGTERM"; }
grep -q "user lone logged out" "$DIR/err" || fail "no log line for the logout"
echo "ok: hq_users all passed"
