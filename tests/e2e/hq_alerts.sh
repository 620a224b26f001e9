#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Alerts, reports and the poster end to end: the real tally-hq on
# 127.0.0.1 with a real SMTP server (aiosmtpd: STARTTLS with a throwaway
# certificate, AUTH required) and a webhook receiver (tests/e2e/alert_sinks.py).
# Rules are made through the API by the chain user (CSRF and roles
# checked); ratings are posted as kiosks post them. Each alert kind fires
# once with the right content and a valid HMAC signature; a failing
# webhook is retried until it takes the message; a restart neither
# repeats nor forgets an episode; the all clear comes when it ends;
# misuse and closed-hours presses trigger nothing; a silent kiosk is only
# silent in its opening hours (tally-hq alerts check --now); the daily and
# weekly reports arrive once at their time (tally-hq report --now); the
# poster is an A4 PDF with the store's name and figures (pdftotext,
# pdftoppm), also downloadable by a user who may see the store.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
E2E=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-alerts-XXXXXX")
SINK=""
cleanup() {
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null || true
	[ -f "$DIR/hq.pid" ] && kill "$(cat "$DIR/hq.pid")" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DIR/key.pem" -out "$DIR/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
/usr/bin/python3 "$E2E/alert_sinks.py" "$DIR" "$DIR/cert.pem" "$DIR/key.pem" mailer 'mail-pass-9' 2>"$DIR/sink.err" &
SINK=$!
for _ in $(seq 600); do [ -f "$DIR/ports" ] && break; kill -0 "$SINK" || break; sleep 0.05; done
[ -f "$DIR/ports" ] || { cat "$DIR/sink.err"; fail "the SMTP sink and webhook receiver did not start"; }
read -r SMTP_PORT HOOK_PORT <"$DIR/ports"

cat >"$DIR/hq.conf" <<EOF
[hq]
database = $DIR/hq.db
listen = 127.0.0.1:0

[alerts]
public_url = http://dash.example.test:8470/
webhook_url = http://127.0.0.1:$HOOK_PORT/hook
webhook_secret = hook-secret-42
smtp_url = smtp://127.0.0.1:$SMTP_PORT
smtp_user = mailer
smtp_password = mail-pass-9
smtp_from = tally@example.test
smtp_ca_file = $DIR/cert.pem
mail_to = ops@example.test
check_s = 1
retry_s = 0.2
timeout_s = 5
EOF
HQC="$HQ --config $DIR/hq.conf"
$HQC kiosk add --store "North One" --area Counter --region North --id k-n1 >"$DIR/k-n1"
$HQC kiosk add --store "North Two" --area Counter --region North --id k-n2 >"$DIR/k-n2"
$HQC kiosk add --store "Lonely" --area Counter --id k-l1 >"$DIR/k-l1"
$HQC kiosk add --store "Quiet" --area Door --id k-q1 >"$DIR/k-q1"
$HQC kiosk add --store "Quiet" --area Back --id k-q2 >"$DIR/k-q2"
# k-q2 is closed every day: its silence is never an alert.
$HQC kiosk hours k-q2 daily=closed >/dev/null
$HQC kiosk hours k-q2 | grep -q '^wed closed$' || fail "kiosk hours not kept: $($HQC kiosk hours k-q2)"
if $HQC kiosk hours k-q2 mon=8-20 2>"$DIR/e"; then fail "bad hours accepted"; fi
grep -q "is not a day's hours" "$DIR/e" || fail "bad hours: $(cat "$DIR/e")"
echo 'chain-pass-1' | $HQC user add boss --role chain --password-stdin >/dev/null
echo 'north-pass-1' | $HQC user add north --role region --region North --password-stdin >/dev/null
echo 'lone-pass-12' | $HQC user add lone --role store --store Lonely --password-stdin >/dev/null
echo 'n1-pass-1234' | $HQC user add n1 --role store --store "North One" --password-stdin >/dev/null
echo "ok: kiosks, opening hours and users set up"

DIR=$DIR HQC="$HQC" E2E="$E2E" /usr/bin/python3 - <<'EOF'
import glob, hashlib, hmac, http.client, json, os, re, signal, subprocess, sys, time
from email import message_from_bytes
from email.header import decode_header, make_header
from urllib.parse import quote

D, HQC = os.environ["DIR"], os.environ["HQC"].split()
SECRET = b"hook-secret-42"
port = None
hq = None

def check(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        for line in open(f"{D}/hq.err").read().splitlines()[-30:]:
            print("  hq: " + line, file=sys.stderr)
        sys.exit(1)
    print("ok: " + what)

def wait_for(cond, what, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    check(False, "timed out waiting for " + what)

def start():
    global hq, port
    out = open(f"{D}/hq.out", "w")
    hq = subprocess.Popen(HQC, stdout=out, stderr=open(f"{D}/hq.err", "a"))
    open(f"{D}/hq.pid", "w").write(str(hq.pid))
    line = wait_for(lambda: [l for l in open(f"{D}/hq.out") if l.startswith("listening on ")], "tally-hq to listen")
    port = int(line[0].strip().rsplit(":", 1)[1])

def stop():
    hq.send_signal(signal.SIGTERM)
    rc = hq.wait(timeout=60)
    os.unlink(f"{D}/hq.pid")
    check(rc == 0, f"tally-hq stopped cleanly (exit {rc}, sanitizers silent)")

def req(method, path, body=None, headers=None, cookie=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data

def token(kiosk):
    return [l.split()[1] for l in open(f"{D}/{kiosk}") if l.startswith("token ")][0]

seqs = {}
def post(kiosk, ratings):
    """ratings: (value, wall_ms, flags) on the 4-face scale, synced clock."""
    rows = []
    for value, wall, flags in ratings:
        seqs[kiosk] = seqs.get(kiosk, 0) + 1
        rows.append([seqs[kiosk], value, 4, "button", wall, seqs[kiosk], 0, 1, None, flags])
    body = json.dumps({"kiosk": kiosk, "install": "a" * 32, "boots": ["boot-0"], "ratings": rows})
    st, _, data = req("POST", "/api/v1/ratings", body, {"Content-Type": "application/json",
                                                        "Authorization": "Bearer " + token(kiosk)})
    check(st == 200, f"{kiosk} posts {len(rows)} ratings ({st} {data[:80]})")

def login(user, pw):
    st, h, data = req("POST", "/login", json.dumps({"user": user, "password": pw}), {"Content-Type": "application/json"})
    check(st == 200, f"{user} logs in")
    return h["Set-Cookie"].split(";")[0], json.loads(data)["csrf_token"]

def add_rule(session, rule, csrf=True):
    cookie, token_ = session
    h = {"Content-Type": "application/json"}
    if csrf:
        h["X-CSRF-Token"] = token_
    return req("POST", "/api/v1/alert-rules", json.dumps(rule), h, cookie=cookie)

def hooks():
    return [json.load(open(f)) for f in sorted(glob.glob(f"{D}/hook/*.json"))]

def mails():
    return [message_from_bytes(open(f, "rb").read()) for f in sorted(glob.glob(f"{D}/mail/*.eml"))]

def subject(m):
    return str(make_header(decode_header(m["Subject"])))

def signature_ok(h):
    sig = h["headers"].get("X-Tally-Signature", "")
    m = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", sig)
    if not m:
        return False
    want = hmac.new(SECRET, f"{m.group(1)}.{h['body']}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, m.group(2)) and abs(int(m.group(1)) - time.time()) < 600

def events(kind=None, store=None, event=None):
    out = []
    for h in hooks():
        b = json.loads(h["body"])
        if (kind is None or b.get("kind") == kind) and (store is None or b.get("store") == store) and \
           (event is None or b.get("event") == event):
            out.append((h, b))
    return out

now = int(time.time() * 1000)
start()
boss, north, lone, n1 = login("boss", "chain-pass-1"), login("north", "north-pass-1"), login("lone", "lone-pass-12"), login("n1", "n1-pass-1234")

# --- rules through the API: the chain only, with CSRF -------------------------------
st, _, data = add_rule(north, {"kind": "negative", "scope_kind": "store", "scope": "North One"})
check(st == 403 and b"only the chain role" in data, f"a region user may not add a rule ({st})")
st, _, _ = add_rule(boss, {"kind": "negative", "scope_kind": "store", "scope": "North One"}, csrf=False)
check(st == 403, f"no X-CSRF-Token: refused ({st})")
st, _, data = add_rule(boss, {"kind": "negative", "scope_kind": "store", "scope": "Nowhere"})
check(st == 400 and b"no store" in data, f"a rule for an unknown store: 400 ({data[:80]})")
st, _, data = add_rule(boss, {"kind": "negative", "scope_kind": "store", "scope": "North One", "threshold": 150})
check(st == 400 and b"threshold" in data, f"a share above 100 %: 400 ({data[:80]})")
st, _, data = add_rule(boss, {"kind": "negative", "scope_kind": "store", "scope": "North One"})
neg = json.loads(data)
check(st == 200 and neg["threshold"] == 50 and neg["window_min"] == 15 and neg["min_ratings"] == 4,
      f"a negative rule with the market's defaults, 50 % / 15 min / 4 ({data[:120]})")
st, _, data = add_rule(boss, {"kind": "negative", "scope_kind": "store", "scope": "Lonely"})
check(st == 200, "a negative rule for Lonely")
st, _, data = add_rule(boss, {"kind": "index", "scope_kind": "region", "scope": "North", "threshold": 40, "min_ratings": 4})
idx = json.loads(data)
check(st == 200 and idx["scope_kind"] == "region", "an index rule for region North (below 40 after 4 ratings)")
st, _, data = add_rule(boss, {"kind": "silent", "scope_kind": "store", "scope": "Quiet", "threshold": 2})
check(st == 200, "a silent rule for Quiet (2 h)")
st, _, data = add_rule(boss, {"kind": "daily", "scope_kind": "store", "scope": "North One", "mail_to": "n1@example.test"})
check(st == 200, "a daily report for North One to its manager")
st, _, data = add_rule(boss, {"kind": "weekly", "scope_kind": "region", "scope": "North", "send_at": "07:00"})
check(st == 200, "a weekly report for region North")
st, _, data = req("GET", "/api/v1/alert-rules", cookie=lone[0])
doc = json.loads(data)
check(st == 200 and {r["scope"] for r in doc["rules"]} == {"Lonely"} and not doc["can_edit"],
      f"a store user sees only its store's rules, and cannot edit ({[r['scope'] for r in doc['rules']]})")
st, _, data = req("GET", "/api/v1/alert-rules", cookie=north[0])
doc = json.loads(data)
check({r["scope"] for r in doc["rules"]} == {"North One", "North"} and all(r["webhook"] == "" for r in doc["rules"]),
      "a region user sees its region's and its stores' rules")

# --- history for the reports and the poster: week 2026-W46 (Nov 9-15) and the week before
T46 = 1794182400000  # 2026-11-09 00:00 UTC, a Monday
history, expect_hi = [], {}
for day in range(-7, 7):
    base = T46 + day * 86400000
    for i, v in enumerate([3, 3, 2, 3, 3, 1, 0] if day >= 0 else [2, 1, 1, 2]):
        hour = 14 if i < 3 else 10   # 14:00 is the best hour: all positive there
        history.append((v, base + hour * 3600000 + i * 60000, 0))
    if day >= 0:
        history.append((0, base + 11 * 3600000, 1))   # misuse: left out
post("k-n1", history)
week = [v for v, t, f in history if T46 <= t < T46 + 7 * 86400000 and f == 0]
week_hi = sum(v * 100 / 3 for v in week) / len(week)

# --- negative share: fires once, signed, with its link ------------------------------
post("k-n1", [(0, now - 60000, 0), (1, now - 50000, 0), (1, now - 40000, 0), (3, now - 30000, 0)])
alert = wait_for(lambda: events("negative", "North One", "alert"), "the negative alert's webhook")
h, b = alert[0]
check(signature_ok(h), f"the webhook's HMAC-SHA256 signature over timestamp and body verifies ({h['headers'].get('X-Tally-Signature')})")
check(h["headers"].get("X-Tally-Event") == "alert" and h["headers"]["Content-Type"] == "application/json", "event header and JSON type")
check(b["value"] == 75 and b["ratings"] == 4 and b["rule"]["id"] == neg["id"] and isinstance(b["episode"], int),
      f"the body says 75 % of 4 ratings, the rule and the episode ({b['detail']})")
check(b["link"] == f"http://dash.example.test:8470/alerts?episode={b['episode']}", f"the link to the page that explains it: {b['link']}")
m = wait_for(lambda: [m for m in mails() if "Tally alert: North One" in subject(m)], "the negative alert's mail")[0]
check(m["To"] == "ops@example.test" and m["From"] == "tally@example.test" and m["X-Was-TLS"] == "True" and m["X-Auth"] == "True",
      "the mail went to the configured recipient after STARTTLS and AUTH")
text = m.get_payload(decode=True).decode()
check("75 % negative" in text and b["link"] in text, "the mail says the figure and links the page")

# --- misuse and closed-hours presses never trigger -----------------------------------
post("k-l1", [(0, now - 9000 + i * 100, 1) for i in range(6)] + [(0, now - 5000 + i * 100, 2) for i in range(3)])

# --- the day's Happy Index, with a webhook that fails twice first ---------------------
open(f"{D}/hook-fail", "w").write("2")
post("k-n2", [(0, now - 20000 + i * 1000, 0) for i in range(4)])
idx_alert = wait_for(lambda: events("index", "North Two", "alert"), "the index alert after two failures", 90)
check(len(glob.glob(f"{D}/hook-failed/*.json")) == 2, "the receiver refused twice (HTTP 500) before taking it")
check(signature_ok(idx_alert[0][0]), "the retried webhook carries a fresh valid signature")
check(len(events("index", "North Two", "alert")) == 1, "the retried alert arrived once")
err = open(f"{D}/hq.err").read()
check("attempt 1 failed: the webhook answered HTTP 500" in err and "hook-secret-42" not in err and "mail-pass-9" not in err,
      "failed attempts logged, no secret in the log")
st, _, data = req("GET", "/api/v1/alerts?state=open", cookie=lone[0])
check(st == 200 and json.loads(data)["alerts"] == [], "nothing for the misuse and closed-hours presses at Lonely")
st, _, data = req("GET", "/api/v1/alerts?state=open", cookie=n1[0])
got = json.loads(data)["alerts"]
check([a["store"] for a in got] == ["North One"], f"a store user sees only its store's alerts ({[a['store'] for a in got]})")
st, _, data = req("GET", "/api/v1/alerts", cookie=boss[0])
check({(a["store"], a["kind"], a["state"]) for a in json.loads(data)["alerts"]} ==
      {("North One", "negative", "open"), ("North Two", "index", "open")}, "the chain sees both open episodes")

# --- a restart neither repeats nor forgets -------------------------------------------
stop()
start()
# The positive ratings end North One's episode; its all clear comes from the new process.
post("k-n1", [(3, now - 10000 + i * 100, 0) for i in range(8)])
clear = wait_for(lambda: events("negative", "North One", "clear"), "the all clear after the restart")
check(clear[0][1]["episode"] == b["episode"] and clear[0][1]["cleared_ms"] and signature_ok(clear[0][0]),
      "the all clear names the same episode, signed")
wait_for(lambda: [m for m in mails() if "Tally all clear: North One" in subject(m)], "the all clear's mail")
check(len(events("negative", "North One", "alert")) == 1 and len(events("index", "North Two", "alert")) == 1,
      "no alert sent again after the restart")
check(len(events(event="clear")) == 1, "North Two's episode still open: no all clear for it")

# --- the poster, downloaded by a user who may see the store -----------------------------
st, h, data = req("GET", "/api/v1/poster?store=" + quote("North One") + "&week=2026-W46", cookie=n1[0])
check(st == 200 and h["Content-Type"] == "application/pdf" and data.startswith(b"%PDF-") and
      h.get("Content-Disposition") == 'attachment; filename="tally-poster-North-One-2026-W46.pdf"',
      f"the poster downloads as a PDF ({st} {h.get('Content-Disposition')})")
st, _, _ = req("GET", "/api/v1/poster?store=" + quote("North One") + "&week=2026-W46", cookie=lone[0])
check(st == 404, "a user who may not see the store gets 404 for its poster")
st, _, _ = req("GET", "/api/v1/poster?store=Lonely&week=2026-W99", cookie=lone[0])
check(st == 400, "week 99: 400")
stop()

# --- silent kiosks, only in opening hours (the clock given to alerts check) ------------
def run(*args, ok=True):
    r = subprocess.run(HQC + list(args), capture_output=True, text=True)
    check((r.returncode == 0) == ok, f"tally-hq {' '.join(args)}: exit {r.returncode} {r.stderr.strip()}")
    return r.stdout
q1_heard = int(subprocess.run(["sqlite3", f"{D}/hq.db", "SELECT max(last_batch_ms, created_ms) FROM kiosks WHERE id='k-q1'"],
                              capture_output=True, text=True).stdout)
iso = lambda ms: time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(ms / 1000))
out = run("alerts", "check", "--now", iso(q1_heard + 3600000))
check("0 opened" in out, f"1 h of silence: no alert ({out.strip()})")
out = run("alerts", "check", "--now", iso(q1_heard + 3 * 3600000))
check("1 opened" in out and "2 sent" in out, f"3 h of silence: k-q1 alerted, k-q2 (closed all week) not ({out.strip()})")
out = run("alerts", "check", "--now", iso(q1_heard + 3 * 3600000 + 60000))
check("0 opened" in out, "checked again: not sent twice")
s = events("silent", "Quiet", "alert")
check(len(s) == 1 and s[0][1]["subject"] == "k-q1" and "k-q1" in s[0][1]["detail"], "the silent alert names the kiosk")

# --- reports at their time ------------------------------------------------------------
out = run("report", "--now", "2026-11-16T06:59Z")
check("0 queued" in out, "06:59 on Monday: no report yet")
out = run("report", "--now", "2026-11-16T07:05Z")
check("2 queued" in out, f"07:05 on Monday: the daily and the weekly report ({out.strip()})")
out = run("report", "--now", "2026-11-16T07:30Z")
check("0 queued" in out, "07:30: not sent again")
# The server's own loop also reports in real time: the real yesterday once the send time has passed
# where the store is (and last week on a Monday). This test's reports are those of the simulated periods.
weekly = [m for m in mails() if "weekly report" in subject(m) and "2026-W46" in subject(m)]
daily = [m for m in mails() if "daily report" in subject(m) and "2026-11-15" in subject(m)]
check(len(weekly) == 1 and len(daily) == 1, "one weekly and one daily mail")
check(daily[0]["To"] == "n1@example.test" and "2026-11-15" in subject(daily[0]), "the daily report went to the rule's recipient, for Sunday")
wt = weekly[0].get_payload(decode=True).decode()
check(f"Happy Index  {week_hi:.1f}" in wt and f"Ratings      {len(week)} (left out: 7 misuse" in wt,
      f"the weekly figures match the ratings posted: Happy Index {week_hi:.1f} of {len(week)}")
check("Best hour    14:00-15:00" in wt and "2026-W46" in subject(weekly[0]), "the best hour, 14:00, and the ISO week")
check("http://dash.example.test:8470/?region=North&from=2026-11-09&to=2026-11-15" in wt, "the weekly report links the region's page")
rep = [e for e in events("weekly", event="report") if e[1].get("period") == "2026-W46"]
check(len(rep) == 1 and signature_ok(rep[0][0]) and abs(rep[0][1]["happy_index"] - week_hi) < 0.01, "the weekly report's webhook, signed")
print(f"WEEK_HI {week_hi:.0f}")
EOF
echo "ok: alerts and reports"

# --- the poster: an A4 PDF with the name and figures, pixels drawn ---------------------
$HQC poster --store "North One" --week 2026-W46 --out "$DIR/poster.pdf" >/dev/null
pdfinfo "$DIR/poster.pdf" | grep -q '^Page size: *595.276 x 841.89 pts (A4)' || fail "not A4: $(pdfinfo "$DIR/poster.pdf" | grep 'Page size')"
pdftotext "$DIR/poster.pdf" "$DIR/poster.txt"
for want in "North One" "Week 2026-W46" "Happy Index" "Best hour: 14:00" "Mon" "Sun" "% positive"; do
	grep -q "$want" "$DIR/poster.txt" || fail "the poster lacks \"$want\": $(cat "$DIR/poster.txt")"
done
pdftoppm -png -r 60 -singlefile "$DIR/poster.pdf" "$DIR/poster"
mkdir -p "$BUILD/screenshots"
cp "$DIR/poster.png" "$BUILD/screenshots/poster.png"
white=$(/usr/bin/python3 "$E2E/png_pixels.py" "$DIR/poster.png" count ffffff)
total=$(/usr/bin/python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); w,h=struct.unpack('>II',d[16:24]); print(w*h)" "$DIR/poster.png")
[ "$white" -lt $((total * 95 / 100)) ] || fail "the poster is nearly blank: $white of $total pixels white"
if $HQC poster --store Nowhere --week 2026-W46 --out "$DIR/x.pdf" 2>"$DIR/e"; then fail "a poster for an unknown store"; fi
grep -q 'no store "Nowhere"' "$DIR/e" || fail "unknown store: $(cat "$DIR/e")"
echo "ok: the poster is A4 with the store's name and figures ($white of $total pixels white; build/screenshots/poster.png)"

# --- rules on the command line (hq_cli_opts reads its options, as kiosk add's) ------------
rule=$($HQC alerts add negative --store "North One" --threshold 40 --window 30 --min 5 --mail-to cli@example.test |
	awk '$1=="rule"{print $2}')
[ -n "$rule" ] || fail "alerts add printed no rule id"
$HQC alerts list | grep -E "^$rule +negative +store North One +40 +30 +5 +- +cli@example.test" >/dev/null ||
	fail "alerts list lacks rule $rule as added: $($HQC alerts list)"
if $HQC alerts add negative --store A --region B 2>"$DIR/e"; then fail "a rule for a store and a region"; fi
grep -q '^usage:' "$DIR/e" || fail "--store with --region: $(cat "$DIR/e")"
if $HQC alerts add index --store A --min 2.5 2>"$DIR/e"; then fail "--min 2.5 taken"; fi
grep -q -- '--min: "2.5" is not a number' "$DIR/e" || fail "--min 2.5: $(cat "$DIR/e")"
if $HQC alerts add index --store A --window 2>"$DIR/e"; then fail "an option without its value taken"; fi
if $HQC alerts check --now 2>"$DIR/e"; then fail "--now without its time taken"; fi
grep -q 'expected --now TIME' "$DIR/e" || fail "--now alone: $(cat "$DIR/e")"
if $HQC poster --store "North One" --week 2026-W46 2>"$DIR/e"; then fail "a poster without --out"; fi
$HQC alerts del "$rule" >/dev/null || fail "alerts del $rule"
echo "ok: rules added, listed and refused on the command line"
