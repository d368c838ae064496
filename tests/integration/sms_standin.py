"""A small local stand-in for a Twilio-compatible SMS API (http.server).

POST /2010-04-01/Accounts/{sid}/Messages.json answers like the provider
(201, {"sid": "SM...", "status": "queued"}) and records the request.  In
tests, Standin() runs in-process: .replies is a list of status codes to
answer first (e.g. [429, 500] then 201s), .retry_after the Retry-After of a
429, .requests what arrived (path, auth, form fields).
"""

import base64
import http.server
import json
import secrets
import socket
import threading
import time
import urllib.parse


class Standin:
    def __init__(self, port=0):
        self.port = port or _free_port()
        self.replies = []
        self.retry_after = 1
        self.requests = []
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self, code, obj, extra=None):
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8", "replace")
                form = {k: v[0] for k, v in
                        urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                auth = self.headers.get("Authorization", "")
                user = ""
                if auth.startswith("Basic "):
                    user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
                with owner.lock:
                    code = owner.replies.pop(0) if owner.replies else 201
                    sid = "SM" + secrets.token_hex(16)
                    owner.requests.append({"time": time.time(), "path": self.path,
                                           "user": user, "form": form,
                                           "code": code, "sid": sid})
                if code == 429:
                    self._reply(429, {"code": 20429, "message": "Too Many Requests"},
                                {"Retry-After": str(owner.retry_after)})
                elif code >= 400:
                    self._reply(code, {"code": code, "message": "error (test)"})
                else:
                    self._reply(code, {"sid": sid, "status": "queued",
                                       "to": form.get("To"), "from": form.get("From")})

            def log_message(self, fmt, *args):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.th = threading.Thread(target=self.srv.serve_forever, daemon=True)

    def start(self):
        self.th.start()
        return self

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="SMS provider stand-in")
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    s = Standin(a.port)
    print("sms stand-in on 127.0.0.1:%d" % s.port, flush=True)
    s.srv.serve_forever()
