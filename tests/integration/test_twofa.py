"""Two-factor sign-in through nginx against the real database: setting it
up on /account/security (QR code that decodes to the otpauth URI, the key as
text, sealed at rest), the second step after the password, replay and the
time window, backup codes (hashed, single use, recovery ends the other
sessions and mails the owner), remember-this-device bound to the user and
revoked with the sessions, throttling per account and per device, the staff
rule with its grace period, the JSON API, the admin's user list and
`mpanelctl twofa-reset`."""

import base64
import hashlib
import hmac
import json
import re
import secrets
import shutil
import struct
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from auth import csrf_from, form_headers, make_user, post_form, signin

PENDING = "__Host-mp_2fa"
REMEMBER = "__Host-mp_2fa_device"


# ------------------------------------------------------------ helpers

def totp(secret, step=None, offset=0):
    """RFC 6238 code of a base32 secret for the current step + offset."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    if step is None:
        step = int(time.time()) // 30
    mac = hmac.new(key, struct.pack(">Q", step + offset), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    v = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (v % 1000000)


def fresh_step():
    """Wait until at least 10 s are left in the current step, so that a
    step computed now is still the server's step a moment later (a
    sign-in's scrypt can take seconds on a busy machine)."""
    if int(time.time()) % 30 >= 20:
        time.sleep(30 - time.time() % 30 + 0.2)
    return int(time.time()) // 30


class App:
    """An authenticator app for one secret: code() is the code of the
    current step, never of a step the portal already accepted for this
    user (used), since it refuses those; peek() is the current code
    without spending it, for answers refused before the code is looked
    at; wrong() is a code of none of the nearby steps."""

    def __init__(self, secret, used=0):
        self.secret = secret
        self.used = used

    def code(self):
        while True:
            s = fresh_step()
            if s == self.used:
                s += 1              # the next step is accepted too
            if s > self.used:
                break
            time.sleep(30 - time.time() % 30 + 0.2)
        self.used = s
        return totp(self.secret, s)

    def peek(self):
        return totp(self.secret)

    def wrong(self):
        now = int(time.time()) // 30
        near = {totp(self.secret, now + d) for d in range(-3, 4)}
        return next(c for c in ("000000", "111111", "222222") if c not in near)


def set_cookie(resp, name):
    for v in resp.raw.headers.getlist("Set-Cookie"):
        if v.startswith(name + "="):
            return v
    return None


def secret_from(html):
    m = re.search(r'data-secret="([A-Z2-7]{32})"', html)
    assert m, "no key on the page"
    return m.group(1)


def codes_from(html):
    return re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>",
                      html)


def enable(client, password, offset=0):
    """Set 2FA up through the pages; returns (secret, backup codes, step)."""
    r = post_form(client, "/account/security", "/account/security/2fa/setup",
                  {"password": password})
    assert r.status_code == 200, r.text[:300]
    secret = secret_from(r.text)
    step = fresh_step()
    r = post_form(client, "/account/security", "/account/security/2fa/enable",
                  {"code": totp(secret, step, offset)})
    assert r.status_code == 200, r.text[:500]
    codes = codes_from(r.text)
    assert len(codes) == 10
    return secret, codes, step


def password_step(client, email, password):
    """POST /login; returns the response (303 to /login/2fa expected)."""
    return signin(client, email, password)


def answer(client, code, remember=False):
    page = client.get("/login/2fa")
    assert page.status_code == 200, (page.status_code, page.text[:200])
    data = {"csrf_token": csrf_from(page.text), "code": code}
    if remember:
        data["remember"] = "1"
    return client.post("/login/2fa", data=data, headers=form_headers(client))


def signed_in(client):
    return client.get("/account").status_code == 200


def user_id(db, email):
    with db.cursor() as cur:
        cur.execute("SELECT id FROM users WHERE email = %s", (email,))
        return cur.fetchone()[0]


def twofa_user(https, db_super, role="customer", tenant="acme"):
    """A user with 2FA on: (client signed in, email, password, secret,
    codes, step used)."""
    email, pw = make_user(db_super, tenant, role=role)
    c = https(tenant)
    signin(c, email, pw)
    secret, codes, step = enable(c, pw)
    return c, email, pw, secret, codes, step


