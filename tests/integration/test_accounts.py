"""Accounts and the session list, through nginx over TLS against the real
database: sign in and out, throttling, cookies, rotation, expiry, the
session list, ending sessions, CSRF, tenant isolation, API tokens, password
reset and the new-sign-in alert."""

import re
import time

import pytest

from auth import (CHROME, DEMO, FIREFOX, IPHONE, bind_source, csrf_from,
                  form_headers, make_user, post_form, signin)


def session_cookie(resp):
    for v in resp.raw.headers.getlist("Set-Cookie"):
        if v.startswith("__Host-mp_session="):
            return v
    return None


def cookie_value(client):
    return client.session.cookies.get("__Host-mp_session")


def api_sessions(client):
    r = client.get("/api/sessions")
    assert r.status_code == 200, r.text
    return r.json()["sessions"]


def test_demo_admin_signs_in_and_out(https):
    c = https("acme")
    email, pw = DEMO["acme"]["admin"]
    r = signin(c, email, pw)
    assert r.headers["Location"] == "/account"
    page = c.get("/account")
    assert page.status_code == 200
    assert email in page.text and "Your account" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    out = post_form(c, "/account", "/logout", {})
    assert out.status_code == 303
    assert c.get("/account").status_code == 303


def test_cookie_attributes(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    r = signin(c, email, pw)
    sc = session_cookie(r)
    assert sc is not None
    attrs = [a.strip().lower() for a in sc.split(";")[1:]]
    assert "path=/" in attrs and "secure" in attrs and "httponly" in attrs
    assert "samesite=lax" in attrs
    assert not any(a.startswith("domain") for a in attrs)
    token = sc.split(";")[0].split("=", 1)[1]
    assert len(token) >= 43          # 32 bytes, base64url
    # Only the hash is stored.
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM user_sessions WHERE token_hash = %s"
                    " OR token_hash = encode(sha256(%s::bytea), 'hex')",
                    (token, token))
        assert cur.fetchone()[0] == 1
        cur.execute("SELECT count(*) FROM user_sessions WHERE token_hash = %s",
                    (token,))
        assert cur.fetchone()[0] == 0


