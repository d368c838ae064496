"""Surveys (issue 12): the form reached from mail, single use, bad input,
expiry, follow-up notices, sending (CSAT with its delay, NPS campaigns with
their 90-day throttle), metrics against hand-computed cases, the staff page,
CSV export and tenant isolation, through nginx against a real stack."""

import csv
import hashlib
import io
import re
import secrets
import threading

import pytest

import auth
from auth import csrf_from, form_headers, make_user, signin
from helpers import wait_until

TOKEN_RE = re.compile(r"/s/([A-Za-z0-9_-]{20,64})\?score=")


def sha(tok):
    return hashlib.sha256(tok.encode()).hexdigest()


def q(db, sql, *args):
    with db.cursor() as c:
        c.execute(sql, args)
        try:
            return c.fetchall()
        except Exception:
            return None


def tenant_id(db, slug):
    return q(db, "SELECT id FROM tenants WHERE slug = %s", slug)[0][0]


def new_tenant(db, sh_stack, support="help@survey-test.example"):
    """A tenant of its own (campaigns mail every customer of a tenant)."""
    slug = "sv" + secrets.token_hex(4)
    sh_stack("mpanelctl", "tenant", "create", slug, "Survey Test <b>")
    q(db, "INSERT INTO tenant_branding (tenant_id, site_title, support_email)"
          " SELECT id, name, %s FROM tenants WHERE slug = %s", support, slug)
    return slug


def make_survey(db, slug, type="csat", lo=1, hi=5, email=None, user_id=None,
                sent="now() - interval '1 hour'", expires=None, score=None,
                comment=None, created=None, token=None):
    """A survey straight in the database; returns (token, public id)."""
    token = token or secrets.token_urlsafe(16)
    pid = secrets.token_urlsafe(16)
    email = email or "c-%s@example.com" % secrets.token_hex(4)
    expires = expires or "(%s) + interval '14 days'" % sent
    q(db, "INSERT INTO survey (tenant_id, public_id, token_hash, type, user_id,"
          " email, question, scale_min, scale_max, created_at, send_at,"
          " expires_at, responded_at, score, comment)"
          " VALUES (%%s, %%s, %%s, %%s, %%s, %%s, 'How was it <b>?', %%s, %%s,"
          " %s, %s, %s, CASE WHEN %%s::int IS NULL THEN NULL ELSE %s END,"
          " %%s, %%s)" % (created or sent, sent, expires, sent),
      tenant_id(db, slug), pid, sha(token), type, user_id, email, lo, hi,
      score, score, comment)
    return token, pid


def row(db, pid):
    return q(db, "SELECT score, comment, responded_at IS NOT NULL, followup"
                 " FROM survey WHERE public_id = %s", pid)[0]


def answer(client, token, data, csrf=None):
    """GET the form (for its CSRF token, unless given), then POST data to it."""
    body = dict(data)
    body["csrf_token"] = csrf or csrf_from(client.get("/s/" + token).text)
    return client.post("/s/" + token, data=body, headers=form_headers(client))


def staff_client(https, db_super, slug, role="support"):
    email, pw = make_user(db_super, slug, role=role)
    c = https(slug)
    signin(c, email, pw)
    return c


def staff_json(client, method, path, body=None):
    tok = csrf_from(client.get("/staff/surveys").text)
    h = form_headers(client)
    h["X-CSRF-Token"] = tok
    return client.request(method, path, json=body, headers=h)


# ---------------------------------------------------------------- the form

def test_get_shows_form_preselected_and_records_nothing(https, db_super):
    token, pid = make_survey(db_super, "acme")
    c = https("acme")
    r = c.get("/s/%s?score=4" % token)
    assert r.status_code == 200
    assert 'value="4" checked' in r.text
    assert r.text.count(" checked") == 1
    assert "How was it &lt;b&gt;?" in r.text
    assert 'name="comment"' in r.text and 'maxlength="2000"' in r.text
    assert "Acme Hosting" in r.text          # the tenant's brand
    assert r.headers["Cache-Control"] == "no-store"
    # Scores off the scale are not pre-selected; nothing is recorded.
    for s in ("0", "6", "x", "-1"):
        r = c.get("/s/%s?score=%s" % (token, s))
        assert r.status_code == 200 and " checked" not in r.text
    assert row(db_super, pid) == (None, None, False, "none")