def qr_decode(data_uri):
    """The text of a QR code given as a data: URI of an SVG (rsvg-convert
    renders it, zbarimg reads it)."""
    assert data_uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(data_uri.split(",", 1)[1])
    assert svg.startswith(b"<svg ")
    for tool in ("rsvg-convert", "zbarimg"):
        assert shutil.which(tool), "%s is not installed (scripts/lib.sh)" % tool
    with tempfile.TemporaryDirectory() as d:
        with open(d + "/qr.svg", "wb") as f:
            f.write(svg)
        subprocess.run(["rsvg-convert", "-w", "400", "-o", d + "/qr.png",
                        d + "/qr.svg"], check=True, timeout=30)
        out = subprocess.run(["zbarimg", "-q", "--raw", d + "/qr.png"],
                             capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.decode().rstrip("\n")


# ------------------------------------------------------------- setup

def test_setup_shows_qr_and_key_once_and_seals_the_secret(https, db_super):
    email, pw = make_user(db_super, "acme", name="Quinn")
    c = https("acme")
    signin(c, email, pw)
    page = c.get("/account/security")
    assert page.status_code == 200
    assert re.search(r'id="twofa-state"><strong>Off</strong>', page.text)
    # The account page links to it.
    assert 'href="/account/security"' in c.get("/account").text

    # The password is asked for first.
    r = post_form(c, "/account/security", "/account/security/2fa/setup",
                  {"password": "not-the-password"})
    assert r.status_code == 422
    assert "The password is not right." in r.text
    r = post_form(c, "/account/security", "/account/security/2fa/setup", {})
    assert r.status_code == 400

    r = post_form(c, "/account/security", "/account/security/2fa/setup",
                  {"password": pw})
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    secret = secret_from(r.text)
    grouped = " ".join(secret[i:i + 4] for i in range(0, 32, 4))
    assert grouped in r.text
    qr = re.search(r'<img class="qr" src="([^"]+)"', r.text).group(1)
    uri = qr_decode(qr)
    parsed = urllib.parse.urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert urllib.parse.unquote(parsed.path) == "/Acme Hosting:%s" % email
    q = urllib.parse.parse_qs(parsed.query)
    assert q == {"secret": [secret], "issuer": ["Acme Hosting"],
                 "algorithm": ["SHA1"], "digits": ["6"], "period": ["30"]}

    # Stored sealed: neither the base32 nor the raw bytes appear.
    raw = base64.b32decode(secret)
    with db_super.cursor() as cur:
        cur.execute("SELECT pending_sealed, secret_sealed, enabled_at"
                    " FROM user_twofa WHERE user_id = %s",
                    (user_id(db_super, email),))
        pending, sealed, enabled_at = cur.fetchone()
    assert sealed is None and enabled_at is None
    assert secret not in pending and raw.hex() not in pending
    assert base64.urlsafe_b64encode(raw).decode().rstrip("=") not in pending

    # A wrong first code shows the same key again and turns nothing on.
    step = fresh_step()
    wrong = "%06d" % ((int(totp(secret, step)) + 1) % 1000000)
    r = post_form(c, "/account/security", "/account/security/2fa/enable",
                  {"code": wrong})
    assert r.status_code == 422
    assert secret_from(r.text) == secret
    r = post_form(c, "/account/security", "/account/security/2fa/enable",
                  {"code": totp(secret, step)})
    assert r.status_code == 200
    codes = codes_from(r.text)
    assert len(codes) == 10 and len(set(codes)) == 10

    # On, and the key is never shown again.
    page = c.get("/account/security")
    assert re.search(r'id="twofa-state"><strong>On</strong>', page.text)
    assert '<strong id="codes-left">10</strong>' in page.text
    assert secret not in page.text and grouped not in page.text
    r = post_form(c, "/account/security", "/account/security/2fa/setup",
                  {"password": pw})
    assert r.status_code == 409 and secret not in r.text

    with db_super.cursor() as cur:
        uid = user_id(db_super, email)
        cur.execute("SELECT secret_sealed, pending_sealed, last_step"
                    " FROM user_twofa WHERE user_id = %s", (uid,))
        sealed, pending, last = cur.fetchone()
        assert pending is None and secret not in sealed
        assert last == step
        # Backup codes: hashed only.
        cur.execute("SELECT code_hash FROM twofa_backup_codes"
                    " WHERE user_id = %s AND used_at IS NULL", (uid,))
        hashes = {h for (h,) in cur.fetchall()}
        cur.execute("SELECT tenant_id FROM users WHERE id = %s", (uid,))
        tid = cur.fetchone()[0]
        cur.execute("SELECT detail->>'action' FROM security_events"
                    " WHERE user_id = %s AND kind = 'twofa'", (uid,))
        assert [a for (a,) in cur.fetchall()] == ["enabled"]
    assert len(hashes) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert plain not in hashes and code not in hashes
        assert hashlib.sha256(("%s:%s:%s" % (tid, uid, plain)).encode()
                              ).hexdigest() in hashes


# -------------------------------------------------------- second step

def test_sign_in_needs_the_code_after_the_password(https, db_super):
    _, email, pw, secret, _, step = twofa_user(https, db_super)
    c = https("acme")
    r = password_step(c, email, pw)
    assert r.headers["Location"] == "/login/2fa"
    # Not a session yet: only the short-lived pending cookie.
    assert set_cookie(r, "__Host-mp_session") is None
    pend = set_cookie(r, PENDING)
    assert pend and "Max-Age=300" in pend and "HttpOnly" in pend
    assert not signed_in(c)
    token = pend.split(";")[0].split("=", 1)[1]
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM twofa_pending WHERE token_hash ="
                    " encode(sha256(%s::bytea), 'hex')", (token,))
        assert cur.fetchone()[0] == 1
        cur.execute("SELECT count(*) FROM twofa_pending WHERE token_hash = %s",
                    (token,))
        assert cur.fetchone()[0] == 0
    page = c.get("/login/2fa")
    assert page.status_code == 200 and "Two-factor sign-in" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert 'name="remember"' in page.text

    app = App(secret, step)
    r = answer(c, app.wrong())
    assert r.status_code == 401
    assert "The code is not right." in r.text
    assert not signed_in(c)
    r = answer(c, app.code())
    assert r.status_code == 303 and r.headers["Location"] == "/account"
    assert set_cookie(r, "__Host-mp_session") is not None
    assert set_cookie(r, PENDING).startswith(PENDING + "=;")
    assert signed_in(c)
    # The pending sign-in is spent.
    assert c.get("/login/2fa").headers["Location"] == "/login"


