#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Stands in for systemd's notify socket: receives sd_notify datagrams on
PATH for SECONDS and writes one message per line to OUT."""
import os, socket, sys, time

path, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
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