def test_answer_once_then_already_answered(https, db_super):
    token, pid = make_survey(db_super, "acme")
    c = https("acme")
    csrf = csrf_from(c.get("/s/" + token).text)
    r = answer(c, token, {"score": "5", "comment": "Great <script>x</script>"},
               csrf)
    assert r.status_code == 200 and "Thank you" in r.text
    assert row(db_super, pid) == (5, "Great <script>x</script>", True, "none")
    r = answer(c, token, {"score": "1", "comment": "changed my mind"}, csrf)
    assert r.status_code == 409 and "Already answered" in r.text
    assert row(db_super, pid) == (5, "Great <script>x</script>", True, "none")
    # GET of an answered survey says so and shows no form.
    r = c.get("/s/" + token)
    assert "Already answered" in r.text and 'name="score"' not in r.text


@pytest.mark.parametrize("data,field", [
    ({}, "score"),
    ({"score": ""}, "score"),
    ({"score": "0"}, "score"),
    ({"score": "6"}, "score"),
    ({"score": "4.5"}, "score"),
    ({"score": "3", "comment": "x" * 2001}, "comment"),
])
def test_bad_input_names_field_and_records_nothing(https, db_super, data, field):
    token, pid = make_survey(db_super, "acme")
    r = answer(https("acme"), token, data)
    assert r.status_code == 400
    assert 'role="alert"' in r.text
    assert ("aria-describedby=\"survey-error\"" in r.text)
    if field == "score":
        assert "Choose a score from 1 to 5" in r.text
    else:
        assert "at most 2000 characters" in r.text
        assert "x" * 2001 in r.text       # what was typed is kept
    assert row(db_super, pid) == (None, None, False, "none")


def test_scale_boundaries_accepted(https, db_super):
    for lo, hi, typ in ((1, 5, "csat"), (0, 10, "nps")):
        for s in (lo, hi):
            token, pid = make_survey(db_super, "acme", type=typ, lo=lo, hi=hi)
            r = answer(https("acme"), token, {"score": str(s),
                                              "comment": "é" * 2000})
            assert r.status_code == 200, (typ, s)
            assert row(db_super, pid)[0] == s
    token, pid = make_survey(db_super, "acme", type="nps", lo=0, hi=10)
    r = answer(https("acme"), token, {"score": "11"})
    assert r.status_code == 400 and "from 0 to 10" in r.text
    assert row(db_super, pid)[2] is False


def test_expiry_boundary(https, db_super):
    token, pid = make_survey(db_super, "acme",
                             expires="now() + interval '30 seconds'")
    c = https("acme")
    assert c.get("/s/" + token).status_code == 200
    page_csrf = csrf_from(c.get("/s/" + token).text)
    q(db_super, "UPDATE survey SET expires_at = now() WHERE public_id = %s", pid)
    r = c.get("/s/" + token)
    assert r.status_code == 410 and "has closed" in r.text
    assert "Acme Hosting" in r.text
    r = c.post("/s/" + token, data={"score": "4", "csrf_token": page_csrf},
               headers=form_headers(c))
    assert r.status_code == 410
    assert row(db_super, pid) == (None, None, False, "none")
    # A moment before the boundary it still records.
    token, pid = make_survey(db_super, "acme",
                             expires="now() + interval '5 seconds'")
    assert answer(c, token, {"score": "4"}).status_code == 200


def test_unknown_and_other_tenants_token(https, db_super):
    c = https("acme")
    r = c.get("/s/" + secrets.token_urlsafe(16))
    assert r.status_code == 404 and "could not find this survey" in r.text
    assert "Acme Hosting" in r.text
    token, pid = make_survey(db_super, "globex")
    r = c.get("/s/%s?score=3" % token)
    assert r.status_code == 404 and 'name="score"' not in r.text
    csrf = csrf_from(c.get("/s/" + make_survey(db_super, "acme")[0]).text)
    r = c.post("/s/" + token, data={"score": "3", "csrf_token": csrf},
               headers=form_headers(c))
    assert r.status_code == 404
    assert row(db_super, pid) == (None, None, False, "none")
    # The right tenant still can.
    assert answer(https("globex"), token, {"score": "3"}).status_code == 200


def test_staff_session_cannot_answer(https, db_super):
    token, pid = make_survey(db_super, "acme")
    c = staff_client(https, db_super, "acme")
    r = c.get("/s/%s?score=5" % token)
    assert r.status_code == 403 and "Staff cannot answer" in r.text
    assert 'name="score"' not in r.text
    csrf = csrf_from(c.get("/staff/surveys").text)
    r = c.post("/s/" + token, data={"score": "5", "csrf_token": csrf},
               headers=form_headers(c))
    assert r.status_code == 403
    assert row(db_super, pid) == (None, None, False, "none")


