"""A real SMTP server for the email receiver tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1:PORT and writes each accepted message to OUT/N.eml with OUT/N.json beside it: the
envelope, whether the session was under TLS (STARTTLS or implicit) and who logged in. Prints READY once
listening. Options: --tls-cert/--tls-key enable STARTTLS (--require-tls refuses mail without it),
--implicit-tls serves SMTPS with the same certificate, --user/--password require that login.
"""
import argparse
import json
import os
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out):
        self.out = out
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.out, str(n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".eml.tmp", base + ".eml")
        auth = session.auth_data
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            # STARTTLS sets session.ssl; implicit TLS (SMTPS) shows on the transport.
            "tls": session.ssl is not None
            or (server.transport is not None and server.transport.get_extra_info("ssl_object") is not None),
            "user": auth.login.decode() if isinstance(auth, LoginPassword) else None,
        }
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-tls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--user")
    p.add_argument("--password")
    a = p.parse_args()

    context = None
    if a.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.tls_cert, a.tls_key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.user and auth_data.password.decode() == a.password
        # handled=False: aiosmtpd itself answers 535 to a failed login.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    kwargs = {}
    if a.user:
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(a.tls_cert))
    if a.implicit_tls:
        controller = Controller(Sink(a.out), hostname="127.0.0.1", port=a.port, ssl_context=context, **kwargs)
    else:
        controller = Controller(Sink(a.out), hostname="127.0.0.1", port=a.port, tls_context=context,
                                require_starttls=a.require_tls, **kwargs)
    controller.start()
    print("READY", flush=True)
    # Until the test kills us.
    threading.Event().wait()


if __name__ == "__main__":
    main()
