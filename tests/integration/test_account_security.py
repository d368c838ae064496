"""What an attacker tried, each as a regression test at its boundary:
lockout by letter case, API tokens surviving "secure my account", reset
mail without a per-address limit, account enumeration by the time of
/password/forgot, an open redirect after sign-in, older reset links, an
impossible date, JSON bodies ignored, the per-IP limit locking out known
devices, and Cache-Control sent twice."""

import re
import statistics
import time

import pytest

import auth
from auth import (bind_source, csrf_from, form_headers, make_user, post_form,
                  signin)
from helpers import wait_until


def mail_text(m):
    part = m.get_body(preferencelist=("plain",))
    return part.get_content() if part else str(m)


def mails_to(mailbox, to, subject_part):
    """Caught messages (EmailMessage) to the address to whose subject
    holds subject_part, oldest first."""
    return [c["msg"] for c in mailbox.read()
            if to.lower() in [r.lower() for r in c["rcpt_tos"]] and
            subject_part in str(c["msg"].get("Subject", ""))]


def wait_mails(mailbox, to, subject_part, n=1, timeout=20):
    wait_until(lambda: len(mails_to(mailbox, to, subject_part)) >= n,
               timeout=timeout, what="%d mail(s) to %s" % (n, to))
    return mails_to(mailbox, to, subject_part)


def jobs_settled(db_super, kind):
    """No job of kind is still waiting or running."""
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM job WHERE kind = %s AND state IN"
                    " ('queued', 'running')", (kind,))
        return cur.fetchone()[0] == 0


def clear_attempts(db_super, email=None, ip=None):
    with db_super.cursor() as cur:
        if email:
            cur.execute("DELETE FROM login_attempts WHERE email_hash ="
                        " encode(sha256(%s::bytea), 'hex')", (email.lower(),))
        if ip:
            cur.execute("DELETE FROM login_attempts WHERE ip = %s::inet", (ip,))


def try_login(client, email, password, next_=None):
    page = client.get("/login")
    data = {"csrf_token": csrf_from(page.text), "email": email,
            "password": password}
    if next_ is not None:
        data["next"] = next_
    return client.post("/login", data=data, headers=form_headers(client))


def new_token(client, name="ci script"):
    r = post_form(client, "/account", "/account/tokens", {"name": name})
    assert r.status_code == 201, r.text[:300]
    return re.search(r'id="new-token" readonly value="(mpt_[^"]+)"',
                     r.text).group(1)


def token_works(https, token):
    r = https("acme").get("/api/sessions",
                          headers={"Authorization": "Bearer " + token})
    assert r.status_code in (200, 401), r.status_code
    return r.status_code == 200


def swapcase_variants(email):
    local, domain = email.split("@")
    return [local.upper() + "@" + domain, local.capitalize() + "@" +
            domain.upper(), email.swapcase(), local + "@" + domain.title()]


# ------------------------------------------------ 1. lockout and letter case

