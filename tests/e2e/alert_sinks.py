#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Receivers for tests/e2e/hq_alerts.sh, on 127.0.0.1 only:

    alert_sinks.py DIR CERT KEY USER PASSWORD

- an SMTP server (aiosmtpd) that offers STARTTLS with the throwaway
  certificate, refuses mail before STARTTLS and AUTH before TLS, and takes
  AUTH PLAIN/LOGIN with USER/PASSWORD only; each message is written to
  DIR/mail/NNN.eml;
- a webhook receiver (HTTP) that writes each POST as DIR/hook/NNN.json
  ({"path","headers","body"}), answering 200, or 500 while the file
  DIR/hook-fail holds a count above 0 (each failure counts it down; the
  failed calls are written to DIR/hook-failed/).

Writes "SMTP_PORT HOOK_PORT" to DIR/ports once both listen; runs until killed.
"""
import http.server
import json
import os
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

D, CERT, KEY, USER, PASSWORD = sys.argv[1:6]
for sub in ("mail", "hook", "hook-failed"):
    os.makedirs(f"{D}/{sub}", exist_ok=True)
lock = threading.Lock()


def save(sub, ext, data):
    with lock:
        n = len(os.listdir(f"{D}/{sub}"))
        tmp = f"{D}/{sub}/.{n:03d}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, f"{D}/{sub}/{n:03d}.{ext}")


class Mail:
    async def handle_DATA(self, server, session, envelope):
        head = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n"
        head += f"X-Was-TLS: {session.ssl is not None}\r\nX-Auth: {session.authenticated}\r\n"
        save("mail", "eml", head.encode() + envelope.original_content)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        doc = json.dumps({"path": self.path, "headers": dict(self.headers), "body": body.decode()}).encode()
        fail_file, status = f"{D}/hook-fail", 200
        with lock:
            left = int(open(fail_file).read() or 0) if os.path.exists(fail_file) else 0
            if left > 0:
                open(fail_file, "w").write(str(left - 1))
                status = 500
        save("hook" if status == 200 else "hook-failed", "json", doc)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class BoundController(Controller):
    """Listens on a socket bound to port 0 beforehand: a free port, no race for it."""

    def __init__(self, sock, *args, **kwargs):
        super().__init__(*args, hostname="127.0.0.1", port=sock.getsockname()[1], **kwargs)
        self.sock = sock

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.sock)


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(CERT, KEY)
smtp = BoundController(listener, Mail(), tls_context=tls, require_starttls=True,
                       authenticator=authenticator, auth_require_tls=True, auth_required=True)
smtp.start()
smtp_port = listener.getsockname()[1]
hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
with open(f"{D}/ports.tmp", "w") as f:
    f.write(f"{smtp_port} {hook.server_address[1]}\n")
os.rename(f"{D}/ports.tmp", f"{D}/ports")
hook.serve_forever()
