#!/usr/bin/env python3
"""Stands in for systemd's notify socket: receives sd_notify datagrams on
PATH and writes one message per line to OUT, until SIGTERM or SECONDS (an
upper bound, not a timing: tests stop it by pid when they are done). The
socket is bound under PATH.tmp and renamed to PATH, so a test that waits
for PATH to exist knows messages sent from then on are received."""
import os, signal, socket, sys, time

path, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
for p in (path, path + ".tmp"):
    if os.path.exists(p):
        os.unlink(p)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path + ".tmp")
os.rename(path + ".tmp", path)
s.settimeout(0.2)
end = time.monotonic() + seconds
with open(out, "w") as f:
    while time.monotonic() < end:
        try:
            msg = s.recv(4096).decode(errors="replace")
        except socket.timeout:
            continue
        for line in msg.splitlines():
            f.write(line + "\n")
        f.flush()
