"""Notification preferences and the one unsubscribe system, end to end: the
/u/ page and its RFC 8058 one-click POST, suppression at claim time by the
stack's worker, digests, phone verification by SMS, STOP, the JSON
endpoints, the newsletter, and the mail as the SMTP catcher received it."""

import base64
import hashlib
import hmac
import re
import secrets
import time
import urllib.parse

import pytest
import requests

import auth
import helpers
from test_status import comp_ids, open_incident, post_update, staff

TENANT = "acme"
SMS_TOKEN = "stack-sms-token"      # the stack's sms_auth_token (scripts/lib.sh)


def rows(db_app, sql, *args, tenant=TENANT):
    """sql as the app role bound to tenant (RLS applies)."""
    with db_app.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT set_config('app.tenant_id', id::text, true)"
                    " FROM tenants WHERE slug = %s", (tenant,))
        cur.execute(sql, args)
        out = cur.fetchall() if cur.description else []
        cur.execute("COMMIT")
    return out


def addr(tag):
    return "%s-%s@example.com" % (tag, secrets.token_hex(5))


def queue(https, **fields):
    """Queue mail (or SMS) through the pool like any feature; public ids."""
    fields.setdefault("subject", "Hello")
    r = https(TENANT).post("/_test/queue/mail", json=fields)
    assert r.status_code == 200, r.text
    return r.json()["ids"]


def note(db_app, pid):
    r = rows(db_app, "SELECT state, unsubscribe_url, message_id, digest_due,"
             " digest_period FROM notification WHERE public_id = %s", pid)
    assert r, pid
    return dict(zip(("state", "unsub", "message_id", "digest_due", "period"), r[0]))


def mail_with(mailbox, to, subject, timeout=30):
    """The mail to `to` whose subject contains subject (others may arrive too,
    such as a new-sign-in notice)."""
    def got():
        return [m for m in helpers.read_mail() if to.lower() in
                [r.lower() for r in m["rcpt_tos"]] and subject in str(m["msg"]["Subject"])]
    return helpers.wait_until(got, timeout, 0.2, "mail to %s about %s" % (to, subject))[0]


def wait_state(db_app, pid, states, timeout=30):
    states = (states,) if isinstance(states, str) else states
    return helpers.wait_until(lambda: note(db_app, pid)["state"] in states,
                              timeout, 0.2, "notification %s in %s" % (pid, states))


def upath(url):
    return urllib.parse.urlsplit(url).path


def bare(https):
    """A client with no cookies at all, as a mail client posting one-click."""
    return https(TENANT)


def signed_in(https, db_super, role="customer"):
    c = https(TENANT)
    email, pw = auth.make_user(db_super, TENANT, role)
    auth.signin(c, email, pw)
    return c, email


def json_headers(c):
    page = c.get("/account/notifications")
    assert page.status_code == 200, page.text[:300]
    h = auth.form_headers(c)
    h["X-CSRF-Token"] = auth.csrf_from(page.text)
    return h


@pytest.fixture
def fresh_limits(db_super):
    """Per-IP counters and codes of earlier tests do not count here."""
    with db_super.cursor() as cur:
        cur.execute("DELETE FROM prefs_rate")
        cur.execute("DELETE FROM phone_verification")
    yield


# ------------------------------------------------------ one-click POST

@pytest.mark.parametrize("encoding", ["urlencoded", "multipart", "empty"])
def test_one_click_post_unsubscribes_with_200_and_no_redirect(https, db_app, encoding):
    to = addr("oneclick")
    pid, = queue(https, to=to, subject="Offers", category="marketing")
    n = note(db_app, pid)
    path = upath(n["unsub"])
    c = bare(https)
    # GET (what a mail scanner does) changes nothing.
    g = c.get(path)
    assert g.status_code == 200 and "News and offers" in g.text and "marketing" in g.text
    assert rows(db_app, "SELECT count(*) FROM notification_optout WHERE address = %s",
                to) == [(0,)]
    c.session.cookies.clear()
    if encoding == "urlencoded":
        r = c.post(path, data={"List-Unsubscribe": "One-Click"})
    elif encoding == "multipart":
        r = c.post(path, files={"List-Unsubscribe": (None, "One-Click")})
        assert r.request.headers["Content-Type"].startswith("multipart/form-data")
    else:
        r = c.post(path, data=b"")
    assert r.status_code == 200, r.text[:300]
    assert "Location" not in r.headers and "Set-Cookie" not in r.headers
    assert "You are unsubscribed" in r.text and "/u/" in r.text   # a way back
    assert rows(db_app, "SELECT category, source FROM notification_optout"
                " WHERE address = %s", to) == [("marketing", "one-click")]
    ev = rows(db_app, "SELECT action, source, message_id FROM optout_event"
              " WHERE address = %s", to)
    assert ev == [("out", "one-click", n["message_id"])]


