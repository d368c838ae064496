"""Sign-in helpers shared by the integration tests: demo accounts, making
users straight in the database, signing in through the real form, reading
the CSRF token off a page, and binding a client to another loopback address.
"""

import base64
import hashlib
import os
import re
import secrets

# The demo accounts seeded by `mpanelctl seed-demo` (documented in README.md).
DEMO = {
    "acme": {
        "admin": ("admin@acme.example", "Acme-admin-2026!"),
        "support": ("support@acme.example", "Acme-support-2026!"),
        "customer": ("customer@acme.example", "Acme-customer-2026!"),
    },
    "globex": {
        "admin": ("admin@globex.example", "Globex-admin-2026!"),
        "support": ("support@globex.example", "Globex-support-2026!"),
        "customer": ("customer@globex.example", "Globex-customer-2026!"),
    },
}

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
          "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
FIREFOX = ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 "
           "Firefox/121.0")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
          "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
          "Mobile/15E148 Safari/604.1")


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def scrypt_hash(password):
    """The portal's stored form of a password, made the same way."""
    salt = os.urandom(16)
    h = hashlib.scrypt(password.encode(), salt=salt, n=32768, r=8, p=3,
                       maxmem=128 << 20, dklen=32)
    return "scrypt$32768$8$3$%s$%s" % (b64url(salt), b64url(h))


def make_user(db_super, tenant, role="customer", password=None, name="Test"):
    """Create a user of tenant (slug) directly in the database; returns
    (email, password).  Unique per call, so tests never share throttles."""
    password = password or "pw-" + secrets.token_urlsafe(12)
    email = "%s-%s@%s.example" % (role, secrets.token_hex(5), tenant)
    with db_super.cursor() as cur:
        cur.execute(
            "INSERT INTO users (tenant_id, public_id, email, name,"
            " password_hash, role) SELECT id, %s, %s, %s, %s, %s"
            " FROM tenants WHERE slug = %s",
            (secrets.token_urlsafe(16), email, name, scrypt_hash(password),
             role, tenant))
    return email, password


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html):
    m = CSRF_RE.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def form_headers(client):
    """What a browser sends with a same-origin form post."""
    return {"Origin": client.origin(), "Sec-Fetch-Site": "same-origin"}


def signin(client, email, password, user_agent=None, expect=303):
    """Sign in through GET /login + POST /login like a browser; returns the
    POST response.  The client's cookie jar then holds the session."""
    if user_agent:
        client.session.headers["User-Agent"] = user_agent
    page = client.get("/login")
    if page.status_code == 303:
        # Already signed in: the form is skipped, so sign in again from a
        # page of the portal (re-authentication), as a browser tab would.
        page = client.get(page.headers["Location"])
    assert page.status_code == 200, page.text[:300]
    r = client.post("/login", data={
        "csrf_token": csrf_from(page.text), "email": email,
        "password": password, "next": "/account"},
        headers=form_headers(client))
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r


def post_form(client, page_path, action, data, headers=None):
    """Load page_path, take its CSRF token, POST data to action."""
    page = client.get(page_path)
    assert page.status_code == 200, (page_path, page.status_code)
    body = dict(data)
    body.setdefault("csrf_token", csrf_from(page.text))
    h = form_headers(client)
    h.update(headers or {})
    return client.post(action, data=body, headers=h)


def bind_source(client, address):
    """Make client connect from another loopback address (127.0.0.0/8), so
    the portal sees a different REMOTE_ADDR."""
    from requests.adapters import HTTPAdapter

    class Bound(HTTPAdapter):
        def init_poolmanager(self, *a, **kw):
            kw["source_address"] = (address, 0)
            return super().init_poolmanager(*a, **kw)

    client.session.mount("https://", Bound())
    return client