def test_lockout_counts_every_case_of_an_address(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    variants = swapcase_variants(email)
    try:
        # Ten failures spread over case variants lock the one account...
        for i in range(10):
            r = try_login(c, variants[i % len(variants)], "wrong-%d-xxxx" % i)
            assert r.status_code == 401, (i, r.status_code)
        # ...and no spelling of it, the right password included, gets in.
        for v in [email] + variants:
            r = try_login(c, v, pw)
            assert r.status_code == 429, (v, r.status_code)
            assert "Too many failed sign-ins" in r.text
            assert r.headers["Retry-After"] == "900"
    finally:
        clear_attempts(db_super, email)
    # The failures were all recorded under the one lower-case form.
    r = try_login(c, variants[0], pw)
    assert r.status_code == 303


def test_nine_failures_in_mixed_case_still_allow_sign_in(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    variants = swapcase_variants(email)
    try:
        for i in range(9):
            assert try_login(c, variants[i % 4], "wrong-%d-xxxx" % i
                             ).status_code == 401
        assert try_login(c, email.upper(), pw).status_code == 303
    finally:
        clear_attempts(db_super, email)


# ------------------------------------- 2. API tokens and "secure my account"

def test_password_change_revokes_api_tokens(https, db_super, mailbox):
    email, pw = make_user(db_super, "acme", name="Tok Changer")
    c = https("acme")
    signin(c, email, pw)
    t1, t2 = new_token(c, "one"), new_token(c, "two")
    assert token_works(https, t1) and token_works(https, t2)
    r = post_form(c, "/account", "/account/password", {
        "current_password": pw, "new_password": "another-long-phrase"})
    assert r.status_code == 303
    page = c.get(r.headers["Location"])
    assert "Your password was changed." in page.text
    assert "All 2 API tokens of your account were revoked" in page.text
    assert not token_works(https, t1) and not token_works(https, t2)
    # The session that changed it goes on; the list has no tokens left.
    assert page.status_code == 200 and "mpt_" not in page.text
    m = wait_mails(mailbox, email, "password was changed")[0]
    text = mail_text(m)
    assert "2 API tokens were revoked" in text
    assert "/password/forgot" in text


def test_password_reset_revokes_api_tokens(https, db_super, mailbox):
    email, pw = make_user(db_super, "acme", name="Tok Resetter")
    c = https("acme")
    signin(c, email, pw)
    tok = new_token(c)
    anon = https("acme")
    post_form(anon, "/password/forgot", "/password/forgot", {"email": email})
    m = wait_mails(mailbox, email, "Reset your")[0]
    link = re.search(r"https://[^/\s]+(/password/reset/[A-Za-z0-9_-]+)",
                     mail_text(m)).group(1)
    assert token_works(https, tok)
    r = post_form(anon, link, link, {"password": "brand-new-phrase"})
    assert r.status_code == 303 and r.headers["Location"] == "/login?reset=1"
    assert "API tokens were revoked" in anon.get(r.headers["Location"]).text
    assert not token_works(https, tok)
    text = mail_text(wait_mails(mailbox, email, "password was changed")[0])
    assert "with a reset link" in text and "API token was revoked" in text


def test_this_wasnt_me_revokes_api_tokens(https, db_super, mailbox):
    email, pw = make_user(db_super, "acme", name="Tok NotMe")
    home = https("acme")
    signin(home, email, pw, user_agent=auth.CHROME)
    tok = new_token(home)
    thief = bind_source(https("acme"), "127.0.9.33")
    signin(thief, email, pw, user_agent=auth.FIREFOX)
    link = re.search(r"https://[^/\s]+(/account/not-me/[A-Za-z0-9_-]+)",
                     mail_text(wait_mails(mailbox, email, "New sign-in")[0])
                     ).group(1)
    assert token_works(https, tok)
    r = post_form(https("acme"), link, link, {})
    assert r.status_code == 200
    assert "The API token of your account was revoked" in r.text
    assert not token_works(https, tok)
    text = mail_text(wait_mails(mailbox, email, "Reset your")[0])
    assert "revoked its 1 API token" in text


# ---------------------------------------------- 3. and 4. reset mail requests

def test_reset_mail_is_limited_per_address(https, db_super, mailbox):
    email, _ = make_user(db_super, "acme", name="Many Resets")
    ghost = "ghost-" + email
    c = https("acme")
    answers = []
    for i in range(6):
        addr = email if i % 2 == 0 else email.upper()
        r = post_form(c, "/password/forgot", "/password/forgot",
                      {"email": addr})
        answers.append((r.status_code, re.sub(r'value="[^"]*"', "",
                                              r.text)))
        u = post_form(c, "/password/forgot", "/password/forgot",
                      {"email": ghost})
        answers.append((u.status_code, re.sub(r'value="[^"]*"', "", u.text)))
    # Every answer is the same page, known address or not, limited or not.
    assert len(set(answers)) == 1 and answers[0][0] == 200
    wait_until(lambda: jobs_settled(db_super, "accounts.reset_mail"),
               timeout=20, what="reset jobs done")
    time.sleep(1.0)
    got = mails_to(mailbox, email, "Reset your")
    assert len(got) == 3, len(got)
    assert mails_to(mailbox, ghost, "") == []
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM password_resets r JOIN users u"
                    " ON u.id = r.user_id WHERE u.email = %s", (email,))
        assert cur.fetchone()[0] == 3


def test_forgot_costs_the_same_for_real_and_unknown(https, db_super):
    email, _ = make_user(db_super, "acme")
    c = https("acme")
    tok = csrf_from(c.get("/password/forgot").text)
    h = form_headers(c)

    def jobs():
        with db_super.cursor() as cur:
            cur.execute("SELECT count(*) FROM job"
                        " WHERE kind = 'accounts.reset_mail'")
            return cur.fetchone()[0]

    def post(addr):
        t0 = time.perf_counter()
        r = c.post("/password/forgot", data={"csrf_token": tok,
                                             "email": addr}, headers=h)
        dt = time.perf_counter() - t0
        assert r.status_code == 200
        return dt, r.text

    # Each request does one thing, the same thing: queue one job.
    n = jobs()
    _, real_page = post(email)
    assert jobs() == n + 1
    _, ghost_page = post("nobody-" + email)
    assert jobs() == n + 2
    assert real_page == ghost_page
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM password_resets r JOIN users u"
                    " ON u.id = r.user_id WHERE u.email = %s"
                    " AND r.created_at > now() - interval '1 second'"
                    " AND NOT EXISTS (SELECT 1 FROM job WHERE kind ="
                    " 'accounts.reset_mail' AND state IN ('running', 'completed')"
                    " AND payload->>'email' = %s)", (email, email))
        assert cur.fetchone()[0] == 0    # no link minted by the request
    # And the clock agrees (before: 9.2 ms against 2.6 ms).
    real, ghost = [], []
    for i in range(15):
        real.append(post(email)[0])
        ghost.append(post("nobody%d-%s" % (i, email))[0])
    mr, mg = statistics.median(real), statistics.median(ghost)
    assert mr < mg * 2 + 0.002 and mg < mr * 2 + 0.002, (mr, mg)
    wait_until(lambda: jobs_settled(db_super, "accounts.reset_mail"),
               timeout=30, what="reset jobs done")