def test_a_code_is_accepted_once(https, db_super):
    _, email, pw, secret, _, step = twofa_user(https, db_super)
    # The code that turned 2FA on cannot sign in (its step is spent).
    c = https("acme")
    password_step(c, email, pw)
    r = answer(c, totp(secret, step))
    assert r.status_code == 401
    # A newer one can, once.
    code = App(secret, step).code()
    r = answer(c, code)
    assert r.status_code == 303
    d = https("acme")
    password_step(d, email, pw)
    r = answer(d, code)
    assert r.status_code == 401 and "used already" in r.text
    assert not signed_in(d)


def test_one_step_of_drift_and_no_more(https, db_super):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    signin(c, email, pw)
    # Turned on with the previous step's code (one step back is fine).
    secret, _, step = enable(c, pw, offset=-1)
    d = https("acme")
    password_step(d, email, pw)
    now = fresh_step()
    assert answer(d, totp(secret, now, 2)).status_code == 401
    assert answer(d, totp(secret, now, -2)).status_code == 401
    r = answer(d, App(secret, step - 1).code())
    assert r.status_code == 303


def on_device(client, name):
    """Give client a device cookie of its own (the throttle's device)."""
    client.session.cookies.set("__Host-mp_device", name + "-" + "x" * 40)
    return client


def test_five_tries_per_password(https, db_super):
    _, email, pw, secret, _, step = twofa_user(https, db_super)
    app = App(secret, step)
    c = on_device(https("acme"), "five-a")
    password_step(c, email, pw)
    for i in range(4):
        assert answer(c, "12345%d" % i).status_code == 401
    # The fifth try is the last one of this pending sign-in ...
    page = c.get("/login/2fa")
    r = c.post("/login/2fa", data={"csrf_token": csrf_from(page.text),
                                   "code": app.code()},
               headers=form_headers(c))
    assert r.status_code == 303 and r.headers["Location"] == "/account"
    # ... and a sixth needs the password again.
    d = on_device(https("acme"), "five-b")
    password_step(d, email, pw)
    for i in range(5):
        assert answer(d, "65432%d" % i).status_code == 401
    assert d.get("/login/2fa").headers["Location"] == "/login"
    page = d.get("/login")
    r = d.post("/login/2fa", data={"csrf_token": csrf_from(page.text),
                                   "code": app.peek()},
               headers=form_headers(d))
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    with db_super.cursor() as cur:
        cur.execute("DELETE FROM twofa_failures WHERE user_id = %s",
                    (user_id(db_super, email),))


