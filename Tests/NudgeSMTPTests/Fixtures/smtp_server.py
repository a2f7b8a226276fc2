#!/usr/bin/env python3
"""The SMTP peer of the NudgeSMTP tests (aiosmtpd from Debian).

usage: smtp_server.py DIRECTORY PORT MODE
  MODE tls     STARTTLS offered (self-signed certificate written to DIRECTORY/cert.pem),
               AUTH PLAIN/LOGIN only after STARTTLS, user "nudge" password "secret"
  MODE plain   no STARTTLS, AUTH allowed in plain text
  MODE silent  accepts connections and never answers
Every accepted message is written to DIRECTORY/<n>.json with the envelope, whether the session
was encrypted and authenticated, and the raw content. Recipients starting with "reject-temp"
get 451, with "reject" 550. DIRECTORY/ready appears when the server listens.
"""
import asyncio, json, os, socket, ssl, subprocess, sys, threading, time

import signal
# The test process may have SIGTERM blocked in the thread that spawned us; unblock it so that
# stopping the server works.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

directory, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(directory, exist_ok=True)

def ready():
    open(os.path.join(directory, "ready"), "w").close()

if mode == "silent":
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    ready()
    held = []
    while True:
        connection, _ = listener.accept()
        held.append(connection)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

class Handler:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("reject-temp"):
            return "451 4.3.0 try again later"
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        Handler.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "content": envelope.original_content.decode("utf-8", "replace"),
        }
        path = os.path.join(directory, "%d.json" % Handler.count)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 queued as %d" % Handler.count

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"nudge" and auth_data.password == b"secret"
    # handled=False: aiosmtpd answers a failure with 535 itself.
    return AuthResult(success=ok, handled=False, auth_data=auth_data)

options = dict(hostname="127.0.0.1", port=port, authenticator=authenticator, decode_data=False)
if mode == "tls":
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    options.update(tls_context=context, auth_require_tls=True)
else:
    options.update(auth_require_tls=False)

controller = Controller(Handler(), **options)
controller.start()
ready()
threading.Event().wait()
