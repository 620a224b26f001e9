#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Slow clients cannot lock everyone out of tally-hq (all on loopback):
# 1. 2,000 connections from eight addresses (127.0.1.1-8), each sending one
#    header byte every 5 s: a client from another address (127.0.0.2) gets
#    /healthz answered before a 1 s deadline, again and again; and the
#    trickling connections are closed by the server once header_timeout_s
#    has passed, however steadily they trickle.
# 2. Kiosks behind one NAT (127.0.0.3) share it with a client hoarding 300
#    slow connections: all 100 kiosk requests, sent at once, are answered
#    200; the server keeps at most slow_connections_per_address of the
#    hoarder's.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-slow-XXXXXX")
. "$(dirname "$0")/pg_lib.inc"
HQ_DB=$(hq_target "$DIR")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT

# Part 1 holds every slow connection (a cap per address would hide the global limit).
cat >"$DIR/hq.conf" <<CONF
[hq]
database = $HQ_DB
listen = 127.0.0.1:0
header_timeout_s = 12
slow_connections_per_address = 1000
CONF
HQC="$HQ --config $DIR/hq.conf"
TOKEN=$($HQC kiosk add --store S --area A --id k-nat 2>/dev/null | awk '$1=="token"{print $2}')

start_hq() {
	: >"$DIR/out"
	$HQC >"$DIR/out" 2>>"$DIR/err" &
	PID=$!
	for _ in $(seq 100); do grep -q '^listening on ' "$DIR/out" && break; sleep 0.1; done
	PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
	[ -n "$PORT" ] || { echo "no listening line"; cat "$DIR/err"; exit 1; }
}
stop_hq() {
	kill -TERM "$PID"
	rc=0
	wait "$PID" || rc=$?
	PID=""
	[ "$rc" -eq 0 ] || { echo "tally-hq exited $rc"; tail -20 "$DIR/err"; exit 1; }
}

cat >"$DIR/slow.py" <<'PY'
import os, resource, selectors, socket, sys, time

port, token = int(os.environ["PORT"]), os.environ["TOKEN"]
part = sys.argv[1]

def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
    print("ok:", what)

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
PREFIX = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "

class Slow:
    """Connections that send one byte of their headers every 5 s and never finish them."""
    def __init__(self, sources, n):
        self.sel = selectors.DefaultSelector()
        self.socks = []
        for i in range(n):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sources[i % len(sources)], 0))
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            self.socks.append(s)
            self.sel.register(s, selectors.EVENT_WRITE | selectors.EVENT_READ, [0, False])
        self.next_byte = time.monotonic()

    def pump(self, wait):
        """Sends the next byte when due; notes connections the server closed. Returns the number still open."""
        now = time.monotonic()
        due = now >= self.next_byte
        if due:
            self.next_byte = now + 5
        for key, ev in self.sel.select(timeout=wait):
            st = key.data
            if ev & selectors.EVENT_READ:
                try:
                    got = key.fileobj.recv(4096)
                except OSError:
                    got = b""
                if not got:
                    st[1] = True
                    self.sel.unregister(key.fileobj)
                    continue
            if ev & selectors.EVENT_WRITE and st[0] == 0:
                try:
                    key.fileobj.send(PREFIX[:1])
                    st[0] = 1
                    self.sel.modify(key.fileobj, selectors.EVENT_READ, st)
                except OSError:
                    pass
        if due:
            for key in list(self.sel.get_map().values()):
                st = key.data
                if st[0] and not st[1]:
                    try:
                        key.fileobj.send(PREFIX[st[0]:st[0] + 1] if st[0] < len(PREFIX) else b"a")
                        st[0] += 1
                    except OSError:
                        pass
        return len(self.sel.get_map())

    def close(self):
        for s in self.socks:
            s.close()

def get(source, path, deadline_s, token=None):
    """GET from source; the status, or None if no answer came before the deadline."""
    s = socket.socket()
    s.settimeout(deadline_s)
    t0 = time.monotonic()
    try:
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        auth = b"Authorization: Bearer %s\r\n" % token.encode() if token else b""
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (path.encode(), auth))
        data = b""
        while b"\r\n\r\n" not in data:
            left = deadline_s - (time.monotonic() - t0)
            if left <= 0:
                return None
            s.settimeout(left)
            got = s.recv(4096)
            if not got:
                break
            data += got
        return int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.1 ") else None
    except OSError:
        return None
    finally:
        s.close()

if part == "flood":
    N = 2000
    slow = Slow(["127.0.1.%d" % i for i in range(1, 9)], N)
    # Wait until every slow connection has sent its first byte (the server then holds them all).
    t_end = time.monotonic() + 60
    while time.monotonic() < t_end and sum(1 for s in slow.sel.get_map().values() if s.data[0] == 0):
        slow.pump(0.05)
    opened = sum(1 for k in slow.sel.get_map().values() if k.data[0] > 0)
    check(opened == N, "%d slow connections open, each sending a header byte every 5 s" % N)
    # While they trickle, another address is answered before a 1 s deadline, time after time.
    answers = []
    t_end = time.monotonic() + 5
    while time.monotonic() < t_end:
        slow.pump(0)
        answers.append(get("127.0.0.2", "/healthz", 1.0))
    held = slow.pump(0)
    check(held >= N * 0.99, "the server still holds the slow connections (%d of %d)" % (held, N))
    check(len(answers) >= 3 and all(a == 200 for a in answers),
          "127.0.0.2 got /healthz before each 1 s deadline, %d times, while %d slow connections trickled" % (len(answers), N))
    # header_timeout_s: the trickle does not keep them alive.
    t_end = time.monotonic() + 60
    while time.monotonic() < t_end and slow.pump(0.2):
        pass
    check(slow.pump(0) == 0, "all %d trickling connections closed by the server after header_timeout_s" % N)
    slow.close()
else:
    # A client hoarding slow connections behind the kiosks' NAT address.
    NAT = "127.0.0.3"
    slow = Slow([NAT], 300)
    t_end = time.monotonic() + 60
    while time.monotonic() < t_end and sum(1 for s in slow.sel.get_map().values() if s.data[0] == 0):
        slow.pump(0.05)
    # The server closes the hoarder's connections beyond the cap once they are over a second slow.
    t_end = time.monotonic() + 60
    while time.monotonic() < t_end and slow.pump(0.1) > int(os.environ["CAP"]):
        pass
    left = slow.pump(0)
    check(left <= int(os.environ["CAP"]), "the hoarder keeps %d slow connections (cap %s)" % (left, os.environ["CAP"]))
    # 100 kiosks behind the same address, all at once: every one is answered.
    import threading
    results = [None] * 100
    def kiosk(i):
        results[i] = get(NAT, "/api/v1/summary?day=2024-03-31", 30, token)
    ts = [threading.Thread(target=kiosk, args=(i,)) for i in range(100)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(all(r == 200 for r in results), "all 100 kiosks behind the hoarder's NAT answered 200 (%d refused)" %
          sum(1 for r in results if r != 200))
    slow.close()
PY

start_hq
PORT=$PORT TOKEN=$TOKEN python3 "$DIR/slow.py" flood
grep -q "sent no complete request headers within" "$DIR/err" || { echo "no log line for the cut connections"; exit 1; }
echo "ok: the cut is logged"
stop_hq

# Part 2 with the default cap.
sed -i '/slow_connections_per_address/d' "$DIR/hq.conf"
start_hq
PORT=$PORT TOKEN=$TOKEN CAP=32 python3 "$DIR/slow.py" nat
stop_hq