def test_single_use_under_two_concurrent_posts(https, db_super):
    for _ in range(3):
        token, pid = make_survey(db_super, "acme")
        clients = [https("acme"), https("acme")]
        csrfs = [csrf_from(cl.get("/s/" + token).text) for cl in clients]
        barrier = threading.Barrier(2)
        out = [None, None]

        def post(i):
            barrier.wait()
            out[i] = clients[i].post("/s/" + token, data={
                "score": str(2 + 3 * i), "csrf_token": csrfs[i]},
                headers=form_headers(clients[i]))
        ts = [threading.Thread(target=post, args=(i,)) for i in (0, 1)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        codes = sorted(r.status_code for r in out)
        assert codes == [200, 409], codes
        won = 0 if out[0].status_code == 200 else 1
        assert row(db_super, pid)[0] == 2 + 3 * won
        # The loser recorded nothing and no second notice was queued.
        n = q(db_super, "SELECT count(*) FROM notification WHERE template ="
                        " 'surveys/followup' AND body_text LIKE %s",
              "%" + q(db_super, "SELECT email FROM survey WHERE public_id = %s",
                      pid)[0][0] + "%")[0][0]
        assert n == (1 if won == 0 else 0)


def test_low_score_flags_and_notifies_support(https, db_super, mailbox):
    email = "low-%s@example.com" % secrets.token_hex(4)
    token, pid = make_survey(db_super, "acme", email=email)
    hostile = 'Slow <img src=x onerror=alert(1)> & "rude"'
    r = answer(https("acme"), token, {"score": "3", "comment": hostile})
    assert r.status_code == 200
    assert row(db_super, pid)[3] == "open"
    msgs = wait_until(lambda: [m for m in mailbox.read()
                               if "support@acme.example" in m["rcpt_tos"]
                               and email in str(m["msg"]["Subject"])],
                      30, what="the follow-up notice")
    msg = msgs[0]["msg"]
    assert "3/5" in str(msg["Subject"])
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    assert "&lt;img src=x" in html and "<img src=x" not in html
    assert hostile in text
    assert "/staff/surveys#f-" + pid in text
    # 4 of 5 is not low: no flag.
    token, pid = make_survey(db_super, "acme")
    answer(https("acme"), token, {"score": "4"})
    assert row(db_super, pid)[3] == "none"
    # NPS: 6 is a detractor, 7 is not.
    for s, want in (("6", "open"), ("7", "none")):
        token, pid = make_survey(db_super, "acme", type="nps", lo=0, hi=10)
        answer(https("acme"), token, {"score": s})
        assert row(db_super, pid)[3] == want


# ----------------------------------------------------------------- sending

def test_create_csat_default_delay_then_mail_with_scale_links(https, db_super,
                                                              mailbox):
    c = staff_client(https, db_super, "acme")
    cust, _ = make_user(db_super, "acme", name="Cara <Customer>")
    r = staff_json(c, "POST", "/api/admin/surveys",
                   {"email": cust, "type": "csat", "reference": "TICKET-77"})
    assert r.status_code == 201, r.text
    s = r.json()["survey"]
    assert s["type"] == "csat" and s["reference"] == "TICKET-77"
    assert s["delay"] == 86400 and s["scale"] == {"min": 1, "max": 5}
    row_ = q(db_super, "SELECT extract(epoch FROM send_at - created_at)::int,"
                       " extract(epoch FROM expires_at - send_at)::int,"
                       " token_hash, notification_id FROM survey"
                       " WHERE public_id = %s", s["id"])[0]
    assert row_[0] == 86400 and row_[1] == 14 * 86400
    job = q(db_super, "SELECT extract(epoch FROM j.run_at - now())::int"
                      " FROM notification n JOIN job j ON j.tenant_id ="
                      " n.tenant_id AND j.id = n.job_id WHERE n.public_id = %s",
            row_[3])[0][0]
    assert 86000 < job <= 86400

    # delay 0 sends now; the mail's scale links open the form pre-selected.
    r = staff_json(c, "POST", "/api/admin/surveys",
                   {"email": cust, "type": "support_ticket", "delay": 0})
    assert r.status_code == 201, r.text
    sid = r.json()["survey"]["id"]
    msgs = mailbox.wait(to=cust, timeout=30)
    msg = msgs[-1]["msg"]
    text = msg.get_body(("plain",)).get_content()
    links = re.findall(r"https://[^\s]+/s/[A-Za-z0-9_-]+\?score=\d+", text)
    assert [int(x.rsplit("=", 1)[1]) for x in links] == [1, 2, 3, 4, 5]
    tok = TOKEN_RE.search(text).group(1)
    assert len(tok) >= 22                   # 128 bits
    assert q(db_super, "SELECT token_hash FROM survey WHERE public_id = %s",
             sid)[0][0] == sha(tok)
    assert q(db_super, "SELECT count(*) FROM survey WHERE token_hash = %s",
             tok)[0][0] == 0                # stored hashed only
    assert "/u/" in text                    # a way to stop survey mail
    assert msg["List-Unsubscribe"] is not None
    html = msg.get_body(("html",)).get_content()
    assert "Cara &lt;Customer&gt;" in html
    r = https("acme").get("/s/%s?score=2" % tok)
    assert 'value="2" checked' in r.text


def test_create_bad_input(https, db_super):
    c = staff_client(https, db_super, "acme")
    cust, _ = make_user(db_super, "acme")
    staff, _ = make_user(db_super, "acme", role="support")
    before = q(db_super, "SELECT count(*) FROM survey")[0][0]
    cases = [
        ({"type": "csat"}, "user"),
        ({"email": cust, "type": "bogus"}, "type"),
        ({"email": cust}, "type"),
        ({"email": "not-an-address", "type": "csat"}, "email"),
        ({"user": "A" * 22, "type": "csat"}, "user"),
        ({"email": staff, "type": "csat"}, "email"),
        ({"email": cust, "type": "csat", "delay": -1}, "delay"),
        ({"email": cust, "type": "csat", "delay": 2592001}, "delay"),
        ({"email": cust, "type": "csat", "reference": "r" * 201}, "reference"),
    ]
    for body, field in cases:
        r = staff_json(c, "POST", "/api/admin/surveys", body)
        assert r.status_code == 400, (body, r.status_code, r.text)
        assert r.json()["error"]["field"] == field, (body, r.text)
    assert q(db_super, "SELECT count(*) FROM survey")[0][0] == before
    # The boundaries themselves are accepted.
    for d in (0, 2592000):
        r = staff_json(c, "POST", "/api/admin/surveys",
                       {"email": cust, "type": "product", "delay": d,
                        "reference": "r" * 200})
        assert r.status_code == 201, r.text
    # A customer cannot send surveys.
    email, pw = make_user(db_super, "acme")
    cc = https("acme")
    signin(cc, email, pw)
    r = cc.post("/api/admin/surveys", json={"email": cust, "type": "csat"},
                headers=form_headers(cc))
    assert r.status_code == 403


def test_api_token_sends_and_opt_out_stops_survey_mail(https, db_super,
                                                       mailbox):
    email, pw = make_user(db_super, "acme", role="support")
    c = https("acme")
    signin(c, email, pw)
    r = auth.post_form(c, "/account", "/account/tokens", {"name": "helpdesk"})
    token = re.search(r'id="new-token" readonly value="(mpt_[^"]+)"',
                      r.text).group(1)
    api = https("acme")
    h = {"Authorization": "Bearer " + token}
    cust, _ = make_user(db_super, "acme")
    r = api.post("/api/admin/surveys", json={"email": cust, "type": "csat",
                                             "delay": 0}, headers=h)
    assert r.status_code == 201, r.text
    msg = mailbox.wait(to=cust, timeout=30)[-1]["msg"]
    unsub = re.search(r"https://[^\s]+/u/[A-Za-z0-9_-]+",
                      msg.get_body(("plain",)).get_content()).group(0)
    path = "/u/" + unsub.rsplit("/u/", 1)[1]
    assert api.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert q(db_super, "SELECT category FROM notification_optout WHERE"
                       " address = %s", cust) == [("product",)]
    r = api.post("/api/admin/surveys", json={"email": cust, "type": "csat"},
                 headers=h)
    assert r.status_code == 409 and r.json()["error"]["field"] == "email"
    # Another tenant's token is refused.
    r = https("globex").post("/api/admin/surveys",
                             json={"email": cust, "type": "csat"}, headers=h)
    assert r.status_code == 401


def test_nps_campaign_throttle_and_idempotence(https, db_super, sh_stack):
    slug = new_tenant(db_super, sh_stack)
    tid = tenant_id(db_super, slug)
    users = {}
    for k in ("recent", "old", "never", "disabled", "optout", "edge_in",
              "edge_out"):
        users[k] = make_user(db_super, slug)[0]
    uid = {k: q(db_super, "SELECT id FROM users WHERE email = %s", e)[0][0]
           for k, e in users.items()}
    q(db_super, "UPDATE users SET status = 'disabled' WHERE id = %s",
      uid["disabled"])
    q(db_super, "INSERT INTO notification_optout (tenant_id, channel, address,"
                " category, source) VALUES (%s, 'email', %s, 'product', 'page')",
      tid, users["optout"])
    make_survey(db_super, slug, type="nps", lo=0, hi=10, user_id=uid["recent"],
                email=users["recent"], sent="now() - interval '10 days'")
    make_survey(db_super, slug, type="nps", lo=0, hi=10, user_id=uid["old"],
                email=users["old"], sent="now() - interval '120 days'")
    # The 90-day boundary, a minute either side.
    make_survey(db_super, slug, type="nps", lo=0, hi=10, user_id=uid["edge_in"],
                email=users["edge_in"],
                sent="now() - interval '90 days' + interval '1 minute'")
    make_survey(db_super, slug, type="nps", lo=0, hi=10,
                user_id=uid["edge_out"], email=users["edge_out"],
                sent="now() - interval '90 days' - interval '1 minute'")
    c = staff_client(https, db_super, slug)
    r = staff_json(c, "POST", "/api/surveys/admin/send-nps")
    assert r.status_code == 200, r.text
    got = r.json()
    assert re.match(r"^nps-\d{4}-Q[1-4]$", got["campaign"])
    assert got["sent"] == 3 and got["more"] is False
    sent_to = {e for (e,) in q(db_super, "SELECT email FROM survey WHERE"
                                         " tenant_id = %s AND campaign = %s",
                               tid, got["campaign"])}
    assert sent_to == {users["old"], users["never"], users["edge_out"]}
    # Run twice: nothing new.
    r = staff_json(c, "POST", "/api/surveys/admin/send-nps")
    assert r.json()["sent"] == 0
    # By hand, the 90-day rule holds too.
    r = staff_json(c, "POST", "/api/admin/surveys",
                   {"email": users["recent"], "type": "nps"})
    assert r.status_code == 409


def test_quarterly_job_runs_campaign_once(https, db_super, sh_stack):
    slug = new_tenant(db_super, sh_stack)
    tid = tenant_id(db_super, slug)
    a = make_user(db_super, slug)[0]
    b = make_user(db_super, slug)[0]
    q(db_super, "INSERT INTO survey_settings (tenant_id, nps_quarterly)"
                " VALUES (%s, true)", tid)
    q(db_super, "SELECT mp_job_ensure_schedule('survey.nps', 'bulk', 3600)")
    q(db_super, "UPDATE job SET run_at = now() WHERE kind = 'survey.nps'"
                " AND tenant_id = %s AND state = 'queued'", tid)
    wait_until(lambda: q(db_super, "SELECT finished_at IS NOT NULL FROM"
                                   " survey_campaign WHERE tenant_id = %s",
                         tid) == [(True,)], 30, what="the survey.nps job")
    assert {e for (e,) in q(db_super, "SELECT email FROM survey WHERE"
                                      " tenant_id = %s", tid)} == {a, b}
    # It rescheduled itself for tomorrow; run again now, it sends nothing.
    wait_until(lambda: q(db_super, "SELECT 1 FROM job WHERE kind = 'survey.nps'"
                                   " AND tenant_id = %s AND state = 'queued'"
                                   " AND run_at > now() + interval '23 hours'",
                         tid), 15, what="the job rescheduled")
    make_user(db_super, slug)
    q(db_super, "UPDATE job SET run_at = now() WHERE kind = 'survey.nps'"
                " AND tenant_id = %s AND state = 'queued'", tid)
    wait_until(lambda: q(db_super, "SELECT 1 FROM job WHERE kind = 'survey.nps'"
                                   " AND tenant_id = %s AND state = 'queued'"
                                   " AND run_at > now() + interval '23 hours'",
                         tid), 30, what="the job run again")
    assert q(db_super, "SELECT count(*) FROM survey WHERE tenant_id = %s",
             tid)[0][0] == 2


# ----------------------------------------------------------------- metrics

def test_metrics_hand_computed(https, db_super, sh_stack):
    slug = new_tenant(db_super, sh_stack)
    # CSAT: 5, 4, 3, 1 answered, two unanswered: CSAT % = 2/4, average
    # 13/4, response rate 4/6.  Support tickets count as CSAT.
    for s in (5, 4, 3):
        make_survey(db_super, slug, score=s)
    make_survey(db_super, slug, type="support_ticket", score=1)
    make_survey(db_super, slug)
    make_survey(db_super, slug, type="support_ticket")
    # Not sent yet (delay pending), and sent before the window: not counted.
    make_survey(db_super, slug, sent="now() + interval '1 day'")
    make_survey(db_super, slug, score=1, sent="now() - interval '40 days'")
    # NPS: 10, 9, 9 promoters, 8 passive, 3 detractor, one unanswered:
    # (3 - 1) / 5 = +40 (passives in the denominator), rate 5/6.
    for s in (10, 9, 9, 8, 3, None):
        make_survey(db_super, slug, type="nps", lo=0, hi=10, score=s)
    c = staff_client(https, db_super, slug)
    r = c.get("/api/surveys/admin/metrics?days=30")
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["days"] == 30
    cs = m["csat"]
    assert (cs["csat_pct"], cs["average"], cs["n"], cs["sent"],
            cs["response_rate"]) == (50.0, 3.25, 4, 6, 66.7)
    month = q(db_super, "SELECT to_char((now() - interval '1 hour')"
                        " AT TIME ZONE 'UTC', 'YYYY-MM')")[0][0]
    assert [(p["period"], p["n"], p["csat_pct"]) for p in cs["periods"]] == \
        [(month, 4, 50.0)]
    n = m["nps"]
    assert (n["nps"], n["promoters"], n["passives"], n["detractors"], n["n"],
            n["sent"], n["response_rate"]) == (40.0, 3, 1, 1, 5, 6, 83.3)
    assert re.match(r"^\d{4}-Q[1-4]$", n["periods"][0]["period"])
    assert m["product"]["n"] == 0 and m["product"]["average"] is None
    # The 40-day-old one is in a 60-day window.
    cs60 = c.get("/api/surveys/admin/metrics?days=60").json()["csat"]
    assert (cs60["n"], cs60["csat_pct"]) == (5, 40.0)
    for bad in ("0", "3651", "x"):
        r = c.get("/api/surveys/admin/metrics?days=" + bad)
        assert r.status_code == 400 and r.json()["error"]["field"] == "days"
    assert c.get("/api/surveys/admin/metrics?days=3650").status_code == 200
    assert c.get("/api/surveys/admin/metrics?days=1").json()["csat"]["n"] == 4
    # A customer may not read metrics.
    email, pw = make_user(db_super, slug)
    cc = https(slug)
    signin(cc, email, pw)
    assert cc.get("/api/surveys/admin/metrics").status_code == 403


# -------------------------------------------------------------- staff side

def test_staff_page_charts_followups_and_escaping(https, db_super, sh_stack):
    slug = new_tenant(db_super, sh_stack)
    hostile = '<script>alert("x")</script>'
    _, pid = make_survey(db_super, slug, score=2, comment=hostile,
                         email='e"vil@example.com')
    q(db_super, "UPDATE survey SET followup = 'open' WHERE public_id = %s", pid)
    make_survey(db_super, slug, score=5)
    make_survey(db_super, slug, type="nps", lo=0, hi=10, score=10)
    c = staff_client(https, db_super, slug)
    r = c.get("/staff/surveys")
    assert r.status_code == 200
    page = r.text
    assert hostile not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page
    assert page.count("<svg") == 3
    assert "CSAT % by month" in page and "NPS by quarter" in page
    assert "n=2" in page                      # n beside the CSAT bar
    assert 'id="f-%s"' % pid in page
    # Follow-up: note and done through the page's form.
    r = auth.post_form(c, "/staff/surveys", "/staff/surveys/%s/followup" % pid,
                       {"note": "Called <them>", "done": "1"})
    assert r.status_code == 303
    assert q(db_super, "SELECT followup, followup_note FROM survey WHERE"
                       " public_id = %s", pid) == [("done", "Called <them>")]
    assert 'id="f-%s"' % pid not in c.get("/staff/surveys").text
    # JSON follow-ups.
    f = c.get("/api/surveys/admin/followups?state=done").json()["followups"]
    assert [x["id"] for x in f] == [pid] and f[0]["followup_note"] == "Called <them>"
    r = staff_json(c, "POST", "/api/surveys/admin/%s/followup" % pid,
                   {"note": "n" * 2001})
    assert r.status_code == 400 and r.json()["error"]["field"] == "note"
    r = staff_json(c, "POST", "/api/surveys/admin/%s/followup" % pid,
                   {"note": "n" * 2000, "done": True})
    assert r.status_code == 200 and r.json()["followup"]["followup_note"] == "n" * 2000
    r = staff_json(c, "POST", "/api/surveys/admin/%s/followup" % pid,
                   {"note": "reopened", "done": False})
    assert r.status_code == 200 and r.json()["followup"]["followup"] == "open"
    # A survey without a flag has no follow-up to set.
    _, other = make_survey(db_super, slug, score=5)
    r = staff_json(c, "POST", "/api/surveys/admin/%s/followup" % other,
                   {"note": "x"})
    assert r.status_code == 404


def test_admin_list_filters_and_paging(https, db_super, sh_stack):
    slug = new_tenant(db_super, sh_stack)
    for s in (1, 2, 3):
        make_survey(db_super, slug, score=s)
    make_survey(db_super, slug)
    make_survey(db_super, slug, expires="now() - interval '1 second'",
                sent="now() - interval '20 days'")
    c = staff_client(https, db_super, slug)
    r = c.get("/api/surveys/admin/all?status=answered&limit=2")
    got = r.json()
    assert got["total"] == 3 and len(got["surveys"]) == 2 and got["limit"] == 2
    assert c.get("/api/surveys/admin/all?status=answered&limit=2&offset=2"
                 ).json()["surveys"][0]["status"] == "answered"
    assert c.get("/api/surveys/admin/all?status=expired").json()["total"] == 1
    assert c.get("/api/surveys/admin/all?status=unanswered").json()["total"] == 1
    for qs, field in (("status=nope", "status"), ("type=x", "type"),
                      ("from=2026-02-30", "from"), ("to=yesterday", "to"),
                      ("limit=201", "limit"), ("limit=0", "limit")):
        r = c.get("/api/surveys/admin/all?" + qs)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, qs
    assert len(c.get("/api/surveys/admin/all?limit=200").json()["surveys"]) == 5
    assert c.get("/api/surveys/admin/all?from=2026-02-28").status_code == 200


def test_csv_export_by_date_range(https, db_super, sh_stack):
    slug = new_tenant(db_super, sh_stack)
    make_survey(db_super, slug, score=4, comment='=HYPERLINK("x"), "quoted"',
                sent="'2026-03-10 12:00+00'::timestamptz")
    make_survey(db_super, slug, sent="'2026-03-31 23:00+00'::timestamptz")
    make_survey(db_super, slug, score=5, sent="'2026-04-01 00:30+00'::timestamptz")
    c = staff_client(https, db_super, slug)
    r = c.get("/staff/surveys/export.csv?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 2
    assert rows[0]["score"] == "4" and rows[1]["score"] == ""
    assert rows[0]["comment"] == '\'=HYPERLINK("x"), "quoted"'
    for qs, field in (("from=2026-03-01", "to"), ("to=2026-03-01", "from"),
                      ("from=2026-13-01&to=2026-12-01", "from"),
                      ("from=2026-03-02&to=2026-03-01", "to")):
        r = c.get("/staff/surveys/export.csv?" + qs)
        assert r.status_code == 400, qs
        assert re.search(r"<p>%s (is|must) " % field, r.text), (qs, r.text)
    # The last day of the range is included, the day after it not.
    r = c.get("/staff/surveys/export.csv?from=2026-04-01&to=2026-04-01")
    assert [x["score"] for x in csv.DictReader(io.StringIO(r.text))] == ["5"]


def test_settings_and_question_wording(https, db_super, sh_stack, mailbox):
    slug = new_tenant(db_super, sh_stack)
    admin = staff_client(https, db_super, slug, role="admin")
    r = staff_json(admin, "PUT", "/api/surveys/admin/questions/csat",
                   {"question": "Did Sam fix it?"})
    assert r.status_code == 200, r.text
    assert r.json()["questions"]["csat"]["question"] == "Did Sam fix it?"
    r = staff_json(admin, "PUT", "/api/surveys/admin/questions/nps",
                   {"question": "Recommend?", "scale_max": 5})
    assert r.status_code == 400 and r.json()["error"]["field"] == "scale_max"
    r = staff_json(admin, "PUT", "/api/surveys/admin/questions/product",
                   {"question": "Rate the product", "scale_min": 0,
                    "scale_max": 10})
    assert r.status_code == 200
    r = staff_json(admin, "PUT", "/api/surveys/admin/questions/onboarding",
                   {"question": "Easy?", "scale_max": 11})
    assert r.status_code == 400 and r.json()["error"]["field"] == "scale_max"
    r = staff_json(admin, "PUT", "/api/surveys/admin/questions/onboarding",
                   {"question": "Easy?", "scale_min": 2})
    assert r.status_code == 400 and r.json()["error"]["field"] == "scale_min"
    r = staff_json(admin, "PUT", "/api/surveys/admin/questions/nope",
                   {"question": "Easy?"})
    assert r.status_code == 404
    r = staff_json(admin, "PUT", "/api/surveys/admin/questions/csat",
                   {"question": "q" * 301})
    assert r.status_code == 400 and r.json()["error"]["field"] == "question"
    r = staff_json(admin, "PUT", "/api/surveys/admin/questions/support_ticket",
                   {"question": "q" * 300})
    assert r.status_code == 200
    assert r.json()["questions"]["support_ticket"]["question"] == "q" * 300
    r = staff_json(admin, "PUT", "/api/surveys/admin/settings",
                   {"csat_delay": 3600, "nps_quarterly": True})
    assert r.status_code == 200 and r.json()["csat_delay"] == 3600
    assert r.json()["nps_quarterly"] is True
    # (Off again at once: this tenant's customers get no campaign mail.)
    r = staff_json(admin, "PUT", "/api/surveys/admin/settings",
                   {"nps_quarterly": False})
    assert r.json() == dict(r.json(), csat_delay=3600, nps_quarterly=False)
    r = staff_json(admin, "PUT", "/api/surveys/admin/settings",
                   {"csat_delay": 2592001})
    assert r.status_code == 400 and r.json()["error"]["field"] == "csat_delay"
    # Support staff may read the settings but not change them.
    sup = staff_client(https, db_super, slug)
    assert sup.get("/api/surveys/admin/settings").status_code == 200
    assert staff_json(sup, "PUT", "/api/surveys/admin/settings",
                      {"csat_delay": 0}).status_code == 403
    # The new wording and delay reach the next survey.
    cust, _ = make_user(db_super, slug)
    r = staff_json(sup, "POST", "/api/admin/surveys",
                   {"email": cust, "type": "csat"})
    s = r.json()["survey"]
    assert s["question"] == "Did Sam fix it?" and s["delay"] == 3600
    r = staff_json(sup, "POST", "/api/admin/surveys",
                   {"email": cust, "type": "product", "delay": 0})
    assert r.json()["survey"]["scale"] == {"min": 0, "max": 10}
    text = mailbox.wait(to=cust, timeout=30)[-1]["msg"].get_body(
        ("plain",)).get_content()
    assert "Rate the product" in text and "?score=10" in text
    # The staff page's form: empty question means the default again.
    r = auth.post_form(admin, "/staff/surveys", "/staff/surveys/settings",
                       {"csat_delay_hours": "721"})
    assert r.status_code == 400 and "csat_delay_hours" in r.text
    r = auth.post_form(admin, "/staff/surveys", "/staff/surveys/settings",
                       {"csat_delay_hours": "48", "q_csat": ""})
    assert r.status_code == 303
    got = admin.get("/api/surveys/admin/settings").json()
    assert got["csat_delay"] == 172800 and got["nps_quarterly"] is False
    assert got["questions"]["csat"]["custom"] is False


# ------------------------------------------------------ customer JSON, RLS

def test_customer_json_and_isolation(https, db_super):
    email, pw = make_user(db_super, "acme")
    uid = q(db_super, "SELECT id FROM users WHERE email = %s", email)[0][0]
    _, mine = make_survey(db_super, "acme", user_id=uid, email=email)
    _, answered = make_survey(db_super, "acme", user_id=uid, email=email, score=4)
    _, later = make_survey(db_super, "acme", user_id=uid, email=email,
                           sent="now() + interval '1 day'")
    _, theirs = make_survey(db_super, "acme")
    c = https("acme")
    signin(c, email, pw)
    got = c.get("/api/surveys").json()
    ids = [s["id"] for s in got["surveys"]]
    assert set(ids) == {mine, answered} and got["total"] == 2
    assert c.get("/api/surveys/" + theirs).status_code == 404
    assert c.get("/api/surveys/" + later).status_code == 404
    tok = csrf_from(c.get("/account").text)
    h = form_headers(c)
    h["X-CSRF-Token"] = tok
    r = c.post("/api/surveys/%s/respond" % mine, json={"score": 9}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["field"] == "score"
    r = c.post("/api/surveys/%s/respond" % mine, json={}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["field"] == "score"
    assert row(db_super, mine)[2] is False
    r = c.post("/api/surveys/%s/respond" % mine,
               json={"score": 2, "comment": "meh"}, headers=h)
    assert r.status_code == 200 and r.json()["survey"]["status"] == "answered"
    assert row(db_super, mine) == (2, "meh", True, "open")
    r = c.post("/api/surveys/%s/respond" % mine, json={"score": 5}, headers=h)
    assert r.status_code == 409
    r = c.post("/api/surveys/%s/respond" % theirs, json={"score": 5}, headers=h)
    assert r.status_code == 404 and row(db_super, theirs)[2] is False
    # Another tenant's staff see none of acme's surveys.
    g = staff_client(https, db_super, "globex")
    assert mine not in [s["id"] for s in
                        g.get("/api/surveys/admin/all?limit=200").json()["surveys"]]
    assert staff_json(g, "POST", "/api/surveys/admin/%s/followup" % mine,
                      {"done": True}).status_code == 404
    assert row(db_super, mine)[3] == "open"
    # Staff cannot answer through the JSON either.
    s = staff_client(https, db_super, "acme")
    r = staff_json(s, "POST", "/api/surveys/%s/respond" % answered, {"score": 5})
    assert r.status_code == 403
