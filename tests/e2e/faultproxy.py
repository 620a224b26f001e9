#!/usr/bin/env python3
"""faultproxy: an HTTP proxy for tests that misbehaves on purpose.

Sits between tally-sync and tally-hq on 127.0.0.1 and handles each request
as the mode file says at that moment (re-read per request):

  pass           forward, answer as head office did
  500            answer 500 {"error":"injected"} without forwarding
  500-after      forward (head office stores the batch), then answer 500
  hang           read the request, never answer (until the client gives up)
  close-before   read the request, close the connection, forward nothing
  close-mid      forward, then send half of head office's answer and close
  delay          wait 0.2 to 2 s, then forward and answer as head office did
  random:P       each request: with probability P one of the faults above
                 (hang only briefly), else pass

One request per connection (Connection: close both ways), which is all a
test needs. Writes its port to --port-file once listening, and one line per
request "<mode> <method> <path> <status or ->" to --log.

usage: faultproxy.py --upstream PORT --mode-file FILE --port-file FILE [--log FILE]
"""
import argparse
import random
import socket
import socketserver
import sys
import threading
import time

FAULTS = ["500", "500-after", "close-before", "close-mid", "hang-short", "delay"]


def read_request(sock):
    """Reads one HTTP request (headers + Content-Length body). Returns bytes or None."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head, body


def with_close(head):
    lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


def forward(upstream, head, body):
    up = socket.create_connection(("127.0.0.1", upstream), timeout=30)
    try:
        up.sendall(with_close(head) + body)
        resp = b""
        while True:
            chunk = up.recv(65536)
            if not chunk:
                break
            resp += chunk
        return resp
    finally:
        up.close()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        sock = self.request
        req = read_request(sock)
        if req is None:
            return
        head, body = req
        first = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        method, path = (first + ["?", "?"])[:2]
        try:
            with open(srv.mode_file) as f:
                mode = f.read().strip() or "pass"
        except OSError:
            mode = "pass"
        if mode.startswith("random:"):
            mode = random.choice(FAULTS) if random.random() < float(mode[7:]) else "pass"
        status = "-"
        try:
            if mode == "500":
                msg = b'{"error":"injected"}'
                sock.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(msg) + msg)
                status = "500"
            elif mode in ("hang", "hang-short"):
                deadline = time.time() + (3600 if mode == "hang" else 1.5)
                sock.settimeout(0.2)
                while time.time() < deadline:
                    try:
                        if sock.recv(1) == b"":
                            break
                    except socket.timeout:
                        pass
            elif mode == "close-before":
                pass
            else:
                if mode == "delay":
                    time.sleep(random.uniform(0.2, 2.0))
                resp = forward(srv.upstream, head, body)
                status = resp.split(b" ", 2)[1].decode() if resp.startswith(b"HTTP/") else "?"
                if mode == "500-after":
                    msg = b'{"error":"injected after forwarding"}'
                    sock.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\n"
                                 b"Connection: close\r\n\r\n" % len(msg) + msg)
                elif mode == "close-mid":
                    sock.sendall(resp[: max(1, len(resp) // 2)])
                else:
                    sock.sendall(resp)
        except OSError:
            status = "error"
        finally:
            with srv.lock:
                srv.log.write("%s %s %s %s\n" % (mode, method, path, status))
                srv.log.flush()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--mode-file", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", default="/dev/null")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.upstream = a.upstream
    srv.mode_file = a.mode_file
    srv.lock = threading.Lock()
    srv.log = open(a.log, "a")
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