def test_unsubscribe_page_saves_the_address_preferences_without_signing_in(https, db_app):
    to = addr("centre")
    rows(db_app, "INSERT INTO newsletter_subscriber (tenant_id, email, state, confirmed_at)"
         " VALUES (mp_tenant(), %s, 'confirmed', now())", to)
    pid, = queue(https, to=to, subject="How did we do?", category="surveys")
    path = upath(note(db_app, pid)["unsub"])
    c = https(TENANT)
    page = c.get(path)
    assert page.status_code == 200
    assert 'name="list_marketing"' in page.text and 'name="list_product"' in page.text

    def save(**boxes):
        data = {"csrf_token": auth.csrf_from(page.text),
                "lists": ["status", "marketing", "product"]}
        data.update(boxes)
        return c.post(path + "/preferences", data=data, headers=auth.form_headers(c))
    # Without the CSRF token: refused, nothing changed.
    assert c.post(path + "/preferences", data={"lists": "product"},
                  headers=auth.form_headers(c)).status_code == 403
    r = save(list_marketing="1")              # product unticked
    assert r.status_code == 303 and r.headers["Location"].endswith("?done=saved")
    assert rows(db_app, "SELECT category, source FROM notification_optout WHERE address = %s",
                to) == [("product", "page")]
    assert rows(db_app, "SELECT state FROM newsletter_subscriber WHERE email = %s",
                to) == [("confirmed",)]
    r = save(list_product="1")                # newsletter off, product on again
    assert r.status_code == 303
    assert rows(db_app, "SELECT category FROM notification_optout WHERE address = %s",
                to) == [("marketing",)]
    assert rows(db_app, "SELECT state FROM newsletter_subscriber WHERE email = %s",
                to) == [("unsubscribed",)]
    assert rows(db_app, "SELECT action, category, source FROM optout_event WHERE address = %s"
                " ORDER BY id", to) == [("out", "product", "page"), ("out", "marketing", "page"),
                                        ("in", "product", "page")]
    assert "Your preferences are saved." in c.get(path + "?done=saved").text
    # A list the page does not offer is refused.
    assert save(lists="billing").status_code == 400


