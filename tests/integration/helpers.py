"""Shared helpers of the integration and browser tests, and the two stand-ins
the stack scripts start: an SMTP catcher and an SMS provider stand-in.

    /usr/bin/python3 tests/integration/helpers.py smtp --port P --maildir D [--cert C --key K]
    /usr/bin/python3 tests/integration/helpers.py sms --port P --dir D

The SMTP catcher offers STARTTLS (with the stack's self-signed certificate) and
stores every message as D/new/<n>.eml (the exact bytes received) next to
D/new/<n>.json (envelope: mail_from, rcpt_tos, peer).  The SMS stand-in answers
any POST like Twilio's Messages API (201, {"sid": "SM...", "status": "queued"})
and stores D/<n>.json (path, headers, form fields).
"""

import email
import email.policy
import glob
import itertools
import json
import os
import subprocess
import time
import urllib.parse

STACK_KEYS = (
    "MP_SRC", "MP_VAR", "MP_CONF", "MP_RUN_AS", "MP_STACK",
    "MP_HTTPS_PORT", "MP_HTTP_PORT", "MP_BASE_DOMAIN",
    "MP_PG_HOST", "MP_PG_PORT", "MP_DB", "MP_APP_ROLE", "MP_OWNER_ROLE",
    "MP_SUPER_ROLE", "MP_POOL_PIDFILE", "MP_WORKER_PIDFILE",
    "MP_NGINX_PIDFILE", "MP_LOG_DIR", "MP_TLS_CERT",
    "MP_SMTP_PORT", "MP_MAILDIR", "MP_SMS_PORT", "MP_SMS_DIR", "MP_PGBOUNCER",
)


def stack_env():
    """The stack's MP_* variables as a dict (missing ones as "")."""
    return {k: os.environ.get(k, "") for k in STACK_KEYS}


def sh_stack(*args, check=True, timeout=120):
    """Run scripts/stack ARGS; returns the CompletedProcess (text).  Raises
    with the command's stderr when it fails and check is true."""
    cmd = [os.environ["MP_STACK"], *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s" % (
            " ".join(cmd), p.returncode, p.stdout, p.stderr))
    return p


def read_pid(path):
    with open(path) as f:
        return int(f.read().split()[0])


def children(pid):
    """Pids of the direct children of pid (the pool's responders)."""
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.split("/")[2]))
    return sorted(out)


def rss_kib(pid):
    """VmRSS of pid in KiB (0 if gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_until(pred, timeout=10.0, interval=0.1, what="condition"):
    """Poll pred() until it returns something true; return it, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


# ------------------------------------------------------------------ mail

def read_mail(maildir=None):
    """Every caught message, oldest first: dicts with mail_from, rcpt_tos,
    raw (bytes), msg (email.message.EmailMessage), path."""
    maildir = maildir or os.environ["MP_MAILDIR"]
    out = []
    for eml in sorted(glob.glob(os.path.join(maildir, "new", "*.eml"))):
        with open(eml, "rb") as f:
            raw = f.read()
        try:
            with open(eml[:-4] + ".json") as f:
                env = json.load(f)
        except OSError:
            env = {}
        out.append({
            "mail_from": env.get("mail_from"),
            "rcpt_tos": env.get("rcpt_tos", []),
            "raw": raw,
            "msg": email.message_from_bytes(raw, policy=email.policy.default),
            "path": eml,
        })
    return out


def wait_for_mail(to=None, timeout=15.0, count=1, maildir=None):
    """Wait for at least count messages (to the address `to` if given)."""
    def got():
        msgs = [m for m in read_mail(maildir)
                if to is None or to.lower() in [r.lower() for r in m["rcpt_tos"]]]
        return msgs if len(msgs) >= count else None
    return wait_until(got, timeout, 0.2, "mail to %s" % (to or "anyone"))


def read_sms(smsdir=None):
    """Every request the SMS stand-in received, oldest first."""
    smsdir = smsdir or os.environ["MP_SMS_DIR"]
    out = []
    for p in sorted(glob.glob(os.path.join(smsdir, "*.json"))):
        with open(p) as f:
            out.append(json.load(f))
    return out


# --------------------------------------------------------- the stand-ins

def _serve_smtp(port, maildir, cert, key):
    import signal
    import ssl
    import threading
    from aiosmtpd.controller import Controller

    for sub in ("new", "tmp", "cur"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    seq = itertools.count(1)

    class Catcher:
        async def handle_DATA(self, server, session, envelope):
            n = "%d.%06d.%d" % (time.time(), next(seq), os.getpid())
            tmp = os.path.join(maildir, "tmp", n)
            content = envelope.original_content or envelope.content
            if isinstance(content, str):
                content = content.encode("utf-8", "surrogateescape")
            meta = {"mail_from": envelope.mail_from,
                    "rcpt_tos": list(envelope.rcpt_tos),
                    "peer": str(session.peer),
                    "tls": session.ssl is not None}
            with open(tmp + ".json", "w") as f:
                json.dump(meta, f)
            with open(tmp + ".eml", "wb") as f:
                f.write(content)
            # json first, then eml: a reader that sees the .eml sees both.
            os.rename(tmp + ".json", os.path.join(maildir, "new", n + ".json"))
            os.rename(tmp + ".eml", os.path.join(maildir, "new", n + ".eml"))
            return "250 OK queued as %s" % n

    tls = None
    if cert and key:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
    ctl = Controller(Catcher(), hostname="127.0.0.1", port=port,
                     tls_context=tls, require_starttls=False,
                     decode_data=False)
    ctl.start()
    print("smtp catcher on 127.0.0.1:%d, mail in %s" % (port, maildir), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    ctl.stop()


def _serve_sms(port, smsdir):
    import http.server
    import secrets

    os.makedirs(smsdir, exist_ok=True)
    seq = itertools.count(1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            form = {k: v[0] if len(v) == 1 else v
                    for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
            sid = "SM" + secrets.token_hex(16)
            rec = {"n": next(seq), "time": time.time(), "path": self.path,
                   "headers": dict(self.headers.items()), "form": form,
                   "body": body, "sid": sid}
            name = "%d.%06d" % (time.time(), rec["n"])
            tmp = os.path.join(smsdir, "." + name)
            with open(tmp, "w") as f:
                json.dump(rec, f)
            os.rename(tmp, os.path.join(smsdir, name + ".json"))
            self._reply(201, {"sid": sid, "status": "queued",
                              "to": form.get("To"), "from": form.get("From")})

        def do_GET(self):
            self._reply(404, {"code": 20404, "message": "not found"})

        def log_message(self, fmt, *args):
            print("sms: " + fmt % args, flush=True)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("sms stand-in on 127.0.0.1:%d, requests in %s" % (port, smsdir), flush=True)
    srv.serve_forever()


def _main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="helpers.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("smtp")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--maildir", required=True)
    s.add_argument("--cert")
    s.add_argument("--key")
    m = sub.add_parser("sms")
    m.add_argument("--port", type=int, required=True)
    m.add_argument("--dir", required=True)
    a = ap.parse_args(argv)
    if a.cmd == "smtp":
        _serve_smtp(a.port, a.maildir, a.cert, a.key)
    else:
        _serve_sms(a.port, a.dir)


if __name__ == "__main__":
    import sys
    _main(sys.argv[1:])
