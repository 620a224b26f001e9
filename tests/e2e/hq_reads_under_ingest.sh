#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Reads stay served while the writer is busy: the database's write lock is
# held from outside (as a long write would hold it) while eight kiosks
# POST batches; /healthz and a kiosk's /api/v1/summary are answered, five
# times each, while every one of those POSTs is still waiting. Then the
# lock goes and every batch is stored and acknowledged. (Before the writer
# thread, the POSTs held the HTTP threads and the reads waited behind them.)
set -eu
NAME=reads . "$(dirname "$0")/hq_lib.inc"

cat >"$DIR/hq.conf" <<CONF
[hq]
database = $DIR/hq.db
listen = 127.0.0.1:0
threads = 2
CONF
for i in 1 2 3 4 5 6 7 8; do
	$HQC kiosk add --store S --area A --tz Europe/Berlin --id "k-$i" 2>/dev/null | awk '$1=="token"{print $2}' >"$DIR/token-$i"
done

hq_start

PORT=$PORT DIR=$DIR /usr/bin/python3 - <<'PY'
import array, fcntl, json, os, socket, sqlite3, termios, threading, time

port, d = int(os.environ["PORT"]), os.environ["DIR"]
tokens = [open("%s/token-%d" % (d, i)).read().strip() for i in range(1, 9)]
T0 = 1711875600000

def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
    print("ok:", what)

def get(path, token=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    auth = b"Authorization: Bearer %s\r\n" % token.encode() if token else b""
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (path.encode(), auth))
    data = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        data += got
    s.close()
    return int(data.split(b" ")[1])

# Hold the write lock, as a long transaction would.
lock = sqlite3.connect(d + "/hq.db", isolation_level=None, timeout=30)
lock.execute("BEGIN IMMEDIATE")

posts = []
for i, tok in enumerate(tokens):
    body = json.dumps({"kiosk": "k-%d" % (i + 1), "boots": ["b"],
                       "ratings": [[s, s % 4, 4, "button", T0 + s * 1000, s, 0, 1, None, 0] for s in range(1, 501)]}).encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    s.sendall(b"POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Authorization: Bearer %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (tok.encode(), len(body)) + body)
    posts.append({"sock": s, "answer": None})

# Wait until the server's side has every POST's bytes (nothing left in our send queues).
def unsent(s):
    buf = array.array("i", [0])
    fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, buf)
    return buf[0]
deadline = time.monotonic() + 60
while time.monotonic() < deadline and any(unsent(p["sock"]) for p in posts):
    time.sleep(0.01)
check(not any(unsent(p["sock"]) for p in posts), "8 batches posted while the write lock is held")

def wait_answer(p):
    data = b""
    while True:
        got = p["sock"].recv(65536)
        if not got:
            break
        data += got
    p["answer"] = data
threads = [threading.Thread(target=wait_answer, args=(p,)) for p in posts]
for t in threads:
    t.start()

pairs = 0
while pairs < 5 and all(p["answer"] is None for p in posts):
    h = get("/healthz")
    sm = get("/api/v1/summary?day=2024-03-31", tokens[0])
    if any(p["answer"] is not None for p in posts):
        break  # answered, but not while every POST was waiting
    check(h == 200 and sm == 200, "read pair %d answered (healthz %d, summary %d) while all 8 POSTs wait" % (pairs + 1, h, sm))
    pairs += 1
check(pairs == 5, "5 read pairs answered while the writer was blocked (got %d)" % pairs)

lock.execute("ROLLBACK")
lock.close()
for t in threads:
    t.join()
for i, p in enumerate(posts):
    head, _, body = p["answer"].partition(b"\r\n\r\n")
    check(head.startswith(b"HTTP/1.1 200") and json.loads(body)["accepted"] == 500,
          "k-%d's batch stored and acknowledged once the lock went" % (i + 1))
PY

hq_stop
[ "$(sqlite3 "$DIR/hq.db" 'SELECT count(*) FROM ratings')" = 4000 ] || { echo "not 4000 ratings stored"; exit 1; }
echo "ok: 4000 ratings stored"
