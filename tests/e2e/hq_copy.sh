#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tally-hq copy --from SQLITE_PATH --to URI (issue 10, point 6): a head
# office on SQLite with something in every table (kiosks of two stores and
# regions, admin tokens, two installs of a re-imaged kiosk, ratings, a
# conflict, shift schedules, users, a session) is moved to a throwaway
# PostgreSQL cluster (tests/e2e/pg_lib.inc). The copy prints a count per
# table and a checksum per kiosk; tally-hq on PostgreSQL then serves the
# same summaries, exports and fleet view, takes the same kiosk tokens, user
# passwords and session cookie, and goes on numbering the export after the
# copied rows. A second copy onto a target holding ratings is refused with
# one line unless --replace; a target that cannot be reached is one line.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-copy-XXXXXX")
PID=""
. "$HERE/pg_lib.inc"
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	pg_stop
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

chmod 755 "$DIR"
DB="$DIR/hq.db"
HQC="$HQ --db $DB"
$HQC kiosk add --store "Berlin Mitte" --area Counter --region East --tz Europe/Berlin --id k-a >"$DIR/a.txt" 2>/dev/null
$HQC kiosk add --store "Berlin Mitte" --area Warehouse --tz Europe/Berlin --id k-b >"$DIR/b.txt" 2>/dev/null
$HQC kiosk add --store "Lisboa" --area Counter --region West --tz Europe/Lisbon --id k-c >"$DIR/c.txt" 2>/dev/null
$HQC admin-token --label copy-test >"$DIR/admin.txt" 2>/dev/null
echo "correct horse" | $HQC user add anna --role chain --password-stdin >/dev/null 2>&1
echo "battery staple" | $HQC user add bruno --role store --store Lisboa --password-stdin >/dev/null 2>&1
token() { awk '$1=="token"{print $2}' "$1"; }
export TOKEN_A="$(token "$DIR/a.txt")" TOKEN_B="$(token "$DIR/b.txt")" TOKEN_C="$(token "$DIR/c.txt")"
export ADMIN="$(cat "$DIR/admin.txt")" DAY=2025-06-17 OUT="$DIR"

# start TARGET: tally-hq on TARGET; sets PID and PORT.
start() {
	: >"$DIR/out" # emptied now: the background job's redirection may come after the first read
	$HQ --db "$1" --listen 127.0.0.1:0 >>"$DIR/out" 2>>"$DIR/err" &
	PID=$!
	PORT=""
	for _ in $(seq 300); do
		PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
		[ -n "$PORT" ] && break
		kill -0 "$PID" 2>/dev/null || { cat "$DIR/err"; fail "tally-hq exited"; }
		sleep 0.1
	done
	[ -n "$PORT" ] || { cat "$DIR/err"; fail "no listening line"; }
	export PORT
}
stop() {
	kill -TERM "$PID"
	wait "$PID" || fail "tally-hq exited $? after SIGTERM"
	PID=""
}