# ------------------------------------------------------------ 5. redirects

BAD_NEXT = [
    "/\t/evil.example", "/\t\t/evil.example", "/\n/evil.example",
    "/\r/evil.example", "/ /evil.example", "/\x00/evil.example",
    "/\x7f/evil.example", "/\\evil.example", "/\\/evil.example",
    "\\\\evil.example", "//evil.example", "///evil.example",
    "/%2F/evil.example", "/%2f/evil.example", "/%5C/evil.example",
    "/%5cevil.example", "https://evil.example/", "evil.example",
    "javascript:alert(1)", "/\u00e9vil", "/\u3000/evil.example", "",
    "/" + "a" * 1001,
]
GOOD_NEXT = ["/account/sessions", "/help/articles/x?q=a+b&page=2",
             "/status#incidents", "/", "/a/%20b", "/" + "a" * 999]


@pytest.mark.parametrize("nxt", BAD_NEXT)
def test_sign_in_never_leaves_the_site(https, db_super, nxt):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    r = try_login(c, email, pw, next_=nxt)
    if r.status_code == 400:     # a NUL byte: the form itself is refused
        assert "\x00" in nxt and "Location" not in r.headers
        return
    assert r.status_code == 303
    assert r.headers["Location"] == "/account", repr(r.headers["Location"])


@pytest.mark.parametrize("nxt", GOOD_NEXT)
def test_sign_in_returns_to_a_local_page(https, db_super, nxt):
    email, pw = make_user(db_super, "acme")
    r = try_login(https("acme"), email, pw, next_=nxt)
    assert r.status_code == 303 and r.headers["Location"] == nxt


def test_login_form_carries_only_a_safe_next(https):
    c = https("acme")
    # The query string is decoded first: %09 is a TAB.
    page = c.get("/login?next=/%09/evil.example")
    assert 'name="next" value="/account"' in page.text
    page = c.get("/login?next=/account/sessions")
    assert 'name="next" value="/account/sessions"' in page.text


# ------------------------------------------------------- 6. older reset links

