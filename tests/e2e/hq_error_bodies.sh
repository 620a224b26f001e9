#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every answer head office makes itself has a JSON body {"error": ...},
# whatever the request, over raw sockets: a method no route takes (405 on
# a route, 404 elsewhere), a method that is no word at all, and request
# headers over 8 KiB (431, refused by tally-hq while libmicrohttpd still
# holds them). The answers libmicrohttpd 0.9.75 gives by itself, with no
# hook for a JSON body (a malformed request line or header line, an HTTP
# version it does not speak, a bad Content-Length, headers past its 32 KiB
# connection memory), keep the statuses docs/http-api.md lists, and the
# server goes on serving after each.
set -eu
NAME=errbody . "$(dirname "$0")/hq_lib.inc"

cat >"$DIR/hq.conf" <<CONF
[hq]
database = $HQ_DB
listen = 127.0.0.1:0
CONF
$HQC kiosk add --store S --area A --id k-err >/dev/null 2>&1
hq_start

PORT=$PORT /usr/bin/python3 - <<'PY'
import json, os, socket, time

port = int(os.environ["PORT"])
failed = []

def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failed.append(what)

def ask(raw):
    """Sends raw bytes; returns (status, headers, body) of the answer, read until the server closes or it is complete."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(60)
    s.sendall(raw)
    data = b""
    try:
        while True:
            got = s.recv(65536)
            if not got:
                break
            data += got
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep and b"\r\ncontent-length:" in head.lower():
                n = int(head.lower().split(b"\r\ncontent-length:")[1].split(b"\r\n")[0])
                if len(body) >= n:
                    break
    except OSError:
        pass
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    return status, headers, body

def json_error(raw, status, what):
    got, headers, body = ask(raw)
    try:
        doc = json.loads(body)
        ok = isinstance(doc, dict) and isinstance(doc.get("error"), str) and doc["error"] != ""
    except ValueError:
        ok = False
    check(got == status and ok and headers.get("content-type", "").startswith("application/json"),
          "%s: %d with a JSON {\"error\"} body (got %d, %r)" % (what, status, got, body[:120]))

def still_serving():
    got, _, body = ask(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return got == 200 and json.loads(body).get("ok") is True

# --- our own answers: always JSON ---------------------------------------------
json_error(b"BREW /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405, "a method /healthz does not take")
json_error(b"DELETE /api/v1/kiosks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405, "DELETE on a read route")
json_error(b"BREW /no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, "a method and path nobody serves")
json_error(b"G\x01T /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405, "a method with a control character")
json_error(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\nConnection: close\r\n\r\n", 431,
           "one 9 KB header")
json_error(b"GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 12000 + b"\r\nConnection: close\r\n\r\n", 431,
           "a 12 KB cookie")
json_error(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 26000 + b"\r\nConnection: close\r\n\r\n", 431,
           "one 26 KB header")
json_error(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 60) for i in range(130)) +
           b"Connection: close\r\n\r\n", 431, "130 headers, 9.1 KB in all")
json_error(b"GET /" + b"p" * 17000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 431, "a 17 KB path")
json_error(b"POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 +
           b"\r\nContent-Length: 5\r\nConnection: close\r\n\r\n[1,2]", 431, "a POST with oversized headers and a body")
got, _, _ = ask(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fits: " + b"a" * 7000 + b"\r\nConnection: close\r\n\r\n")
check(got == 200, "a 7 KB header still fits (got %d)" % got)

# --- libmicrohttpd's own answers (docs/http-api.md): the statuses it documents --
for raw, status, what in [
        (b"GARBAGE\r\n\r\n", 0, "a request line of one word (closed, no answer)"),
        (b"GET /healthz\r\n\r\n", 400, "a request line without a version"),
        (b"GET /healthz HTTX/1.1\r\nHost: x\r\n\r\n", 400, "a version that is not HTTP/x.y"),
        (b"GET /healthz HTTP/1.1\r\nNoColonHere\r\n\r\n", 400, "a header line without a colon"),
        (b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP/2.0 as text"),
        (b"GET /healthz HTTP/0.9\r\nHost: x\r\n\r\n", 505, "HTTP/0.9"),
        (b"POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400, "a Content-Length that is no number"),
        (b"POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413,
         "a Content-Length past 64 bits"),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n", 431, "a 40 KB header"),
        (b"GET /" + b"p" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "a 40 KB path")]:
    got, headers, body = ask(raw)
    check(got == status, "libmicrohttpd itself: %s: %d (got %d, %r)" % (what, status, got, body[:80]))
    check(still_serving(), "serving after: " + what)

if failed:
    raise SystemExit("%d failed" % len(failed))
PY
hq_stop
echo "hq_error_bodies: ok"
