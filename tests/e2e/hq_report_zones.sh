#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A region's daily report when its stores lie in zones far apart, across a
# DST change: region Pacific holds Auckland (UTC+13) and Los Angeles, whose
# Sunday 3 November 2024 is 25 hours long (PDT ends). The report covers
# each store's own local day of the same date and goes once the send time
# has passed in every store's zone: Sunday's report on Monday 06:00 in Los
# Angeles, holding Los Angeles's Sunday evening and not its Saturday
# evening (which is Sunday in Auckland). Checked against the real tally-hq:
# ratings posted over HTTP, `tally-hq report --now` at chosen instants,
# the report's JSON as queued for its webhook.
set -eu
NAME=report-zones . "$(dirname "$0")/hq_lib.inc"
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$DIR/hq.conf" <<EOF
[hq]
database = $HQ_DB
listen = 127.0.0.1:0
EOF
$HQC kiosk add --store Auckland --area Counter --region Pacific --tz Pacific/Auckland --id k-akl >"$DIR/k-akl" 2>/dev/null
$HQC kiosk add --store "Los Angeles" --area Counter --region Pacific --tz America/Los_Angeles --id k-lax >"$DIR/k-lax" 2>/dev/null
# Port 1 on loopback refuses: the report stays in the outbox, where this test reads it.
$HQC alerts add daily --region Pacific --at 06:00 --webhook http://127.0.0.1:1/hook >/dev/null

hq_start

PORT=$PORT DIR=$DIR /usr/bin/python3 - <<'PY'
import http.client, json, os
from datetime import datetime
port, D = int(os.environ["PORT"]), os.environ["DIR"]

def ms(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)

def token(kiosk):
    return [l.split()[1] for l in open(f"{D}/{kiosk}") if l.startswith("token ")][0]

# (UTC instant, face 0..3): 3s on the report's day, 0s on the days around it.
posts = {
    "k-akl": [("2024-11-02T23:00Z", 3),    # Sun 3 Nov 12:00 NZDT: Sunday
              ("2024-11-03T11:30Z", 0)],   # Mon 4 Nov 00:30 NZDT: Monday, not in
    "k-lax": [("2024-11-03T06:30Z", 0),    # Sat 2 Nov 23:30 PDT: Saturday (Sunday in Auckland), not in
              ("2024-11-03T07:30Z", 3),    # Sun 3 Nov 00:30 PDT: Sunday
              ("2024-11-04T07:30Z", 3)],   # Sun 3 Nov 23:30 PST, in the 25th hour's day: Sunday
}
for k, rs in posts.items():
    body = json.dumps({"kiosk": k, "boots": ["boot-0"],
                       "ratings": [[i + 1, v, 4, "button", ms(t), i + 1, 0, 1, None, 0] for i, (t, v) in enumerate(rs)]})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/api/v1/ratings", body, {"Content-Type": "application/json", "Authorization": "Bearer " + token(k)})
    r = c.getresponse(); r.read()
    if r.status != 200:
        raise SystemExit(f"FAIL: {k} cannot post ({r.status})")
print("ok: ratings of Auckland and Los Angeles posted around 3 November 2024")
PY
hq_stop

# The server itself queued today's report for the real yesterday while it ran: only 2024's are this test's.
outbox() { sqlite3 "$DIR/hq.db" "SELECT body FROM alert_outbox WHERE body LIKE '%\"period\":\"2024-%' ORDER BY id"; }
# Mon 4 Nov 06:30 in Auckland, Sun 3 Nov 09:30 in Los Angeles: Saturday's report (closed everywhere), not Sunday's.
$HQC report --now 2024-11-03T17:30Z >"$DIR/r1" 2>&1 || { cat "$DIR/r1"; fail "report --now"; }
grep -q "1 queued" "$DIR/r1" || { cat "$DIR/r1"; fail "Monday 06:30 in Auckland: one report (Saturday's) queued"; }
[ "$(outbox | wc -l)" = 1 ] && outbox | grep -q '"period":"2024-11-02"' ||
	{ outbox; fail "Monday morning in Auckland, Sunday still open in Los Angeles: the report queued is Saturday's"; }
echo "ok: Monday 06:30 in Auckland (Sunday 09:30 in Los Angeles): Sunday's region report waits, Saturday's goes"
# Mon 4 Nov 05:30 in Los Angeles: not yet.
$HQC report --now 2024-11-04T13:30Z >"$DIR/r2" 2>&1 || { cat "$DIR/r2"; fail "report --now"; }
grep -q "0 queued" "$DIR/r2" || { cat "$DIR/r2"; fail "Monday 05:30 in Los Angeles: nothing yet"; }
echo "ok: Monday 05:30 in Los Angeles: Sunday's report still waits for its send time there"
# Mon 4 Nov 06:30 in Los Angeles: Sunday's, each store's own Sunday.
$HQC report --now 2024-11-04T14:30Z >"$DIR/r3" 2>&1 || { cat "$DIR/r3"; fail "report --now"; }
grep -q "1 queued" "$DIR/r3" || { cat "$DIR/r3"; fail "Monday 06:30 in Los Angeles: Sunday's report"; }
outbox | sed -n 2p | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["period"] == "2024-11-03" and r["scope"] == "Pacific", r
assert r["ratings"] == 3 and r["happy_index"] == 100.0, f"each store its own Sunday (3 ratings, all 3s): {r}"
print("ok: Sunday region report: Auckland Sunday and the 25-hour Los Angeles Sunday, 3 ratings, Happy Index 100")
' || fail "Sunday's region report"
$HQC report --now 2024-11-04T15:30Z >"$DIR/r4" 2>&1 || { cat "$DIR/r4"; fail "report --now"; }
grep -q "0 queued" "$DIR/r4" || { cat "$DIR/r4"; fail "a report is sent once"; }
echo "ok: a region's report across zones and a DST change"
