#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Exactly once across replicas: two tally-hq on one PostgreSQL database,
# 100 kiosks split across them, each batch's retries landing on either
# replica (and some acked batches sent again, as after a lost ack). Midway
# replica A is killed with SIGKILL in the middle of its batches and
# restarted. At the end: every rating held once, every kiosk acked through
# its last seq, the hourly counts exact, a re-imaged kiosk's conflicting
# batch refused (409) by either replica alike and recorded, and no deadlock
# in the server's log.
# Run by make test's PostgreSQL pass; alone, it starts its own cluster.
. "$(dirname "$0")/sync_lib.inc"
pg_own
[ -z "${PG_OWN:-}" ] || trap 'cleanup; pg_stop' EXIT INT TERM
HQR=${TALLY_BUILD:-$ROOT/build}/tally-hq
KIOSKS=100 BATCHES=10 PER=20

HQ_DB=$(pg_fresh replicas_$$) || fail "no database"
# The kiosks, registered through the CLI (the release build: 100 starts).
i=0
while [ $i -lt $KIOSKS ]; do
	"$HQR" --db "$HQ_DB" kiosk add --id "k$i" --store "Store $((i % 10))" --area A 2>/dev/null |
		sed -n "s/^token[: =]*/k$i /p" >>"$T/tokens"
	i=$((i + 1))
done
[ "$(wc -l <"$T/tokens")" = $KIOSKS ] || fail "not $KIOSKS kiosks registered"

start_replica() { # NAME: starts replica NAME on its port (kept across restarts)
	eval "port=\${PORT_$1:-}"
	[ -n "$port" ] || { port=$(free_port); eval "PORT_$1=$port"; }
	"$HQ" --db "$HQ_DB" --listen "127.0.0.1:$port" >>"$T/hq-$1.log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	wait_http "http://127.0.0.1:$port/healthz" || fail "replica $1 did not come up"
}
start_replica A
start_replica B
note "replicas on $PORT_A and $PORT_B"

# The kiosks: one thread each, every batch to a random replica, retried on
# either until acked; a quarter of the acked batches sent once more.
PORTS="$PORT_A $PORT_B" TOKENS="$T/tokens" BATCHES=$BATCHES PER=$PER STATE="$T/poster" python3 - >"$T/poster.log" 2>&1 <<'PY' &
import http.client, json, os, random, threading, time
ports = [int(p) for p in os.environ["PORTS"].split()]
tokens = dict(l.split() for l in open(os.environ["TOKENS"]))
B, P = int(os.environ["BATCHES"]), int(os.environ["PER"])
T0 = 1718082000000
stats = {"sent": 0, "retries": 0, "acked": 0}
lock = threading.Lock()

def post(port, kiosk, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/api/v1/ratings", body=body,
              headers={"Authorization": "Bearer " + tokens[kiosk], "Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data

def batch(kiosk, b):
    rows = [[s, s % 4, 4, "button", T0 + s * 60000, s * 1000, 0, 1, None, 0] for s in range(b * P + 1, b * P + P + 1)]
    return json.dumps({"kiosk": kiosk, "install": "%032x" % (hash(kiosk) & (2**128 - 1)),
                       "boots": ["boot"], "ratings": rows})

def kiosk(k):
    for b in range(B):
        body = batch(k, b)
        while True:
            try:
                status, data = post(random.choice(ports), k, body)
            except OSError:
                status, data = 0, b""
            with lock:
                stats["sent"] += 1
            if status == 200:
                ack = json.loads(data)
                assert ack["acked_through"] == (b + 1) * P, (k, b, ack)
                break
            if status not in (0, 502, 503):
                raise SystemExit("%s batch %d: HTTP %d %s" % (k, b, status, data[:200]))
            with lock:
                stats["retries"] += 1
            time.sleep(0.05 + random.random() * 0.2)
        if random.random() < 0.25:  # the ack was "lost": the same batch again, to either replica
            while True:
                try:
                    status, data = post(random.choice(ports), k, body)
                except OSError:
                    status = 0
                if status == 200:
                    assert json.loads(data)["duplicates"] == P
                    break
                time.sleep(0.1)
        with lock:
            stats["acked"] += 1
            open(os.environ["STATE"], "w").write("%d\n" % stats["acked"])

threads = [threading.Thread(target=kiosk, args=(k,)) for k in tokens]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("posts %d, retries %d" % (stats["sent"], stats["retries"]))
PY
POSTER=$!
PIDS="$PIDS $POSTER"

# Kill replica A with SIGKILL mid-run (batches in flight on it), then bring it back.
wait_until 300 '[ "$(cat "$T/poster" 2>/dev/null || echo 0)" -ge $((KIOSKS * BATCHES / 3)) ]' || fail "the kiosks made no progress"
kill -9 "$PID_A"; wait "$PID_A" 2>/dev/null || true
note "replica A killed at $(cat "$T/poster") acked batches, $(hq_count) ratings held"
sleep 1
start_replica A
wait "$POSTER" || fail "a kiosk failed: $(tail -n 5 "$T/poster.log")"
note "$(tail -n 1 "$T/poster.log")"

total=$((KIOSKS * BATCHES * PER))
[ "$(hq_count)" = $total ] || fail "head office holds $(hq_count) ratings, not $total"
[ "$(hq_sql "SELECT count(*) FROM (SELECT DISTINCT kiosk_id, seq FROM ratings) d")" = $total ] || fail "a rating held twice"
[ "$(hq_sql "SELECT count(*) FROM kiosks WHERE acked_through = $((BATCHES * PER))")" = $KIOSKS ] ||
	fail "not every kiosk acked through $((BATCHES * PER))"
[ "$(hq_sql "SELECT sum(v0 + v1 + v2 + v3 + v4 + misuse + closed) FROM rating_counts")" = $total ] ||
	fail "the hourly counts are not exact: $(hq_sql "SELECT sum(v0 + v1 + v2 + v3 + v4) FROM rating_counts")"

# A re-imaged kiosk's old store sends other content under held seqs: 409 from either replica, recorded.
TOKEN0=$(awk '$1=="k0"{print $2}' "$T/tokens")
INSTALL0=$(hq_sql "SELECT install_id FROM installs WHERE kiosk_id = 'k0'")
for port in "$PORT_A" "$PORT_B"; do
	code=$(curl -s -o "$T/conflict.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN0" \
		-H 'Content-Type: application/json' --data "{\"kiosk\":\"k0\",\"install\":\"$INSTALL0\",\"boots\":[\"other\"],
		\"ratings\":[[1,3,4,\"button\",1718082060000,1000,0,1,null,0]]}" "http://127.0.0.1:$port/api/v1/ratings")
	[ "$code" = 409 ] || fail "replica on $port answered $code to a conflict: $(cat "$T/conflict.json")"
done
[ "$(hq_sql "SELECT times FROM conflicts WHERE kiosk_id = 'k0' AND seq = 1")" = 2 ] || fail "the conflict was not recorded twice"
[ "$(hq_count)" = $total ] || fail "a conflicting batch stored something"
! grep -qi "deadlock" "$T"/hq-*.log || fail "a deadlock in the replicas' logs"
note "ok: $total ratings once each across two replicas, one killed and restarted"