def test_throttled_per_device_then_per_account(https, db_super):
    _, email, pw, secret, _, step = twofa_user(https, db_super)
    app = App(secret, step)
    uid = user_id(db_super, email)

    def device(n):
        return on_device(https("acme"), "dev%d" % n)

    try:
        a = device(1)
        password_step(a, email, pw)
        for i in range(5):
            assert answer(a, "11111%d" % i).status_code == 401
        # Five wrong codes from this device: the right one is refused too.
        password_step(a, email, pw)
        r = answer(a, app.peek())
        assert r.status_code == 429 and "Too many wrong codes" in r.text
        assert r.headers["Retry-After"] == "900"
        assert not signed_in(a)
        # Another device still gets in (the account has 5 of its 10).
        b = device(2)
        password_step(b, email, pw)
        assert answer(b, app.code()).status_code == 303
        # Four more from a third device: nine for the account, still open.
        cdev = device(3)
        password_step(cdev, email, pw)
        for i in range(4):
            assert answer(cdev, "22222%d" % i).status_code == 401
        # The tenth failure closes the account to every device.
        password_step(cdev, email, pw)
        assert answer(cdev, "333333").status_code == 401
        e = device(4)
        password_step(e, email, pw)
        r = answer(e, app.peek())
        assert r.status_code == 429
        with db_super.cursor() as cur:
            cur.execute("SELECT count(*) FROM twofa_failures WHERE user_id = %s",
                        (uid,))
            assert cur.fetchone()[0] == 10
    finally:
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM twofa_failures WHERE user_id = %s", (uid,))


# ------------------------------------------------------- backup codes

def test_backup_code_recovers_once_ends_sessions_and_mails(https, db_super,
                                                           mailbox):
    email, pw = make_user(db_super, "acme", name="Robin")
    other = https("acme")
    signin(other, email, pw)           # a session from before
    first, _, _, = https("acme"), None, None
    signin(first, email, pw)
    secret, codes, step = enable(first, pw)
    assert signed_in(other) and signed_in(first)

    c = https("acme")
    password_step(c, email, pw)
    r = answer(c, codes[3].upper())     # case and dashes do not matter
    assert r.status_code == 303
    assert r.headers["Location"] == "/account/security?done=recovered"
    page = c.get(r.headers["Location"])
    assert "Every other session was ended" in page.text
    assert '<strong id="codes-left">9</strong>' in page.text
    assert not signed_in(other) and not signed_in(first)
    msg = mailbox.wait(to=email)[-1]["msg"]
    assert "backup code" in msg["Subject"]
    assert "Backup codes left: 9" in msg.get_body(("plain",)).get_content()

    # The same code never works again.
    d = https("acme")
    password_step(d, email, pw)
    r = answer(d, codes[3])
    assert r.status_code == 401 and not signed_in(d)
    assert signed_in(c)
    with db_super.cursor() as cur:
        cur.execute("SELECT detail->>'action' FROM security_events"
                    " WHERE user_id = %s AND kind = 'twofa' ORDER BY id",
                    (user_id(db_super, email),))
        assert [a for (a,) in cur.fetchall()] == ["enabled", "recovery"]
        cur.execute("SELECT count(*) FROM twofa_backup_codes WHERE user_id = %s"
                    " AND used_at IS NOT NULL", (user_id(db_super, email),))
        assert cur.fetchone()[0] == 1
        cur.execute("DELETE FROM twofa_failures WHERE user_id = %s",
                    (user_id(db_super, email),))


def test_new_backup_codes_void_the_old_ones(https, db_super):
    c, email, pw, secret, codes, step = twofa_user(https, db_super)
    r = post_form(c, "/account/security", "/account/security/2fa/backup-codes",
                  {"code": codes[0]})
    # A backup code cannot make new backup codes: the app's code is needed.
    assert r.status_code == 422
    r = post_form(c, "/account/security", "/account/security/2fa/backup-codes",
                  {"code": App(secret, step).code()})
    assert r.status_code == 200
    new = codes_from(r.text)
    assert len(new) == 10 and not set(new) & set(codes)
    d = https("acme")
    password_step(d, email, pw)
    assert answer(d, codes[1]).status_code == 401
    assert answer(d, new[1]).status_code == 303
    with db_super.cursor() as cur:
        cur.execute("DELETE FROM twofa_failures WHERE user_id = %s",
                    (user_id(db_super, email),))