def test_wrong_password_and_unknown_account_look_the_same(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    page = c.get("/login")
    bad = c.post("/login", data={"csrf_token": csrf_from(page.text),
                                 "email": email, "password": "nope-nope-nope"},
                 headers=form_headers(c))
    unknown = c.post("/login", data={"csrf_token": csrf_from(page.text),
                                     "email": "ghost-%s" % email,
                                     "password": "nope-nope-nope"},
                     headers=form_headers(c))
    assert bad.status_code == unknown.status_code == 401
    msg = re.compile(r'role="alert"[^>]*>([^<]+)<')
    assert msg.search(bad.text).group(1) == msg.search(unknown.text).group(1)
    assert session_cookie(bad) is None and session_cookie(unknown) is None


def test_throttling_at_the_limit(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    page = c.get("/login")
    tok = csrf_from(page.text)
    try:
        for i in range(10):
            r = c.post("/login", data={"csrf_token": tok, "email": email,
                                       "password": "wrong-%d-xxxx" % i},
                       headers=form_headers(c))
            assert r.status_code == 401, (i, r.status_code)
        # The limit is reached: even the right password is refused now.
        r = c.post("/login", data={"csrf_token": tok, "email": email,
                                   "password": pw}, headers=form_headers(c))
        assert r.status_code == 429
        assert "Too many failed sign-ins" in r.text
        assert session_cookie(r) is None
    finally:
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM login_attempts WHERE email_hash ="
                        " encode(sha256(%s::bytea), 'hex')", (email,))
    # Once the window's failures are gone, the account signs in again.
    signin(c, email, pw)


def test_nine_failures_still_allow_sign_in(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    page = c.get("/login")
    tok = csrf_from(page.text)
    try:
        for i in range(9):
            r = c.post("/login", data={"csrf_token": tok, "email": email,
                                       "password": "wrong-%d-xxxx" % i},
                       headers=form_headers(c))
            assert r.status_code == 401
        signin(c, email, pw)
    finally:
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM login_attempts WHERE email_hash ="
                        " encode(sha256(%s::bytea), 'hex')", (email,))


def test_token_rotates_on_sign_in(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    signin(c, email, pw)
    first = cookie_value(c)
    signin(c, email, pw)
    second = cookie_value(c)
    assert first and second and first != second
    old = https("acme")
    old.session.cookies.set("__Host-mp_session", first)
    assert old.get("/account").status_code == 303     # ended by rotation
    assert c.get("/account").status_code == 200


def test_idle_expiry_for_staff(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme", role="support")
    signin(c, email, pw)
    assert c.get("/account").status_code == 200
    with db_super.cursor() as cur:
        # 29 minutes idle: still signed in.
        cur.execute("UPDATE user_sessions SET last_seen_at = now() -"
                    " interval '29 minutes', created_at = now() -"
                    " interval '1 hour' WHERE user_id = (SELECT id FROM users"
                    " WHERE email = %s)", (email,))
    assert c.get("/account").status_code == 200
    with db_super.cursor() as cur:
        cur.execute("UPDATE user_sessions SET last_seen_at = now() -"
                    " interval '31 minutes' WHERE user_id = (SELECT id FROM"
                    " users WHERE email = %s)", (email,))
    r = c.get("/account")
    assert r.status_code == 303 and r.headers["Location"].startswith("/login")


def test_absolute_expiry_for_customers(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    signin(c, email, pw)
    with db_super.cursor() as cur:
        cur.execute("SELECT expires_at - created_at FROM user_sessions WHERE"
                    " user_id = (SELECT id FROM users WHERE email = %s)",
                    (email,))
        assert cur.fetchone()[0].days == 7
        cur.execute("UPDATE user_sessions SET expires_at = now() -"
                    " interval '1 second' WHERE user_id = (SELECT id FROM"
                    " users WHERE email = %s)", (email,))
    assert c.get("/account").status_code == 303


def test_activity_written_at_most_once_a_minute(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    signin(c, email, pw)
    q = ("SELECT last_seen_at FROM user_sessions WHERE user_id ="
         " (SELECT id FROM users WHERE email = %s)")
    with db_super.cursor() as cur:
        cur.execute(q, (email,))
        t0 = cur.fetchone()[0]
        c.get("/account")
        cur.execute(q, (email,))
        assert cur.fetchone()[0] == t0       # not written again
        cur.execute("UPDATE user_sessions SET last_seen_at = now() -"
                    " interval '2 minutes' WHERE user_id = (SELECT id FROM"
                    " users WHERE email = %s)", (email,))
        cur.execute(q, (email,))
        old = cur.fetchone()[0]
        c.get("/account")
        cur.execute(q, (email,))
        assert cur.fetchone()[0] > old


def test_session_list_shows_two_devices(https, db_super):
    email, pw = make_user(db_super, "acme")
    a, b = https("acme"), https("acme")
    signin(a, email, pw, user_agent=CHROME)
    signin(b, email, pw, user_agent=FIREFOX)
    page = a.get("/account/sessions")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Chrome 120 on Windows" in page.text
    assert "Firefox 121 on Linux" in page.text
    assert page.text.count("This device") == 1
    assert "just now" in page.text
    # The marker is on the Chrome session for client a.
    chrome = page.text.index("Chrome 120 on Windows")
    assert page.text.index("This device") > chrome
    sessions = api_sessions(a)
    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    assert {s["device_type"] for s in sessions} == {"desktop"}
    for s in sessions:
        assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", s["id"])


def test_ending_one_session_makes_its_cookie_useless(https, db_super):
    email, pw = make_user(db_super, "acme")
    a, b = https("acme"), https("acme")
    signin(a, email, pw, user_agent=CHROME)
    signin(b, email, pw, user_agent=IPHONE)
    assert b.get("/account").status_code == 200
    other = [s for s in api_sessions(a) if not s["current"]][0]
    assert other["device"] == "Safari 17 on iOS"
    assert other["device_type"] == "mobile"
    r = post_form(a, "/account/sessions",
                  "/account/sessions/%s/end" % other["id"], {})
    assert r.status_code == 303
    assert b.get("/account").status_code == 303       # at once
    assert len(api_sessions(a)) == 1


def test_end_all_others_asks_for_password(https, db_super):
    email, pw = make_user(db_super, "acme")
    clients = [https("acme") for _ in range(3)]
    for cl in clients:
        signin(cl, email, pw)
    me = clients[0]
    bad = post_form(me, "/account/sessions", "/account/sessions/end-others",
                    {"password": "not-the-password"})
    assert bad.status_code == 422
    assert len(api_sessions(me)) == 3
    ok = post_form(me, "/account/sessions", "/account/sessions/end-others",
                   {"password": pw})
    assert ok.status_code == 303
    left = api_sessions(me)
    assert len(left) == 1 and left[0]["current"]
    for cl in clients[1:]:
        assert cl.get("/account").status_code == 303


def test_api_end_all_and_end_one(https, db_super):
    email, pw = make_user(db_super, "acme")
    a, b, c = https("acme"), https("acme"), https("acme")
    for cl in (a, b, c):
        signin(cl, email, pw)
    tok = csrf_from(a.get("/account").text)
    h = {"X-CSRF-Token": tok, "Origin": a.origin()}
    victim = [s for s in api_sessions(a) if not s["current"]][0]["id"]
    assert a.delete("/api/sessions/%s" % victim, headers=h).status_code == 204
    assert a.delete("/api/sessions/%s" % victim, headers=h).status_code == 404
    r = a.delete("/api/sessions/all", json={"password": "wrong-password"},
                 headers=h)
    assert r.status_code == 401
    assert r.json()["error"]["field"] == "password"
    r = a.delete("/api/sessions/all", json={"password": pw}, headers=h)
    assert r.status_code == 200
    assert len(api_sessions(a)) == 1


def test_csrf_is_enforced(https, db_super):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    signin(c, email, pw)
    tok = csrf_from(c.get("/account").text)
    # No token at all.
    r = c.post("/logout", data={}, headers=form_headers(c))
    assert r.status_code == 403
    # The right token, but the browser says the form came from elsewhere.
    r = c.post("/logout", data={"csrf_token": tok},
               headers={"Sec-Fetch-Site": "cross-site",
                        "Origin": "https://evil.example"})
    assert r.status_code == 403
    # No Fetch Metadata: the Origin must be ours.
    r = c.post("/logout", data={"csrf_token": tok},
               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = c.post("/logout", data={"csrf_token": "x" * len(tok)},
               headers=form_headers(c))
    assert r.status_code == 403
    assert c.get("/account").status_code == 200       # still signed in
    r = c.post("/logout", data={"csrf_token": tok}, headers=form_headers(c))
    assert r.status_code == 303


def test_login_form_needs_csrf_too(https, db_super):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    r = c.post("/login", data={"email": email, "password": pw},
               headers=form_headers(c))
    assert r.status_code == 403
    assert session_cookie(r) is None


def test_tenant_isolation_of_sessions(https, db_super):
    email, pw = make_user(db_super, "acme")
    a = https("acme")
    signin(a, email, pw)
    acme_session = api_sessions(a)[0]["id"]
    # The acme cookie means nothing on globex.
    g = https("globex")
    g.session.cookies.set("__Host-mp_session", cookie_value(a))
    assert g.get("/account/sessions").status_code == 303
    assert g.get("/api/sessions").status_code == 401
    # A globex user cannot end an acme session by its id.
    gemail, gpw = make_user(db_super, "globex")
    g2 = https("globex")
    signin(g2, gemail, gpw)
    tok = csrf_from(g2.get("/account").text)
    r = g2.delete("/api/sessions/%s" % acme_session,
                  headers={"X-CSRF-Token": tok, "Origin": g2.origin()})
    assert r.status_code == 404
    r = post_form(g2, "/account/sessions",
                  "/account/sessions/%s/end" % acme_session, {})
    assert r.status_code == 404
    assert a.get("/account").status_code == 200


def test_api_token_works_and_revoked_token_fails(https, db_super):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    signin(c, email, pw)
    r = post_form(c, "/account", "/account/tokens", {"name": "ci script"})
    assert r.status_code == 201
    token = re.search(r'id="new-token" readonly value="(mpt_[^"]+)"',
                      r.text).group(1)
    api = https("acme")
    h = {"Authorization": "Bearer " + token}
    got = api.get("/api/sessions", headers=h)
    assert got.status_code == 200 and got.json()["total"] >= 1
    # The token is scoped to its tenant.
    other = https("globex")
    assert other.get("/api/sessions", headers=h).status_code == 401
    # Stored hashed only.
    with db_super.cursor() as cur:
        cur.execute("SELECT public_id FROM api_tokens WHERE token_hash ="
                    " encode(sha256(%s::bytea), 'hex')", (token,))
        (pid,) = cur.fetchone()
        cur.execute("SELECT count(*) FROM api_tokens WHERE token_hash = %s",
                    (token,))
        assert cur.fetchone()[0] == 0
    # Shown once: the account page lists it without the secret.
    page = c.get("/account")
    assert "ci script" in page.text and token not in page.text
    r = post_form(c, "/account", "/account/tokens/%s/revoke" % pid, {})
    assert r.status_code == 303
    bad = api.get("/api/sessions", headers=h)
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "unauthorized"


def test_session_pages_need_sign_in(https):
    c = https("acme")
    r = c.get("/account/sessions")
    assert r.status_code == 303
    assert r.headers["Location"] == "/login?next=/account/sessions"
    assert c.get("/api/sessions").status_code == 401


def test_admin_stats_for_admins_only(https, db_super):
    c = https("acme")
    signin(c, *DEMO["acme"]["admin"])
    r = c.get("/api/admin/sessions/stats")
    assert r.status_code == 200
    s = r.json()
    assert s["active_sessions"] >= 1
    assert sum(s["by_device_type"].values()) == s["active_sessions"]
    assert len(s["sign_ins_per_day"]) == 14
    cust = https("acme")
    email, pw = make_user(db_super, "acme")
    signin(cust, email, pw)
    assert cust.get("/api/admin/sessions/stats").status_code == 403


def test_admin_ends_every_session_of_a_user(https, db_super):
    email, pw = make_user(db_super, "acme")
    u = https("acme")
    signin(u, email, pw)
    adm = https("acme")
    signin(adm, *DEMO["acme"]["admin"])
    page = adm.get("/admin/users")
    assert email in page.text
    with db_super.cursor() as cur:
        cur.execute("SELECT public_id FROM users WHERE email = %s", (email,))
        (pid,) = cur.fetchone()
    r = post_form(adm, "/admin/users", "/admin/users/%s/sessions/end" % pid,
                  {})
    assert r.status_code == 303
    assert u.get("/account").status_code == 303


def test_password_policy_on_change(https, db_super):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    signin(c, email, pw)
    for new, msg in (("short7!", "at least 8"), ("password1", "too common"),
                     ("x" * 129, "at most 128")):
        r = post_form(c, "/account", "/account/password",
                      {"current_password": pw, "new_password": new})
        assert r.status_code == 422 and msg in r.text, new
    r = post_form(c, "/account", "/account/password",
                  {"current_password": "wrong-one", "new_password": "x" * 20})
    assert r.status_code == 422
    # Exactly 8 characters is enough; other sessions end when asked.
    other = https("acme")
    signin(other, email, pw)
    r = post_form(c, "/account", "/account/password",
                  {"current_password": pw, "new_password": "fjord-8x",
                   "end_others": "1"})
    assert r.status_code == 303
    assert other.get("/account").status_code == 303
    assert c.get("/account").status_code == 200
    signin(https("acme"), email, "fjord-8x")


def wait_mail(mailbox, to, subject_part, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for caught in mailbox.read():
            m = caught["msg"]
            if to in str(m.get("To", "")) and subject_part in str(
                    m.get("Subject", "")):
                return m
        time.sleep(0.3)
    pytest.fail("no mail to %s about %r" % (to, subject_part))


def mail_text(m):
    part = m.get_body(preferencelist=("plain",))
    return part.get_content() if part else str(m)


def test_password_reset_by_email(https, db_super, mailbox):
    email, pw = make_user(db_super, "acme", name="Robin Reset")
    signed = https("acme")
    signin(signed, email, pw)
    c = https("acme")
    r = post_form(c, "/password/forgot", "/password/forgot", {"email": email})
    assert r.status_code == 200 and "Check your email" in r.text
    # An unknown address gets the same page and no mail.
    r2 = post_form(c, "/password/forgot", "/password/forgot",
                   {"email": "nobody-%s" % email})
    assert r2.status_code == 200 and "Check your email" in r2.text
    m = wait_mail(mailbox, email, "Reset your")
    link = re.search(r"https://[^/\s]+(/password/reset/[A-Za-z0-9_-]+)",
                     mail_text(m)).group(1)
    page = c.get(link)
    assert page.status_code == 200 and email in page.text
    weak = post_form(c, link, link, {"password": "123"})
    assert weak.status_code == 422
    done = post_form(c, link, link, {"password": "new-secret-phrase"})
    assert done.status_code == 303
    assert signed.get("/account").status_code == 303   # all sessions ended
    assert c.get(link).status_code == 404              # single use
    signin(https("acme"), email, "new-secret-phrase")
    signin(https("acme"), email, pw, expect=401)


def test_new_sign_in_alert_and_this_wasnt_me(https, db_super, mailbox):
    email, pw = make_user(db_super, "acme", name="Alex Alert")
    home = https("acme")
    signin(home, email, pw, user_agent=CHROME)
    # Same device again: no alert.
    signin(home, email, pw, user_agent=CHROME)
    # A new device on a new network (another loopback /24).
    thief = bind_source(https("acme"), "127.0.9.9")
    signin(thief, email, pw, user_agent=FIREFOX)
    m = wait_mail(mailbox, email, "New sign-in")
    text = mail_text(m)
    assert "Firefox 121 on Linux" in text and "127.0.9.9" in text
    link = re.search(r"https://[^/\s]+(/account/not-me/[A-Za-z0-9_-]+)",
                     text).group(1)
    # At most one alert per device per day.
    signin(https("acme"), email, pw, expect=303)
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM security_events e JOIN users u ON"
                    " u.id = e.user_id WHERE u.email = %s AND e.kind ="
                    " 'new_sign_in'", (email,))
        alerts = cur.fetchone()[0]
    assert alerts >= 1
    signin(thief, email, pw, user_agent=FIREFOX)
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM security_events e JOIN users u ON"
                    " u.id = e.user_id WHERE u.email = %s AND e.kind ="
                    " 'new_sign_in'", (email,))
        assert cur.fetchone()[0] == alerts
    # The link shows a page on GET and acts only on POST.
    stranger = https("acme")
    page = stranger.get(link)
    assert page.status_code == 200 and "Was this you?" in page.text
    assert thief.get("/account").status_code == 200
    r = post_form(stranger, link, link, {})
    assert r.status_code == 200 and "secured" in r.text
    assert thief.get("/account").status_code == 303
    assert home.get("/account").status_code == 303
    wait_mail(mailbox, email, "Reset your")


def test_cleanup_removes_only_long_ended_sessions(https, db_super, sh_stack):
    email, pw = make_user(db_super, "acme")
    for _ in range(3):
        signin(https("acme"), email, pw)
    with db_super.cursor() as cur:
        cur.execute("SELECT s.id FROM user_sessions s JOIN users u ON"
                    " u.id = s.user_id WHERE u.email = %s ORDER BY s.id",
                    (email,))
        old, recent, live = [r[0] for r in cur.fetchall()]
        cur.execute("UPDATE user_sessions SET revoked_at = now() -"
                    " interval '31 days', revoked_reason = 'signed_out'"
                    " WHERE id = %s", (old,))
        cur.execute("UPDATE user_sessions SET revoked_at = now() -"
                    " interval '29 days', revoked_reason = 'signed_out'"
                    " WHERE id = %s", (recent,))
    out = sh_stack("mpanelctl", "sessions", "cleanup").stdout
    assert "removed" in out
    with db_super.cursor() as cur:
        cur.execute("SELECT id FROM user_sessions WHERE id IN (%s, %s, %s)"
                    " ORDER BY id", (old, recent, live))
        assert [r[0] for r in cur.fetchall()] == [recent, live]


def test_navigation_follows_the_role(https, db_super):
    # One main navigation per role (the staff's tools are on /admin).
    anon = https("acme").get("/").text
    assert 'href="/login"' in anon and 'href="/admin"' not in anon
    cust = https("acme")
    signin(cust, *make_user(db_super, "acme"))
    page = cust.get("/").text
    assert 'href="/account"' in page and 'href="/admin"' not in page
    assert 'href="/account/sessions"' in cust.get("/account").text
    staff = https("acme")
    signin(staff, *make_user(db_super, "acme", role="support"))
    assert 'href="/admin"' in staff.get("/").text
    landing = staff.get("/admin").text
    assert 'href="/staff/help"' in landing and 'href="/staff/status"' in landing
    assert 'href="/admin/users"' not in landing
    adm = https("acme")
    signin(adm, *DEMO["acme"]["admin"])
    assert 'href="/admin/users"' in adm.get("/admin").text


def test_only_pages_with_forms_set_the_visitor_csrf_cookie(https):
    c = https("acme")
    for path in ("/", "/help", "/status", "/nope-404"):
        r = c.get(path)
        assert "Set-Cookie" not in r.headers, (path, r.headers.get("Set-Cookie"))
    r = c.get("/login")
    assert r.headers["Set-Cookie"].startswith("__Host-mp_csrf=")
    token = csrf_from(r.text)
    assert "__Host-mp_csrf=%s;" % token in r.headers["Set-Cookie"]
    # Once the visitor has one, pages reuse it and set nothing new.
    again = c.get("/login")
    assert "Set-Cookie" not in again.headers
    assert csrf_from(again.text) == token