def test_forged_altered_or_foreign_tokens_are_refused(https, db_app):
    to = addr("forged")
    pid, = queue(https, to=to, subject="Offers", category="marketing")
    path = upath(note(db_app, pid)["unsub"])
    tok = path.rsplit("/", 1)[1]
    altered = tok[:-3] + ("A" if tok[-3] != "A" else "B") + tok[-2:]
    for bad in ("/u/" + altered, "/u/" + tok[:-1], "/u/" + secrets.token_urlsafe(40)):
        assert bare(https).get(bad).status_code == 404
        assert bare(https).post(bad, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    # Another tenant's host: the token does not verify there.
    assert https("globex").post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert rows(db_app, "SELECT count(*) FROM notification_optout WHERE address = %s",
                to) == [(0,)]


def test_json_unsubscribe_with_the_token(https, db_app):
    to = addr("apiunsub")
    pid, = queue(https, to=to, subject="Survey", category="surveys")
    tok = upath(note(db_app, pid)["unsub"]).rsplit("/", 1)[1]
    c = bare(https)
    r = c.post("/api/notification-preferences/unsubscribe/security", json={"token": tok})
    assert r.status_code == 400 and r.json()["error"]["field"] == "category"
    r = c.post("/api/notification-preferences/unsubscribe/product", json={"token": "x" * 20})
    assert r.status_code == 404
    r = c.post("/api/notification-preferences/unsubscribe/surveys", json={"token": tok})
    assert r.status_code == 200 and r.json()["category"] == "product"
    assert rows(db_app, "SELECT category, source FROM notification_optout WHERE address = %s",
                to) == [("product", "api")]


# ------------------------------------------------- claim-time decision

def test_queued_mail_is_suppressed_at_claim_time_security_still_arrives(https, db_app, mailbox):
    to = addr("claim")
    first, later = queue(https, to=to, subject="Tips", category="product", count=2,
                         delay=4)
    path = upath(note(db_app, first)["unsub"])
    r = bare(https).post(path, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    # Both were queued before the opt-out; the worker decides when it claims them.
    wait_state(db_app, first, "suppressed")
    wait_state(db_app, later, "suppressed")
    # A survey maps to the same preference category: suppressed too.
    survey, = queue(https, to=to, subject="How did we do?", category="surveys")
    wait_state(db_app, survey, "suppressed")
    sec, = queue(https, to=to, subject="New sign-in", category="security")
    tx, = queue(https, to=to, subject="Receipt", category="transactional")
    wait_state(db_app, sec, "sent")
    wait_state(db_app, tx, "sent")
    subjects = [str(m["msg"]["Subject"]) for m in mailbox.wait(to=to, count=2)]
    assert sorted(subjects) == ["New sign-in", "Receipt"]


def test_user_preferences_decide_and_security_cannot_be_switched_off(https, db_super, db_app):
    c, email = signed_in(https, db_super)
    h = json_headers(c)
    r = c.get("/api/notification-preferences")
    assert r.status_code == 200
    p = r.json()["preferences"]
    assert p["security"]["email"] is True and p["marketing"]["email"] is False
    assert p["billing"]["frequency"] == "instant" and r.json()["phone"]["verified"] is False
    before = rows(db_app, "SELECT category, p.email, frequency FROM notification_preferences p"
                  " JOIN users u ON u.id = p.user_id WHERE u.email = %s ORDER BY 1", email)
    # Refused whole: nothing of the body is written.
    for body, field in (
            ({"preferences": {"support": {"email": False}, "security": {"email": False}}},
             "preferences.security"),
            ({"preferences": {"security": {"frequency": "daily"}}}, "preferences.security"),
            ({"preferences": {"billing": {"frequency": "hourly"}}},
             "preferences.billing.frequency"),
            ({"preferences": {"gossip": {"email": True}}}, "preferences.gossip"),
            ({"preferences": {"product": {"email": "no"}}}, "preferences.product.email"),
            ({"preferences": {"product": {"sms": True}}}, "preferences.product.sms")):
        r = c.put("/api/notification-preferences", json=body, headers=h)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field
    assert rows(db_app, "SELECT category, p.email, frequency FROM notification_preferences p"
                " JOIN users u ON u.id = p.user_id WHERE u.email = %s ORDER BY 1",
                email) == before
    r = c.put("/api/notification-preferences", json={"preferences": {
        "support": {"email": False}, "marketing": {"email": True, "frequency": "weekly"}}},
        headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["preferences"]["marketing"] == {
        "email": True, "sms": False, "push": False, "in_app": True, "frequency": "weekly"}
    sup, = queue(https, to=email, subject="Ticket updated", category="support")
    sec, = queue(https, to=email, subject="Password changed", category="security")
    wait_state(db_app, sup, "suppressed")
    wait_state(db_app, sec, "sent")
    # Switching support off is an opt-out with its evidence.
    assert rows(db_app, "SELECT source FROM optout_event WHERE address = %s"
                " AND category = 'support'", email) == [("api",)]
    # Statistics are for staff.
    assert c.get("/api/notification-preferences/stats").status_code == 403
    s, _ = signed_in(https, db_super, "support")
    st = s.get("/api/notification-preferences/stats")
    assert st.status_code == 200
    rates = {(x["category"], x["channel"]): x for x in st.json()["rates"]}
    assert rates[("support", "email")]["opted_out"] >= 1
    assert 0 <= rates[("support", "email")]["optout_rate"] <= 1


def test_account_page_matrix_without_javascript(https, db_super, db_app):
    c, email = signed_in(https, db_super)
    queue(https, to=email, subject="Your invoice is due", category="billing")
    page = c.get("/account/notifications")
    assert page.status_code == 200
    t = page.text
    assert 'name="marketing_email"' in t and 'name="product_frequency"' in t
    assert "Receipts are always sent" in t and "Your invoice is due" in t
    r = c.post("/account/notifications", data={
        "csrf_token": auth.csrf_from(t), "billing_email": "1", "support_email": "1",
        "security_email": "1", "product_email": "1", "product_frequency": "daily",
        "marketing_frequency": "never"}, headers=auth.form_headers(c))
    assert r.status_code == 303 and r.headers["Location"].endswith("done=saved")
    got = dict((k, (e, f)) for k, e, f in rows(
        db_app, "SELECT category, p.email, frequency FROM notification_preferences p"
        " JOIN users u ON u.id = p.user_id WHERE u.email = %s", email))
    assert got["product"] == (True, "daily") and got["marketing"] == (False, "never")
    assert got["billing"] == (True, "instant")
    # Without the security box: refused, nothing changed.
    r = c.post("/account/notifications", data={
        "csrf_token": auth.csrf_from(t), "billing_email": "1"}, headers=auth.form_headers(c))
    assert r.status_code == 400 and "cannot be switched off" in r.text
    assert rows(db_app, "SELECT p.email FROM notification_preferences p JOIN users u"
                " ON u.id = p.user_id WHERE u.email = %s AND category = 'support'",
                email) == [(True,)]


# -------------------------------------------------------------- digests

def test_digest_due_at_period_boundaries(db_app):
    q = lambda f, at: rows(db_app, "SELECT mp_digest_due(%s, %s::timestamptz)"
                           " AT TIME ZONE 'UTC'", f, at)[0][0].isoformat()
    assert q("daily", "2026-12-05T23:59:59.999Z") == "2026-12-06T00:00:00"
    assert q("daily", "2026-12-06T00:00:00Z") == "2026-12-07T00:00:00"
    # Weeks end on Monday 00:00 UTC (7 Dec 2026 is a Monday).
    assert q("weekly", "2026-12-06T23:59:59Z") == "2026-12-07T00:00:00"
    assert q("weekly", "2026-12-07T00:00:00Z") == "2026-12-14T00:00:00"


def test_daily_mail_is_held_then_gathered_in_one_digest(https, db_super, db_app, mailbox):
    c, email = signed_in(https, db_super)
    h = json_headers(c)
    assert c.put("/api/notification-preferences", json={"preferences": {
        "product": {"frequency": "daily"}}}, headers=h).status_code == 200
    a, b, late = queue(https, to=email, subject="Tip", category="product", count=3)
    for pid in (a, b, late):
        wait_state(db_app, pid, "held")
    n = note(db_app, a)
    assert n["period"] == "daily"
    # Held until the end of this UTC day.
    assert rows(db_app, "SELECT digest_due = date_trunc('day', now() AT TIME ZONE 'UTC')"
                " AT TIME ZONE 'UTC' + interval '1 day' FROM notification"
                " WHERE public_id = %s", a) == [(True,)]
    # The boundary: due a second ago is gathered, due in a second is not.
    rows(db_app, "UPDATE notification SET subject = 'Tip ' || public_id,"
         " digest_due = now() - interval '1 second' WHERE public_id IN (%s, %s)", a, b)
    rows(db_app, "UPDATE notification SET digest_due = now() + interval '1 hour'"
         " WHERE public_id = %s", late)

    def bring_forward():
        with db_super.cursor() as cur:
            cur.execute("UPDATE job SET run_at = now() WHERE kind = 'prefs.digest'"
                        " AND tenant_id = (SELECT id FROM tenants WHERE slug = %s)"
                        " AND state = 'queued' RETURNING id", (TENANT,))
            return cur.fetchone() is not None
    helpers.wait_until(bring_forward, 20, what="a scheduled prefs.digest job")
    wait_state(db_app, a, "digested")
    wait_state(db_app, b, "digested")
    assert note(db_app, late)["state"] == "held"
    m = mail_with(mailbox, email, "digest")
    assert "daily" in str(m["msg"]["Subject"]) and "2 messages" in str(m["msg"]["Subject"])
    text = m["msg"].get_body(preferencelist=("plain",)).get_content()
    assert "Tip " + a in text and "Tip " + b in text
    assert m["msg"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # One unsubscribe URL: the digest's, none of the held messages' own.
    assert len(unsub_urls(m)) == 1


# ------------------------------------------------------------------ SMS

def sms_to(sms_outbox, phone):
    return [r for r in sms_outbox() if r.get("form", {}).get("To") == phone]


def code_for(sms_outbox, phone, count=1):
    got = helpers.wait_until(lambda: len(sms_to(sms_outbox, phone)) >= count and
                             sms_to(sms_outbox, phone), 20, what="SMS to %s" % phone)
    return re.search(r"code: (\d{6})", got[-1]["form"]["Body"]).group(1)


def new_phone():
    return "+1555%07d" % secrets.randbelow(10**7)


def verify(c, h, phone):
    return c.post("/api/notification-preferences/verify-phone", json={"phone": phone},
                  headers=h)


def confirm(c, h, code):
    return c.post("/api/notification-preferences/confirm-phone", json={"code": code},
                  headers=h)


def age_codes(db_app, email, secs):
    rows(db_app, "UPDATE phone_verification v SET created_at = v.created_at - make_interval("
         "secs => %s) FROM users u WHERE u.id = v.user_id AND u.email = %s", secs, email)


def test_phone_code_tries_expiry_and_cooldown(https, db_super, db_app, sms_outbox, fresh_limits):
    c, email = signed_in(https, db_super)
    h = json_headers(c)
    phone = new_phone()
    assert verify(c, h, "5551234").json()["error"]["field"] == "phone"
    r = verify(c, h, phone)
    assert r.status_code == 202 and r.json()["expires_in"] == 600
    code = code_for(sms_outbox, phone)
    stored = rows(db_app, "SELECT code_hash, salt FROM phone_verification v JOIN users u"
                  " ON u.id = v.user_id WHERE u.email = %s", email)
    assert len(stored) == 1 and code not in stored[0][0]
    assert hashlib.sha256((stored[0][1] + code).encode()).hexdigest() == stored[0][0]
    # Resend cooldown: 60 s.
    r = verify(c, h, phone)
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    age_codes(db_app, email, 55)
    assert verify(c, h, phone).status_code == 429
    age_codes(db_app, email, 6)
    assert verify(c, h, phone).status_code == 202
    code = code_for(sms_outbox, phone, 2)
    wrong = "%06d" % ((int(code) + 1) % 10**6)
    # Four wrong tries, then the right code still works (5 allowed).
    for left in (4, 3, 2, 1):
        r = confirm(c, h, wrong)
        assert r.status_code == 400 and "%d tr" % left in r.json()["error"]["message"]
    r = confirm(c, h, code)
    assert r.status_code == 200 and r.json()["verified"] is True
    assert c.get("/api/notification-preferences").json()["phone"] == {
        "number": phone, "verified": True}
    # Five wrong tries void the code: the right one is then refused.
    age_codes(db_app, email, 61)
    assert verify(c, h, phone).status_code == 202
    code = code_for(sms_outbox, phone, 3)
    wrong = "%06d" % ((int(code) + 1) % 10**6)
    for _ in range(5):
        assert confirm(c, h, wrong).status_code == 400
    assert confirm(c, h, code).status_code == 429
    # Expiry: ten minutes.
    age_codes(db_app, email, 61)
    assert verify(c, h, phone).status_code == 202
    code = code_for(sms_outbox, phone, 4)
    rows(db_app, "UPDATE phone_verification v SET expires_at = now() - interval '1 second'"
         " FROM users u WHERE u.id = v.user_id AND u.email = %s AND used_at IS NULL", email)
    r = confirm(c, h, code)
    assert r.status_code == 400 and "expired" in r.json()["error"]["message"]


def test_phone_daily_caps_per_number_ip_and_country(https, db_super, db_app, fresh_limits):
    c, email = signed_in(https, db_super)
    h = json_headers(c)
    uid = rows(db_app, "SELECT id FROM users WHERE email = %s", email)[0][0]

    def seed(n, phone, ip, cc):
        rows(db_app, "INSERT INTO phone_verification (tenant_id, user_id, phone, country_code,"
             " ip, salt, code_hash, expires_at, created_at) SELECT mp_tenant(), %s, %s, %s,"
             " %s::inet, 's', repeat('0', 64), now(), now() - interval '2 minutes'"
             " FROM generate_series(1, %s)", uid, phone, cc, ip, n)

    # Per number: 5 a day.  Four from elsewhere, the fifth is ours, the sixth refused.
    phone = new_phone()
    seed(4, phone, "192.0.2.1", "1")
    assert verify(c, h, phone).status_code == 202
    age_codes(db_app, email, 61)
    r = verify(c, h, phone)
    assert r.status_code == 429 and r.json()["error"]["field"] == "phone"
    assert r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 86400
    # Per IP: 10 a day (this client's address already asked once above).
    with db_super.cursor() as cur:
        cur.execute("DELETE FROM phone_verification")
    seed(9, new_phone(), "127.0.0.1", "44")
    assert verify(c, h, new_phone()).status_code == 202
    age_codes(db_app, email, 61)
    r = verify(c, h, new_phone())
    assert r.status_code == 429 and "network" in r.json()["error"]["message"]
    # Per country code: 200 a day.
    with db_super.cursor() as cur:
        cur.execute("DELETE FROM phone_verification")
    seed(199, new_phone(), "192.0.2.2", "1")
    assert verify(c, h, new_phone()).status_code == 202
    age_codes(db_app, email, 61)
    r = verify(c, h, "+44" + "7700900%03d" % secrets.randbelow(1000))
    assert r.status_code == 202                      # another country is fine
    age_codes(db_app, email, 61)
    r = verify(c, h, new_phone())
    assert r.status_code == 429 and "country" in r.json()["error"]["message"]


def twilio_signature(url, form):
    s = url + "".join(k + form[k] for k in sorted(form))
    return base64.b64encode(hmac.new(SMS_TOKEN.encode(), s.encode(),
                                     hashlib.sha1).digest()).decode()


def test_inbound_stop_suppresses_sms(https, db_app, stack):
    phone = new_phone()
    c = https(TENANT)
    url = "https://%s.%s:%s/sms/inbound" % (TENANT, stack["MP_BASE_DOMAIN"],
                                           stack["MP_HTTPS_PORT"])

    def inbound(body, sign=True):
        form = {"From": phone, "To": "+15550000001", "Body": body, "MessageSid": "SM" + "a" * 32}
        hdr = {"X-Twilio-Signature": twilio_signature(url, form) if sign else "bad"}
        return c.post("/sms/inbound", data=form, headers=hdr)

    assert inbound("STOP", sign=False).status_code == 403
    assert rows(db_app, "SELECT count(*) FROM notification_suppression WHERE address = %s",
                phone) == [(0,)]
    r = inbound("  stop please")
    assert r.status_code == 200 and "<Response>" in r.text
    assert rows(db_app, "SELECT reason FROM notification_suppression WHERE channel = 'sms'"
                " AND address = %s", phone) == [("stop",)]
    assert rows(db_app, "SELECT action, source FROM optout_event WHERE address = %s",
                phone) == [("out", "stop")]
    pid, = queue(https, to="x@example.com", sms_to=phone, subject="Server load high")
    wait_state(db_app, pid, "suppressed")
    assert inbound("START").status_code == 200
    pid, = queue(https, to="x@example.com", sms_to=phone, subject="Server load high")
    wait_state(db_app, pid, ("sent", "delivered"))


# ------------------------------------------------- the mail as received

def unsub_urls(m):
    raw = m["raw"].decode("utf-8", "replace").replace("=\r\n", "").replace("=3D", "=")
    return set(re.findall(r"https://[^\s\"<>]+/u/[A-Za-z0-9_-]+", raw))


def test_delivered_mail_has_both_headers_one_url_and_the_body_link(https, db_app, mailbox):
    to = addr("headers")
    pid, = queue(https, to=to, subject="Our news", category="newsletter")
    m, = mailbox.wait(to=to)
    msg = m["msg"]
    lu = msg["List-Unsubscribe"]
    mm = re.fullmatch(r"<(https://[^>]+/u/([A-Za-z0-9_-]+))>, <mailto:unsubscribe\+"
                      r"([A-Za-z0-9_-]+)@[^>]+>", lu)
    assert mm, lu
    url = mm.group(1)
    assert mm.group(2) == mm.group(3)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url == note(db_app, pid)["unsub"]
    html = msg.get_body(preferencelist=("html",)).get_content()
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert 'href="%s"' % url in html and url in text
    assert unsub_urls(m) == {url}
    assert "/status/unsubscribe/" not in m["raw"].decode("utf-8", "replace")


def test_status_mail_has_one_link_and_counts_follow_an_unsubscribe(https, db_super, db_app,
                                                                    mailbox):
    to = addr("statussub")
    rows(db_app, "INSERT INTO status_subscriber (tenant_id, email, confirmed_at)"
         " VALUES (mp_tenant(), %s, now())", to)
    s = staff(https, db_super)

    def confirmed():
        t = s.get("/staff/status").text
        return int(re.search(r"Subscribers: (\d+) confirmed", t).group(1))
    name = "Mail relay slow %d" % time.time()
    iid = open_incident(s, name, "Queues are long.", comp_ids(https)["DNS"],
                        "degraded_performance", "minor")
    try:
        m = [x for x in mailbox.wait(to=to, timeout=30)
             if name in str(x["msg"]["Subject"])][0]
    finally:
        # The page is the other tests' too: resolved whatever happens here.
        post_update(s, iid, "resolved", "Fixed.")
    urls = unsub_urls(m)
    assert len(urls) == 1, urls
    url, = urls
    assert re.match(r"<%s>, <mailto:" % re.escape(url), m["msg"]["List-Unsubscribe"])
    assert "/status/unsubscribe/" not in m["raw"].decode("utf-8", "replace")
    page = bare(https).get(upath(url))
    assert page.status_code == 200 and "Status updates" in page.text
    before = confirmed()
    r = bare(https).post(upath(url), data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    assert rows(db_app, "SELECT count(*) FROM status_subscriber WHERE email = %s",
                to) == [(0,)]
    assert confirmed() == before - 1
    # The opt-out is in the staff's evidence log.
    log = s.get("/staff/notifications/optouts")
    assert log.status_code == 200 and to in log.text and "one-click" in log.text


def test_old_status_unsubscribe_links_still_work(https, db_app):
    to = addr("oldlink")
    sid = rows(db_app, "INSERT INTO status_subscriber (tenant_id, email, confirmed_at)"
               " VALUES (mp_tenant(), %s, now()) RETURNING id", to)[0][0]
    pid, = queue(https, to=to, subject="[Acme] Investigating: old", category="status")
    tok = secrets.token_urlsafe(32)
    rows(db_app, "INSERT INTO status_notice (tenant_id, subscriber_email, subscriber_id,"
         " kind, unsub_hash, notification_id) VALUES (mp_tenant(), %s, %s, 'update', %s, %s)",
         to, sid, hashlib.sha256(tok.encode()).hexdigest(), pid)
    r = bare(https).get("/status/unsubscribe/" + tok)
    assert r.status_code == 303 and "/u/" in r.headers["Location"]
    page = bare(https).get(upath(r.headers["Location"]))
    assert page.status_code == 200 and "Status updates" in page.text
    assert rows(db_app, "SELECT count(*) FROM status_subscriber WHERE email = %s",
                to) == [(1,)]


# ------------------------------------------------------------ newsletter

def subscribe(https, email, **extra):
    body = {"email": email, "name": "Ann O'Neil", "source": "footer"}
    body.update(extra)
    return https(TENANT).post("/api/marketing/newsletter", json=body)


def test_newsletter_double_opt_in_same_answer_and_welcome(https, db_app, mailbox, fresh_limits):
    to = addr("news")
    r1 = subscribe(https, to)
    assert r1.status_code == 202
    assert rows(db_app, "SELECT state, source, name FROM newsletter_subscriber WHERE email = %s",
                to) == [("pending", "footer", "Ann O'Neil")]
    m, = mailbox.wait(to=to)
    assert "List-Unsubscribe" not in m["msg"]            # a confirmation is transactional
    text = m["msg"].get_body(preferencelist=("plain",)).get_content()
    link = upath(re.search(r"https://\S+/newsletter/confirm/[A-Za-z0-9_-]+", text).group(0))
    c = https(TENANT)
    page = c.get(link)
    assert page.status_code == 200 and "Confirm my subscription" in page.text
    assert rows(db_app, "SELECT state FROM newsletter_subscriber WHERE email = %s",
                to) == [("pending",)]
    r = c.post(link, data={"csrf_token": auth.csrf_from(page.text)},
               headers=auth.form_headers(c))
    assert r.status_code == 200 and "You are subscribed" in r.text
    assert rows(db_app, "SELECT state FROM newsletter_subscriber WHERE email = %s",
                to) == [("confirmed",)]
    assert c.get(link).status_code == 404                # used
    welcome = [x for x in mailbox.wait(to=to, count=2) if "Welcome" in str(x["msg"]["Subject"])]
    assert welcome and welcome[0]["msg"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Already subscribed: the same answer, nothing more sent.
    r2 = subscribe(https, to)
    assert (r2.status_code, r2.json()) == (r1.status_code, r1.json())
    time.sleep(1)
    assert len(mailbox.wait(to=to, count=2)) == 2
    assert subscribe(https, "not-an-address").json()["error"]["field"] == "email"


def test_newsletter_per_ip_limit_is_3_an_hour(https, fresh_limits):
    for i in range(3):
        assert subscribe(https, addr("rate%d" % i)).status_code == 202
    r = subscribe(https, addr("rate3"))
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 3600
    assert r.json()["error"]["code"] == "rate_limited"
    # Another address of the network is counted on its own.
    other = auth.bind_source(https(TENANT), "127.0.0.2")
    r = other.post("/api/marketing/newsletter", json={"email": addr("rate4")})
    assert r.status_code == 202


def test_marketing_unsubscribe_answers_the_same_and_mails_one_click(https, db_app, db_super,
                                                                    mailbox, fresh_limits):
    to = addr("leave")
    rows(db_app, "INSERT INTO newsletter_subscriber (tenant_id, email, source, state,"
         " confirmed_at) VALUES (mp_tenant(), %s, 'import', 'confirmed', now())", to)
    c = https(TENANT)
    r1 = c.post("/api/marketing/unsubscribe", json={"email": to})
    r2 = c.post("/api/marketing/unsubscribe", json={"email": addr("nobody")})
    assert r1.status_code == r2.status_code == 202 and r1.json() == r2.json()
    m, = mailbox.wait(to=to)
    url, = unsub_urls(m)
    assert m["msg"]["List-Unsubscribe"].startswith("<%s>" % url)
    r = bare(https).post(upath(url), files={"List-Unsubscribe": (None, "One-Click")})
    assert r.status_code == 200
    assert rows(db_app, "SELECT state FROM newsletter_subscriber WHERE email = %s",
                to) == [("unsubscribed",)]
    s = staff(https, db_super)
    page = s.get("/staff/newsletter")
    assert page.status_code == 200 and to in page.text
    csv = s.get("/staff/newsletter/subscribers.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    line = [x for x in csv.text.splitlines() if to in x][0]
    assert '"import","unsubscribed"' in line
    # Another tenant's staff see none of it.
    g = staff(https, db_super, "globex")
    assert to not in g.get("/staff/newsletter").text
    assert to not in g.get("/staff/newsletter/subscribers.csv").text
    assert to not in g.get("/staff/notifications/optouts").text


def test_marketing_unsubscribe_per_ip_limit_is_10_an_hour(https, fresh_limits):
    c = https(TENANT)
    for i in range(10):
        assert c.post("/api/marketing/unsubscribe",
                      json={"email": addr("u%d" % i)}).status_code == 202
    r = c.post("/api/marketing/unsubscribe", json={"email": addr("u10")})
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 3600


def test_newsletter_issue_preview_test_and_send(https, db_super, db_app, mailbox):
    subs = [addr("reader%d" % i) for i in range(2)]
    for a in subs:
        rows(db_app, "INSERT INTO newsletter_subscriber (tenant_id, email, state,"
             " confirmed_at) VALUES (mp_tenant(), %s, 'confirmed', now())", a)
    c, me = signed_in(https, db_super, "support")
    page = c.get("/staff/newsletter")
    subject = "December news %d" % time.time()
    r = c.post("/staff/newsletter/issues", data={
        "csrf_token": auth.csrf_from(page.text), "subject": subject,
        "body": "## New plans\n\nFaster **disks** <script>x</script>"},
        headers=auth.form_headers(c))
    assert r.status_code == 303
    issue = r.headers["Location"]
    pv = c.get(issue)
    assert pv.status_code == 200 and "<strong>disks</strong>" in pv.text
    assert "<script>x" not in pv.text
    r = c.post(issue + "/test", data={"csrf_token": auth.csrf_from(pv.text)},
               headers=auth.form_headers(c))
    assert r.status_code == 303
    t = mail_with(mailbox, me, subject)
    assert str(t["msg"]["Subject"]) == "[Test] " + subject
    r = c.post(issue + "/send", data={"csrf_token": auth.csrf_from(pv.text)},
               headers=auth.form_headers(c))
    assert r.status_code == 303
    got = [mailbox.wait(to=a)[0] for a in subs]
    urls = [unsub_urls(m) for m in got]
    assert all(len(u) == 1 for u in urls) and urls[0] != urls[1]   # per-recipient tokens
    html = got[0]["msg"].get_body(preferencelist=("html",)).get_content()
    assert "<strong>disks</strong>" in html
    assert c.post(issue + "/send", data={"csrf_token": auth.csrf_from(pv.text)},
                  headers=auth.form_headers(c)).status_code == 409