cat >"$DIR/lib.py" <<'PY'
import http.client, json, os, sys
T0 = 1750140000000  # 2025-06-17 08:00 Europe/Berlin
def req(method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", int(os.environ["PORT"]), timeout=60)
    c.request(method, path, body, headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data
def post(kiosk, token, install, first, n, shift=0, shifts=None):
    rows = [[s, (s * 5 + shift) % 4, 4, "button" if s % 3 else "touch", T0 + s * 61000, 1000 + s * 61000, 0,
             1 if s % 7 else 0, None if s % 7 or s % 2 else T0 + s * 61000 + 5, 1 if s % 23 == 0 else 0]
            for s in range(first, first + n)]
    batch = {"kiosk": kiosk, "install": install, "boots": ["boot-" + install], "ratings": rows}
    if shifts:
        batch["shifts"] = shifts
    return req("POST", "/api/v1/ratings", json.dumps(batch),
               {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
def auth(token):
    return {"Authorization": "Bearer " + token}
PY

# figures.py NAME: what head office serves: each kiosk's summary, each store's export, the fleet view.
cat >"$DIR/figures.py" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["OUT"])
from lib import req, auth
out = {}
def get(path, token):
    st, h, data = req("GET", path, headers=auth(token))
    if st != 200:
        sys.exit("%s: %d %s" % (path, st, data[:200]))
    return data
for name in ("TOKEN_A", "TOKEN_B", "TOKEN_C"):
    s = json.loads(get("/api/v1/summary?day=" + os.environ["DAY"], os.environ[name]))
    for k in ("as_of_ms", "hq_time_ms", "hq_clock_synced"):
        s.pop(k, None)
    out[name] = s
for store in ("Berlin%20Mitte", "Lisboa"):
    out[store] = get("/api/v1/ratings?format=csv&store=%s&from=%s&to=%s&limit=10000" % (store, os.environ["DAY"], os.environ["DAY"]),
                     os.environ["ADMIN"]).decode()
fleet = json.loads(get("/api/v1/kiosks", os.environ["ADMIN"]))
for k in ("as_of_ms", "hq_time_ms", "hq_clock_synced"):
    fleet.pop(k, None)
for k in fleet.get("kiosks", []):
    for f in list(k):
        if f == "silent_s":
            k.pop(f)  # seconds since the last batch: moves with the clock, not with the database
out["fleet"] = fleet
json.dump(out, open(os.path.join(os.environ["OUT"], sys.argv[1] + ".json"), "w"), sort_keys=True, indent=1)
PY

start "$DB"
python3 - <<'PY' || fail "posting to the SQLite head office"
import json, os, sys
sys.path.insert(0, os.environ["OUT"])
from lib import post, req
A, B, C = os.environ["TOKEN_A"], os.environ["TOKEN_B"], os.environ["TOKEN_C"]
def ok(r, what):
    if r[0] != 200:
        sys.exit("%s: %d %s" % (what, r[0], r[2][:300]))
ok(post("k-a", A, "inst-a", 1, 400, shifts=[[0, "Early = Mon-Fri 06:00-14:00\nLate = Mon-Fri 14:00-22:00\n"]]), "k-a")
ok(post("k-a", A, "inst-a2", 1, 50, shift=1), "k-a re-imaged")       # a second install: seq from 1 again
ok(post("k-b", B, "inst-b", 1, 300), "k-b")
ok(post("k-c", C, "inst-c", 1, 200), "k-c")
st, _, body = post("k-c", C, "inst-c", 190, 5, shift=2)                # the same seqs, other content
if st != 409:
    sys.exit("the conflicting batch got %d" % st)
st, h, body = req("POST", "/login", json.dumps({"user": "anna", "password": "correct horse"}),
                  {"Content-Type": "application/json"})
if st != 200:
    sys.exit("login: %d %s" % (st, body))
open(os.path.join(os.environ["OUT"], "cookie"), "w").write(h["Set-Cookie"].split(";")[0])
PY
python3 "$DIR/figures.py" sqlite || fail "figures on SQLite"
stop
for t in kiosks admin_tokens installs ratings conflicts rating_counts kiosk_shifts stores users user_scopes sessions; do
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM $t")" -gt 0 ] || fail "the SQLite head office has nothing in $t"
done
# Every table of the schema is one the copy knows (a new table needs a line in hq_copy.c).
for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"); do
	grep -q "{ \"$t\"," "$HERE/../../app/hq/hq_copy.c" || fail "table $t is not copied by tally-hq copy (app/hq/hq_copy.c)"
done
echo "ok: a head office on SQLite with rows in every table"

pg_start || fail "PostgreSQL did not start"
# As docs/head-office.md#moving-to-postgresql says: createdb, tally-hq copy, the setting changed with sed.
createdb -h "$TALLY_HQ_PG_SOCKET" -U tally copy_target || fail "createdb"
URI=$(pg_uri copy_target)
$HQ copy --from "$DB" --to "$URI" >"$DIR/copy.out" 2>"$DIR/copy.err" || { cat "$DIR/copy.err"; fail "copy failed"; }
grep -q "^ratings: 950 rows, the same count on both" "$DIR/copy.out" || { cat "$DIR/copy.out"; fail "no ratings count"; }
for k in k-a k-b k-c; do
	grep -Eq "^kiosk $k: [0-9]+ ratings, checksum [0-9a-f]{16} on both$" "$DIR/copy.out" || { cat "$DIR/copy.out"; fail "no checksum of $k"; }
done
grep -q "^copied .* every table counted and every kiosk's ratings checked$" "$DIR/copy.out" || fail "no last line"
echo "ok: copied: $(grep -c '^kiosk ' "$DIR/copy.out") kiosks checked; $(grep '^ratings:' "$DIR/copy.out")"

printf '[hq]\ndatabase = %s\nlisten = 127.0.0.1:0\n' "$DB" >"$DIR/tally.conf"
sed -i "s|^database = .*|database = $(printf %s "$URI" | sed 's/[&|]/\\&/g')|" "$DIR/tally.conf"
grep -qxF "database = $URI" "$DIR/tally.conf" || fail "the setting: $(cat "$DIR/tally.conf")"
start "$(sed -n 's/^database = //p' "$DIR/tally.conf")"
python3 "$DIR/figures.py" postgres || fail "figures on PostgreSQL"
cmp -s "$DIR/sqlite.json" "$DIR/postgres.json" || {
	diff "$DIR/sqlite.json" "$DIR/postgres.json" | head -20
	fail "PostgreSQL serves other figures than SQLite did"
}
echo "ok: the same summaries, exports and fleet view on PostgreSQL"
python3 - <<'PY' || fail "the copied head office does not carry on"
import json, os, sys
sys.path.insert(0, os.environ["OUT"])
from lib import post, req, auth
cookie = open(os.path.join(os.environ["OUT"], "cookie")).read()
st, _, body = req("GET", "/api/v1/session", headers={"Cookie": cookie})
assert st == 200 and json.loads(body)["user"] == "anna", ("the copied session", st, body)
st, _, body = req("POST", "/login", json.dumps({"user": "bruno", "password": "battery staple"}),
                  {"Content-Type": "application/json"})
assert st == 200, ("bruno's password", st, body)
st, _, body = post("k-b", os.environ["TOKEN_B"], "inst-b", 301, 10)
assert st == 200 and json.loads(body)["accepted"] == 10, ("a kiosk token posting to PostgreSQL", st, body)
st, _, body = post("k-c", os.environ["TOKEN_C"], "inst-c", 190, 5, shift=2)
assert st == 409, ("the conflict again", st, body)
# The new rows come after the copied ones in the export's order (the identity moved past the copied ids).
st, _, body = req("GET", "/api/v1/ratings?format=json&store=Berlin%20Mitte&from=2025-06-17&to=2025-06-17&limit=10000",
                  headers=auth(os.environ["ADMIN"]))
rows = json.loads(body)["ratings"]
assert [r["seq"] for r in rows if r["kiosk"] == "k-b"][-10:] == list(range(301, 311)), "new rows not last"
print("ok: session, passwords, kiosk tokens and conflicts carry on; new ratings follow the copied ones")
PY
stop

# A target that holds ratings is refused (one line, nothing changed) unless --replace.
if $HQ copy --from "$DB" --to "$URI" >/dev/null 2>"$DIR/again.err"; then
	fail "a second copy onto a head office holding ratings was not refused"
fi
[ "$(wc -l <"$DIR/again.err")" -eq 1 ] && grep -q "already holds 960 ratings; --replace empties it first" "$DIR/again.err" ||
	fail "no clear refusal: $(cat "$DIR/again.err")"
[ "$(pg_psql "$URI" "SELECT count(*) FROM ratings")" = 960 ] || fail "the refused copy changed the target"
echo "ok: refused: $(cat "$DIR/again.err")"
$HQ copy --from "$DB" --to "$URI" --replace >"$DIR/replace.out" 2>&1 || { cat "$DIR/replace.out"; fail "--replace"; }
[ "$(pg_psql "$URI" "SELECT count(*) FROM ratings")" = 950 ] || fail "--replace did not leave the source's ratings"
echo "ok: --replace empties the target first"

# A target that cannot be reached: one line, naming it without a password.
if $HQ copy --from "$DB" --to "postgresql:///no_such_db?host=$TALLY_HQ_PG_SOCKET&user=tally_pw&password=right-password" \
	>/dev/null 2>"$DIR/bad.err"; then
	fail "a copy to a missing database succeeded"
fi
[ "$(wc -l <"$DIR/bad.err")" -eq 1 ] && ! grep -q "right-password" "$DIR/bad.err" || fail "bad error: $(cat "$DIR/bad.err")"
echo "ok: missing target: $(cat "$DIR/bad.err")"
if $HQ copy --from "$DIR/none.db" --to "$URI" >/dev/null 2>"$DIR/bad2.err"; then
	fail "a copy from a missing file succeeded"
fi
[ "$(wc -l <"$DIR/bad2.err")" -eq 1 ] || fail "bad error: $(cat "$DIR/bad2.err")"
echo "ok: missing source: $(cat "$DIR/bad2.err")"
echo "PASS: hq_copy"
