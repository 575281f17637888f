#!/usr/bin/env python3
"""A real SMTP server on loopback for the shishi-notify tests (aiosmtpd).

Prints the port it listens on as the first line of stdout, then serves until stdin closes
(the test holds the pipe, so the server also goes away if the test process dies) or it is
killed. Every accepted message is appended as one JSON line to DIR/messages.jsonl, decoded by
Python's own e-mail parser so the test checks the message independently of the Rust side.

Modes: plain, starttls (STARTTLS required before MAIL), tls (implicit TLS, SMTPS).
--auth USER:PASSWORD requires AUTH (PLAIN or LOGIN) with exactly those credentials.
Recipients whose local part starts with "reject" get 550.
"""

import argparse
import email
import email.policy
import json
import os
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.path = os.path.join(directory, "messages.jsonl")
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].lower().startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        auth = session.auth_data
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset(),
            "body": body.get_content() if body is not None else None,
            # session.ssl is set by STARTTLS only; implicit TLS shows on the transport.
            "tls": session.ssl is not None
            or server.transport.get_extra_info("ssl_object") is not None,
            "auth_login": auth.login.decode("utf-8") if isinstance(auth, LoginPassword) else None,
            "raw": raw.decode("utf-8", errors="replace"),
        }
        # Written before the 250 reply, so the client's success means the line is there.
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mode", choices=["plain", "starttls", "tls"], default="plain")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--auth", help="USER:PASSWORD")
    args = ap.parse_args()

    context = None
    if args.mode != "plain":
        if not (args.cert and args.key):
            ap.error("--cert and --key are needed for %s" % args.mode)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)

    kwargs = {}
    if args.mode == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    elif args.mode == "tls":
        kwargs.update(ssl_context=context)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login == user.encode()
                and auth_data.password == password.encode()
            )
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        # Over implicit TLS or after STARTTLS the channel is encrypted; plain mode allows
        # AUTH without TLS, as some internal relays do.
        kwargs.update(
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=args.mode != "plain",
        )

    last_error = None
    for _ in range(5):
        port = free_port()
        controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=port, **kwargs)
        try:
            controller.start()
            break
        except Exception as e:  # the port was taken between probing and binding
            last_error = e
    else:
        print("smtp_sink: cannot start: %r" % (last_error,), file=sys.stderr)
        sys.exit(1)

    print(port, flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    controller.stop()


if __name__ == "__main__":
    main()