def test_using_one_reset_link_voids_the_others(https, db_super, mailbox):
    email, _ = make_user(db_super, "acme", name="Two Links")
    c = https("acme")
    for _ in range(2):
        post_form(c, "/password/forgot", "/password/forgot", {"email": email})
    got = wait_mails(mailbox, email, "Reset your", n=2)
    links = [re.search(r"https://[^/\s]+(/password/reset/[A-Za-z0-9_-]+)",
                       mail_text(m)).group(1) for m in got]
    assert links[0] != links[1]
    assert all(c.get(l).status_code == 200 for l in links)
    r = post_form(c, links[1], links[1], {"password": "first-new-phrase"})
    assert r.status_code == 303
    old = c.get(links[0])
    assert old.status_code == 404 and "expired or was already used" in old.text
    # Posting to it is refused too, and the password stays the new one.
    r = c.post(links[0], data={"csrf_token": csrf_from(
        c.get("/password/forgot").text), "password": "second-new-phrase"},
        headers=form_headers(c))
    assert r.status_code == 404
    signin(https("acme"), email, "first-new-phrase")


# ------------------------------------------------------- 7. impossible dates

def staff_client(https, db_super, tenant="acme"):
    c = https(tenant)
    email, pw = make_user(db_super, tenant, "support")
    signin(c, email, pw)
    h = form_headers(c)
    h["X-CSRF-Token"] = csrf_from(c.get("/staff/status").text)
    return c, h


def maint_count(db_super):
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM status_incident WHERE name ="
                    " 'Date check window'")
        return cur.fetchone()[0]


@pytest.mark.parametrize("field,value", [
    ("scheduled_for", "2027-02-30T25:61Z"),
    ("scheduled_for", "2027-02-29T10:00Z"),
    ("scheduled_for", "2027-04-31T10:00Z"),
    ("scheduled_for", "2027-01-01T24:00Z"),
    ("scheduled_for", "2027-01-01T10:00+16:00"),
    ("scheduled_until", "2027-13-01T10:00Z"),
    ("scheduled_until", "99999-01-01T10:00Z"),
])
def test_impossible_dates_are_400_naming_the_field(https, db_super, field,
                                                    value):
    c, h = staff_client(https, db_super, "globex")
    body = {"name": "Date check window", "body": "Planned.",
            "scheduled_for": "2027-01-10T10:00Z",
            "scheduled_until": "2027-01-10T12:00Z"}
    body[field] = value
    before = maint_count(db_super)
    r = c.post("/api/status/maintenance", json=body, headers=h)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    err = r.json()["error"]
    assert err["field"] == field and "real date" in err["message"]
    assert maint_count(db_super) == before


def test_a_real_leap_day_is_accepted(https, db_super):
    # globex: the status tests count acme's scheduled maintenance.
    c, h = staff_client(https, db_super, "globex")
    r = c.post("/api/status/maintenance", json={
        "name": "Leap day window", "body": "Planned.",
        "scheduled_for": "2028-02-29T23:30+01:00",
        "scheduled_until": "2028-03-01T01:00Z"}, headers=h)
    try:
        assert r.status_code == 201, r.text[:300]
        assert r.json()["scheduled_for"].startswith("2028-02-29T22:30")
    finally:
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM status_incident WHERE name ="
                        " 'Leap day window'")


# ---------------------------------------------------- 8. JSON bodies checked

