"""A real SMTP server (Debian's python3-aiosmtpd) that stores what it receives.

Used two ways:

    /usr/bin/python3 tests/integration/smtp_catcher.py --port P --maildir D [--cert C --key K]

runs the demo's and the test stack's mail catcher: every message is written
as D/new/<n>.eml (the exact bytes received) next to D/new/<n>.json (envelope),
and linked as D/<tenant>/<n>.eml, where <tenant> is the message's
X-Mpanel-Tenant header ("all" without one), so a person can read each
tenant's mail in its own folder.

In tests, Catcher(maildir) runs one in-process with controllable behaviour:
  .mode = "ok" | "4xx" | "5xx"     answer RCPT with 451 or 550
  .delay = seconds                 wait before accepting DATA (slow server)
  .down() / .up()                  stop listening and listen again (same port)
and, whatever the mode, recipients whose local part starts with
"tempfail<N>-" get 451 for their first N attempts and "bounce-" get 550.
"""

import argparse
import asyncio
import email
import email.policy
import glob
import itertools
import json
import os
import re
import signal
import socket
import ssl
import threading
import time

from aiosmtpd.controller import Controller

_seq = itertools.count(1)


def _tenant_of(content):
    m = re.search(rb"^X-Mpanel-Tenant: *([a-z0-9-]{1,63})\r?$", content,
                  re.MULTILINE | re.IGNORECASE)
    return m.group(1).decode() if m else "all"


class _Handler:
    def __init__(self, owner):
        self.owner = owner

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        o = self.owner
        local = address.split("@", 1)[0].lower()
        with o.lock:
            o.rcpt_log.append(address)
            m = re.match(r"tempfail(\d+)-", local)
            if m:
                n = o.tempfails.get(address.lower(), 0)
                if n < int(m.group(1)):
                    o.tempfails[address.lower()] = n + 1
                    return "451 4.3.0 Try again later (test)"
            if local.startswith("bounce-") or o.mode == "5xx":
                return "550 5.1.1 No such user (test)"
            if o.mode == "4xx":
                return "451 4.3.0 Try again later (test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        o = self.owner
        if o.delay:
            await asyncio.sleep(o.delay)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        name = o.store(content, envelope, session)
        return "250 OK queued as %s" % name


class Catcher:
    """An SMTP server on 127.0.0.1:port storing mail under maildir."""

    def __init__(self, maildir, port=0, cert=None, key=None, auth=None):
        self.maildir = maildir
        self.auth = auth                # (login, password): AUTH required
        self.logins = []                # (login, accepted) per AUTH attempt
        self.port = port or _free_port()
        self.cert, self.key = cert, key
        self.mode = "ok"
        self.delay = 0
        self.lock = threading.Lock()
        self.tempfails = {}
        self.rcpt_log = []
        self.ctl = None
        for sub in ("new", "tmp", "cur"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)

    def store(self, content, envelope, session):
        n = "%d.%06d.%d" % (time.time(), next(_seq), os.getpid())
        tmp = os.path.join(self.maildir, "tmp", n)
        meta = {"mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "peer": str(session.peer),
                "tls": session.ssl is not None,
                "received": time.time()}
        with open(tmp + ".json", "w") as f:
            json.dump(meta, f)
        with open(tmp + ".eml", "wb") as f:
            f.write(content)
        # json first, then eml: a reader that sees the .eml sees both.
        os.rename(tmp + ".json", os.path.join(self.maildir, "new", n + ".json"))
        os.rename(tmp + ".eml", os.path.join(self.maildir, "new", n + ".eml"))
        tdir = os.path.join(self.maildir, _tenant_of(content))
        try:
            os.makedirs(tdir, exist_ok=True)
            os.link(os.path.join(self.maildir, "new", n + ".eml"),
                    os.path.join(tdir, n + ".eml"))
        except OSError:
            pass
        return n

    def up(self):
        tls = None
        if self.cert and self.key:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(self.cert, self.key)
        owner = self

        class Ctl(Controller):
            def factory(self):
                proto = super().factory()
                owner.sessions.append(proto)
                return proto

        kw = {}
        if self.auth is not None:
            from aiosmtpd.smtp import AuthResult

            def authenticator(server, session, envelope, mechanism, data):
                ok = (data.login.decode(), data.password.decode()) == tuple(self.auth)
                self.logins.append((data.login.decode(), ok))
                return AuthResult(success=ok, handled=False, auth_data=data)
            kw = {"authenticator": authenticator, "auth_required": True,
                  "auth_require_tls": tls is not None}
        self.sessions = []
        self.ctl = Ctl(_Handler(self), hostname="127.0.0.1",
                       port=self.port, tls_context=tls,
                       require_starttls=False, decode_data=False,
                       ready_timeout=10, **kw)
        self.ctl.start()
        return self

    def down(self):
        """Stop listening and drop every open connection, as a server
        that went away would."""
        if self.ctl is None:
            return
        loop = self.ctl.loop

        def drop():
            for proto in self.sessions:
                t = getattr(proto, "transport", None)
                if t is not None:
                    t.abort()
        loop.call_soon_threadsafe(drop)
        time.sleep(0.1)
        self.ctl.stop()
        self.ctl = None

    def messages(self):
        """Every stored message, oldest first: dicts with raw, msg, env."""
        out = []
        for eml in sorted(glob.glob(os.path.join(self.maildir, "new", "*.eml"))):
            with open(eml, "rb") as f:
                raw = f.read()
            with open(eml[:-4] + ".json") as f:
                env = json.load(f)
            out.append({"raw": raw, "env": env, "path": eml,
                        "msg": email.message_from_bytes(raw, policy=email.policy.default)})
        return out


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()
    c = Catcher(a.maildir, a.port, a.cert, a.key).up()
    print("smtp catcher on 127.0.0.1:%d, mail in %s" % (c.port, a.maildir), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *x: done.set())
    signal.signal(signal.SIGINT, lambda *x: done.set())
    done.wait()
    c.down()


if __name__ == "__main__":
    main()