def test_disable_needs_password_and_code(https, db_super):
    c, email, pw, secret, codes, step = twofa_user(https, db_super)
    app = App(secret, step)
    r = post_form(c, "/account/security", "/account/security/2fa/disable",
                  {"password": "wrong-password", "code": app.peek()})
    assert r.status_code == 422 and "password is not right" in r.text
    r = post_form(c, "/account/security", "/account/security/2fa/disable",
                  {"password": pw, "code": app.wrong()})
    assert r.status_code == 422
    r = post_form(c, "/account/security", "/account/security/2fa/disable",
                  {"password": pw})
    assert r.status_code == 400
    r = post_form(c, "/account/security", "/account/security/2fa/disable",
                  {"password": pw, "code": app.code()})
    assert r.status_code == 303
    assert "Two-factor sign-in is off." in c.get(r.headers["Location"]).text
    with db_super.cursor() as cur:
        uid = user_id(db_super, email)
        cur.execute("SELECT secret_sealed, enabled_at FROM user_twofa"
                    " WHERE user_id = %s", (uid,))
        assert cur.fetchone() == (None, None)
        cur.execute("SELECT count(*) FROM twofa_backup_codes WHERE user_id = %s",
                    (uid,))
        assert cur.fetchone()[0] == 0
        cur.execute("DELETE FROM twofa_failures WHERE user_id = %s", (uid,))
    d = https("acme")
    r = signin(d, email, pw)
    assert r.headers["Location"] == "/account" and signed_in(d)


# --------------------------------------------------- remember device

def test_remembered_device_is_bound_to_the_user(https, db_super):
    _, email, pw, secret, _, step = twofa_user(https, db_super)
    c = https("acme")
    password_step(c, email, pw)
    r = answer(c, App(secret, step).code(), remember=True)
    assert r.status_code == 303
    cookie = set_cookie(r, REMEMBER)
    assert cookie and "Max-Age=2592000" in cookie and "HttpOnly" in cookie
    assert "Secure" in cookie
    post_form(c, "/account", "/logout", {})
    # The same browser signs in with the password alone.
    r = signin(c, email, pw)
    assert r.headers["Location"] == "/account" and signed_in(c)
    post_form(c, "/account", "/logout", {})
    # Another user of 2FA on this browser is still asked for a code.
    _, email2, pw2, _, _, _ = twofa_user(https, db_super)
    r = signin(c, email2, pw2)
    assert r.headers["Location"] == "/login/2fa"
    # A forged or altered cookie does not count.
    value = cookie.split(";")[0].split("=", 1)[1]
    f = https("acme")
    f.session.cookies.set(REMEMBER, value[:-2] + ("AA" if value[-2:] != "AA"
                                                   else "BB"))
    assert signin(f, email, pw).headers["Location"] == "/login/2fa"


def test_remembered_devices_end_with_sign_out_everywhere(https, db_super):
    first, email, pw, secret, _, step = twofa_user(https, db_super)
    c = https("acme")
    password_step(c, email, pw)
    assert answer(c, App(secret, step).code(),
                  remember=True).status_code == 303
    post_form(c, "/account", "/logout", {})
    assert signin(c, email, pw).headers["Location"] == "/account"
    # Signing out alone kept it; "sign out everywhere" from another
    # session ends it.
    tok = csrf_from(first.get("/account").text)
    r = first.delete("/api/sessions/all", json={"password": pw},
                     headers={"X-CSRF-Token": tok, "Origin": first.origin()})
    assert r.status_code == 200
    assert not signed_in(c)
    r = signin(c, email, pw)
    assert r.headers["Location"] == "/login/2fa"


# ------------------------------------------------------- staff rule

