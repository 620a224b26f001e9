#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tally-hq reads no body it has not agreed to hold: a request without a
# valid token is answered 401 on its headers, before a byte of its body is
# buffered (also with Expect: 100-continue, which gets no 100); and the
# bodies of authenticated requests in flight share [hq] body_memory_limit_mb,
# beyond which the answer is 503. Measured: 1,000 connections each uploading
# 1 MiB without a token leave the server's resident memory (VmRSS, sampled
# from /proc throughout, and its peak VmHWM) under 100 MiB.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-body-XXXXXX")
. "$(dirname "$0")/pg_lib.inc"
HQ_DB=$(hq_target "$DIR")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT

cat >"$DIR/hq.conf" <<CONF
[hq]
database = $HQ_DB
listen = 127.0.0.1:0
max_connections_per_address = 2000
body_memory_limit_mb = 2
CONF
HQC="$HQ --config $DIR/hq.conf"
TOKEN=$($HQC kiosk add --store S --area A --id k-body 2>/dev/null | awk '$1=="token"{print $2}')

$HQC >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 100); do grep -q '^listening on ' "$DIR/out" && break; sleep 0.1; done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
[ -n "$PORT" ] || { echo "no listening line"; cat "$DIR/err"; exit 1; }

PORT=$PORT TOKEN=$TOKEN HQPID=$PID /usr/bin/python3 - <<'PY'
import os, resource, selectors, socket, time

port, token, pid = int(os.environ["PORT"]), os.environ["TOKEN"], int(os.environ["HQPID"])
MIB = 1 << 20

def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
    print("ok:", what)

def status_kib(field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit("FAIL: no %s for pid %d" % (field, pid))

def read_answer(s, deadline):
    """Everything the server sends until it closes (or the answer is complete)."""
    data = b""
    s.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        while True:
            got = s.recv(65536)
            if not got:
                break
            data += got
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep and b"Content-Length:" in head:
                n = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
                if len(body) >= n and not head.startswith(b"HTTP/1.1 100"):
                    break
    except OSError:
        pass
    return data

# 1. Expect: 100-continue without a token: 401 at once, never a 100.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: 1048576\r\nExpect: 100-continue\r\n\r\n")
ans = read_answer(s, time.monotonic() + 30)
s.close()
check(ans.startswith(b"HTTP/1.1 401") and b"100 Continue" not in ans, "Expect: 100-continue without a token: 401, no 100")

# 2. 1,000 connections, each sending a 1 MiB body without a token.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
N = 1000
payload = memoryview(b"POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % MIB + b"[" * MIB)
sel = selectors.DefaultSelector()
conns = []
for i in range(N):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    c = {"sock": s, "sent": 0, "answer": b"", "done": False}
    conns.append(c)
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
rss_max = 0
deadline = time.monotonic() + 120
left = N
while left and time.monotonic() < deadline:
    for key, ev in sel.select(timeout=0.2):
        c = key.data
        s = c["sock"]
        if ev & selectors.EVENT_WRITE and c["sent"] < len(payload):
            try:
                c["sent"] += s.send(payload[c["sent"]:c["sent"] + 262144])
            except BlockingIOError:
                pass
            except OSError:
                c["sent"] = len(payload)  # the server closed: it has answered
            if c["sent"] >= len(payload):
                sel.modify(s, selectors.EVENT_READ, c)
        if ev & selectors.EVENT_READ:
            try:
                got = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                got = b""
            c["answer"] += got
            if not got:
                sel.unregister(s)
                s.close()
                c["done"] = True
                left -= 1
    rss_max = max(rss_max, status_kib("VmRSS"))
for c in conns:
    if not c["done"]:
        sel.unregister(c["sock"])
        c["sock"].close()
hwm = status_kib("VmHWM")
answered = sum(1 for c in conns if c["answer"].startswith(b"HTTP/1.1 401"))
print("server VmRSS at most %.1f MiB sampled, VmHWM %.1f MiB; %d/%d answered 401" % (rss_max / 1024, hwm / 1024, answered, N))
check(left == 0, "every upload ended (the server answered and closed)")
check(answered == N, "all %d uploads without a token answered 401" % N)
check(rss_max < 100 * 1024 and hwm < 100 * 1024, "server memory stayed under 100 MiB (VmHWM %.1f MiB)" % (hwm / 1024))

# 3. Authenticated bodies share body_memory_limit_mb = 2: two 1 MiB bodies fit, a third is refused 503.
def start_upload():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n[" % (token.encode(), MIB))
    return s

ups = [start_upload() for _ in range(3)]
# Exactly one of the three is over the budget, whichever the server saw last; it is answered now.
sel = selectors.DefaultSelector()
for s in ups:
    sel.register(s, selectors.EVENT_READ)
ready = sel.select(timeout=30)
sel.close()
check(len(ready) == 1, "one of three 1 MiB uploads answered while the other two are in flight")
over = ready[0][0].fileobj
ans = read_answer(over, time.monotonic() + 30)
check(ans.startswith(b"HTTP/1.1 503") and b"memory limit" in ans, "the third body over the 2 MiB budget: 503")
over.close()
for s in ups:
    if s is over:
        continue
    s.sendall(b" " * (MIB - 1))
    ans = read_answer(s, time.monotonic() + 30)
    s.close()
    check(ans.startswith(b"HTTP/1.1 400"), "a body within the budget is read and judged (400: not a batch)")
# The budget is given back: the next upload fits again.
s = start_upload()
s.sendall(b" " * (MIB - 1))
ans = read_answer(s, time.monotonic() + 30)
s.close()
check(ans.startswith(b"HTTP/1.1 400"), "budget released once those requests ended")
PY

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || { echo "tally-hq exited $rc"; tail -20 "$DIR/err"; exit 1; }
echo "ok: tally-hq stopped cleanly"