def kb_staff(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme", "support")
    signin(c, email, pw)
    return c, csrf_from(c.get("/staff/help/new").text)


def article_row(db_super):
    with db_super.cursor() as cur:
        cur.execute("SELECT a.slug, a.title, a.updated_at FROM kb_articles a"
                    " JOIN tenants t ON t.id = a.tenant_id WHERE t.slug ="
                    " 'acme' AND a.status = 'published' ORDER BY a.id"
                    " LIMIT 1")
        return cur.fetchone()


@pytest.mark.parametrize("ctype,body,status", [
    ("application/json", b"[1,2,3]", 400),
    ("application/json", b'"x"', 400),
    ("application/json", b"42", 400),
    ("application/json", b"null", 400),
    ("application/json", b"", 400),
    ("application/json; charset=utf-8", b"[]", 400),
    ("text/plain", b'{"title": "Changed"}', 415),
    ("application/x-www-form-urlencoded", b"title=Changed", 415),
    ("application/jsonx", b'{"title": "Changed"}', 415),
    (None, b'{"title": "Changed"}', 415),
])
def test_put_needs_a_json_object(https, db_super, ctype, body, status):
    c, tok = kb_staff(https, db_super)
    slug, title, updated = article_row(db_super)
    h = {"Origin": c.origin(), "X-CSRF-Token": tok}
    if ctype:
        h["Content-Type"] = ctype
    r = c.put("/api/kb/admin/articles/" + slug, data=body, headers=h)
    assert r.status_code == status, (r.status_code, r.text[:300])
    msg = r.json()["error"]["message"]
    if status == 415:
        assert "application/json" in msg
    else:
        assert "object" in msg or "Invalid JSON" in msg, msg
    assert article_row(db_super) == (slug, title, updated)


def test_patch_needs_a_json_object(https, db_super):
    c, h = staff_client(https, db_super)
    comp = https("acme").get("/api/v2/components.json").json()["components"][0]
    for body, ctype, status in ((b"[1]", "application/json", 400),
                                (b"", "application/json", 400),
                                (b"name=x", "text/plain", 415)):
        hh = dict(h)
        hh["Content-Type"] = ctype
        r = c.patch("/api/status/components/" + comp["id"], data=body,
                    headers=hh)
        assert r.status_code == status, (body, r.status_code, r.text[:200])
    again = https("acme").get("/api/v2/components.json").json()["components"][0]
    assert again["name"] == comp["name"]


def test_post_with_a_json_array_is_refused(https, db_super):
    c, h = staff_client(https, db_super)
    r = c.post("/api/status/incidents", data=b'["name", "body"]',
               headers=dict(h, **{"Content-Type": "application/json"}))
    assert r.status_code == 400 and "object" in r.json()["error"]["message"]


# -------------------------------------------- 9. per-IP limit, known devices

def test_ip_limit_holds_unknown_devices_only(https, db_super):
    ip = "127.0.31.7"
    known_email, known_pw = make_user(db_super, "acme")
    other_email, other_pw = make_user(db_super, "acme")
    # The owner signed in from this browser before (its device cookie).
    owner = bind_source(https("acme"), ip)
    signin(owner, known_email, known_pw)
    post_form(owner, "/account", "/logout", {})
    scanner = bind_source(https("acme"), ip)
    try:
        # A scanner spreads 50 failures (5 x the per-account limit) over
        # many addresses, staying under each account's own limit.
        for i in range(50):
            r = try_login(scanner, "victim%d@acme.example" % (i % 20),
                          "guess-%d-xxxx" % i)
            assert r.status_code == 401, (i, r.status_code)
        assert try_login(scanner, other_email, other_pw).status_code == 429
        # A new browser is held, even with the right password...
        fresh = bind_source(https("acme"), ip)
        assert try_login(fresh, other_email, other_pw).status_code == 429
        # ...a browser that signed in to this account before is not...
        assert try_login(owner, known_email, known_pw).status_code == 303
        # ...but only for the account it knows.
        post_form(owner, "/account", "/logout", {})
        assert try_login(owner, other_email, other_pw).status_code == 429
        # A forged device cookie is just an unknown device.
        forged = bind_source(https("acme"), ip)
        forged.session.cookies.set("__Host-mp_device", "A" * 43)
        assert try_login(forged, known_email, known_pw).status_code == 429
    finally:
        clear_attempts(db_super, ip=ip)


# --------------------------------------------------- 10. one Cache-Control

@pytest.mark.parametrize("path", [
    "/api/v2/status.json", "/api/v2/summary.json", "/api/v2/components.json",
    "/api/v2/incidents.json", "/status", "/status/history.atom",
    "/help/feed.atom",
])
def test_cache_control_is_sent_once(https, path):
    c = https("acme")
    for _ in range(3):      # the first renders, the next come from the copy
        r = c.get(path)
        assert r.status_code == 200
        assert len(r.raw.headers.getlist("Cache-Control")) == 1, (
            path, r.raw.headers.getlist("Cache-Control"))


def test_cache_control_once_for_signed_in_readers(https, db_super):
    c = https("acme")
    email, pw = make_user(db_super, "acme")
    signin(c, email, pw)
    for path in ("/api/v2/status.json", "/status", "/account"):
        r = c.get(path)
        assert len(r.raw.headers.getlist("Cache-Control")) == 1, path