def test_staff_rule_grace_then_enrolment(https, db_super):
    admin_email, admin_pw = make_user(db_super, "acme", role="admin")
    admin = https("acme")
    signin(admin, admin_email, admin_pw)
    sup_email, sup_pw = make_user(db_super, "acme", role="support")
    cust_email, cust_pw = make_user(db_super, "acme", role="customer")
    try:
        page = admin.get("/account/security")
        assert 'action="/admin/security/2fa"' in page.text
        # Out of range: 91 days.
        r = post_form(admin, "/account/security", "/admin/security/2fa",
                      {"staff_required": "1", "grace_days": "91"})
        assert r.status_code == 400
        r = post_form(admin, "/account/security", "/admin/security/2fa",
                      {"staff_required": "1", "grace_days": "7"})
        assert r.status_code == 303
        # Inside the grace period staff sign in and are sent to set it up.
        s = https("acme")
        r = signin(s, sup_email, sup_pw)
        assert r.headers["Location"] == "/account/security?required=1"
        page = s.get(r.headers["Location"])
        assert "requires two-factor sign-in for staff" in page.text
        # Customers are not concerned.
        cu = https("acme")
        assert signin(cu, cust_email, cust_pw).headers["Location"] == "/account"
        # A non-admin cannot change the rule.
        r = post_form(s, "/account/security", "/admin/security/2fa",
                      {"grace_days": "0"})
        assert r.status_code == 403

        # After the grace period: no session until it is set up.
        r = post_form(admin, "/account/security", "/admin/security/2fa",
                      {"staff_required": "1", "grace_days": "0"})
        assert r.status_code == 303
        s2 = https("acme")
        r = signin(s2, sup_email, sup_pw)
        assert r.headers["Location"] == "/login/2fa"
        assert set_cookie(r, "__Host-mp_session") is None
        page = s2.get("/login/2fa")
        assert "requires two-factor sign-in for staff" in page.text
        secret = secret_from(page.text)
        qr = re.search(r'<img class="qr" src="([^"]+)"', page.text).group(1)
        assert "secret=%s" % secret in qr_decode(qr)
        assert not signed_in(s2)
        step = fresh_step()
        r = s2.post("/login/2fa", data={"csrf_token": csrf_from(page.text),
                                        "code": totp(secret, step)},
                    headers=form_headers(s2))
        assert r.status_code == 200
        assert len(codes_from(r.text)) == 10
        assert 'href="/account"' in r.text
        assert signed_in(s2)
        with db_super.cursor() as cur:
            cur.execute("SELECT enabled_at IS NOT NULL FROM user_twofa"
                        " WHERE user_id = %s", (user_id(db_super, sup_email),))
            assert cur.fetchone()[0] is True
        # The customer still signs in with the password alone.
        cu2 = https("acme")
        assert signin(cu2, cust_email, cust_pw).headers["Location"] == "/account"
    finally:
        with db_super.cursor() as cur:
            cur.execute("UPDATE tenant_twofa_policy SET staff_required = false,"
                        " grace_until = NULL")


# ------------------------------------------------------------- JSON

def test_json_api_and_tokens_unaffected(https, db_super):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    signin(c, email, pw)
    r = post_form(c, "/account", "/account/tokens", {"name": "script"})
    token = re.search(r'id="new-token" readonly value="(mpt_[^"]+)"',
                      r.text).group(1)
    api = https("acme")
    h = {"Authorization": "Bearer " + token}

    r = api.get("/api/2fa/status", headers=h)
    assert r.status_code == 200
    assert r.json() == {"enabled": False, "enabled_at": None,
                        "setup_pending": False, "backup_codes_left": 0,
                        "required": False, "required_from": None}
    r = api.post("/api/2fa/setup", json={}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["field"] == "password"
    r = api.post("/api/2fa/setup", json={"password": "nope-nope"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r = api.post("/api/2fa/setup", json={"password": pw}, headers=h)
    assert r.status_code == 201
    body = r.json()
    secret = body["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert "secret=%s" % secret in body["otpauth_uri"]
    assert qr_decode(body["qr_svg_data_uri"]) == body["otpauth_uri"]
    assert api.get("/api/2fa/status", headers=h).json()["setup_pending"] is True

    step = fresh_step()
    # The code field's limit: 32 characters, 33 refused by the validator.
    r = api.post("/api/2fa/verify", json={"code": "1" * 33}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["field"] == "code"
    r = api.post("/api/2fa/verify", json={"code": "1" * 32}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "code"
    r = api.post("/api/2fa/verify", json={"code": totp(secret, step)},
                 headers=h)
    assert r.status_code == 200
    codes = r.json()["backup_codes"]
    assert r.json()["enabled"] is True and len(codes) == 10
    # The first code is spent: it cannot make backup codes.
    r = api.post("/api/2fa/backup-codes", json={"code": totp(secret, step)},
                 headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "code"
    st = api.get("/api/2fa/status", headers=h).json()
    assert st["enabled"] is True and st["backup_codes_left"] == 10
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", st["enabled_at"])
    # Again: already on.
    assert api.post("/api/2fa/setup", json={"password": pw},
                    headers=h).status_code == 409

    # The API token keeps working with 2FA on: no second step for it.
    assert api.get("/api/sessions", headers=h).status_code == 200

    # A newer code makes new backup codes.
    r = api.post("/api/2fa/backup-codes", json={"code": App(secret, step).code()},
                 headers=h)
    assert r.status_code == 200
    new = r.json()["backup_codes"]
    assert len(new) == 10 and not set(new) & set(codes)

    # Disable: password and code; an old backup code no longer counts.
    r = api.post("/api/2fa/disable", json={"password": pw, "code": codes[0]},
                 headers=h)
    assert r.status_code == 422
    r = api.post("/api/2fa/disable", json={"password": "x" * 9,
                                           "code": new[0]}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r = api.post("/api/2fa/disable", json={"password": pw, "code": new[0]},
                 headers=h)
    assert r.status_code == 200 and r.json() == {"enabled": False}
    assert api.get("/api/2fa/status", headers=h).json()["enabled"] is False
    # With a session cookie, the API needs the CSRF header like every form.
    r = c.post("/api/2fa/setup", json={"password": pw},
               headers={"Origin": c.origin()})
    assert r.status_code == 403
    with db_super.cursor() as cur:
        cur.execute("DELETE FROM twofa_failures WHERE user_id = %s",
                    (user_id(db_super, email),))


def test_json_throttle_answers_429(https, db_super):
    c, email, pw, secret, codes, step = twofa_user(https, db_super)
    tok = csrf_from(c.get("/account").text)
    h = {"X-CSRF-Token": tok, "Origin": c.origin()}
    uid = user_id(db_super, email)
    try:
        for i in range(5):
            r = c.post("/api/2fa/backup-codes", json={"code": "44444%d" % i},
                       headers=h)
            assert r.status_code == 422, r.text
        r = c.post("/api/2fa/backup-codes", json={"code": App(secret, step).peek()},
                   headers=h)
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "rate_limited"
        assert r.headers["Retry-After"] == "900"
    finally:
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM twofa_failures WHERE user_id = %s", (uid,))


# ------------------------------------------------- admin, operator

def test_admin_user_list_shows_who_has_2fa(https, db_super):
    _, email, _, _, _, _ = twofa_user(https, db_super)
    plain_email, _ = make_user(db_super, "acme")
    admin_email, admin_pw = make_user(db_super, "acme", role="admin")
    a = https("acme")
    signin(a, admin_email, admin_pw)
    page = a.get("/admin/users").text
    assert "<th scope=\"col\">Two-factor</th>" in page
    row = re.search(r"<tr><td>%s</td>.*?</tr>" % re.escape(email), page, re.S)
    assert row and "<td>On</td>" in row.group(0)
    row = re.search(r"<tr><td>%s</td>.*?</tr>" % re.escape(plain_email), page,
                    re.S)
    assert row and "<td>Off</td>" in row.group(0)


def test_mpanelctl_twofa_reset(https, db_super, sh_stack):
    c, email, pw, secret, codes, step = twofa_user(https, db_super)
    out = sh_stack("mpanelctl", "twofa-reset", "acme", email.upper())
    assert "two-factor sign-in is off" in out.stdout
    uid = user_id(db_super, email)
    with db_super.cursor() as cur:
        cur.execute("SELECT secret_sealed, enabled_at FROM user_twofa"
                    " WHERE user_id = %s", (uid,))
        assert cur.fetchone() == (None, None)
        cur.execute("SELECT count(*) FROM twofa_backup_codes WHERE user_id = %s",
                    (uid,))
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT detail->>'action', user_agent FROM security_events"
                    " WHERE user_id = %s AND kind = 'twofa' ORDER BY id DESC"
                    " LIMIT 1", (uid,))
        assert cur.fetchone() == ("reset", "mpanelctl")
    d = https("acme")
    assert signin(d, email, pw).headers["Location"] == "/account"
    # Unknown user, or the user of another tenant: refused, nothing changed.
    r = sh_stack("mpanelctl", "twofa-reset", "acme", "nobody@acme.example",
                 check=False)
    assert r.returncode == 1 and "no user" in r.stderr
    _, gl_email, _, _, _, _ = twofa_user(https, db_super, tenant="globex")
    r = sh_stack("mpanelctl", "twofa-reset", "acme", gl_email, check=False)
    assert r.returncode == 1
    with db_super.cursor() as cur:
        cur.execute("SELECT enabled_at IS NOT NULL FROM user_twofa"
                    " WHERE user_id = %s", (user_id(db_super, gl_email),))
        assert cur.fetchone()[0] is True


def test_pending_sign_in_stays_in_its_tenant(https, db_super):
    _, email, pw, secret, _, step = twofa_user(https, db_super)
    c = https("acme")
    r = password_step(c, email, pw)
    pend = set_cookie(r, PENDING).split(";")[0].split("=", 1)[1]
    g = https("globex")
    g.session.cookies.set(PENDING, pend)
    assert g.get("/login/2fa").headers["Location"] == "/login"
    page = g.get("/login")
    app = App(secret, step)
    r = g.post("/login/2fa", data={"csrf_token": csrf_from(page.text),
                                   "code": app.peek()},
               headers=form_headers(g))
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    # The acme sign-in is untouched by that.
    assert answer(c, app.code()).status_code == 303


def test_configured_key_seals_the_secrets(https, db_super, pool_extra):
    key = secrets.token_hex(32)
    port = pool_extra("twofakey", twofa_key=key)
    email, pw = make_user(db_super, "acme")
    c = https("acme", port=port)
    signin(c, email, pw)
    tok = csrf_from(c.get("/account").text)
    h = {"X-CSRF-Token": tok, "Origin": c.origin()}
    r = c.post("/api/2fa/setup", json={"password": pw}, headers=h)
    assert r.status_code == 201
    secret = r.json()["secret"]
    step = fresh_step()
    r = c.post("/api/2fa/verify", json={"code": totp(secret, step)}, headers=h)
    assert r.status_code == 200
    with db_super.cursor() as cur:
        cur.execute("SELECT secret_sealed FROM user_twofa WHERE user_id = %s",
                    (user_id(db_super, email),))
        sealed = cur.fetchone()[0]
    # "c." names the configured key (the default pool's are "d<kid>.").
    assert sealed.startswith("c.") and secret not in sealed
    d = https("acme", port=port)
    password_step(d, email, pw)
    assert answer(d, App(secret, step).code()).status_code == 303
    assert signed_in(d)


def test_cleanup_job_removes_old_failures_and_expired_pending(https, db_super):
    from helpers import wait_until
    email, pw = make_user(db_super, "acme")
    uid = user_id(db_super, email)
    with db_super.cursor() as cur:
        cur.execute("SELECT tenant_id FROM users WHERE id = %s", (uid,))
        tid = cur.fetchone()[0]
        # A day and a minute old goes; 23 hours old stays (the boundary
        # is a day, past every window the settings allow).
        cur.execute("INSERT INTO twofa_failures (tenant_id, user_id, device_hash,"
                    " created_at) VALUES (%s, %s, 'old', now() - interval"
                    " '1 day 1 minute'), (%s, %s, 'recent', now() - interval"
                    " '23 hours')", (tid, uid, tid, uid))
        cur.execute("INSERT INTO twofa_pending (tenant_id, token_hash, user_id,"
                    " next, expires_at) VALUES (%s, %s, %s, '/account',"
                    " now() - interval '1 second'), (%s, %s, %s, '/account',"
                    " now() + interval '5 minutes')",
                    (tid, "a" * 64, uid, tid, "b" * 64, uid))

    def bring_forward():
        with db_super.cursor() as cur:
            cur.execute("UPDATE job SET run_at = now() WHERE kind ="
                        " 'twofa.cleanup' AND tenant_id = %s AND state ="
                        " 'queued' RETURNING id", (tid,))
            return cur.fetchone() is not None
    wait_until(bring_forward, 15, what="a scheduled twofa.cleanup job")

    def left():
        with db_super.cursor() as cur:
            cur.execute("SELECT device_hash FROM twofa_failures WHERE user_id = %s",
                        (uid,))
            f = sorted(d for (d,) in cur.fetchall())
            cur.execute("SELECT left(token_hash, 1) FROM twofa_pending"
                        " WHERE user_id = %s", (uid,))
            return f, sorted(t for (t,) in cur.fetchall())
    wait_until(lambda: left() == (["recent"], ["b"]), 15,
               what="the twofa.cleanup job")
