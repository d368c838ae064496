"""The worker and the mail/SMS queue, end to end: mail queued through the pool
(the /_test/queue/mail hook calls mp_mail_queue like any feature), delivered
by a real mpanel-worker process over SMTP (STARTTLS) to a real aiosmtpd
server, with what the database holds checked after.

The module stops the stack's worker and runs its own against its own SMTP
catcher and SMS stand-in, with short backoff, restoring the stack's worker
at the end."""

import base64
import hashlib
import hmac
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

import pytest

import helpers
from smtp_catcher import Catcher
from sms_standin import Standin

TENANT = "acme"


class Worker:
    """An mpanel-worker process with its own environment overrides."""

    def __init__(self, stack, tmp, smtp_port, sms_url):
        self.stack = stack
        self.tmp = tmp
        # In the stack's log directory: scripts/test keeps it when a test fails.
        self.logfile = os.path.join(stack["MP_LOG_DIR"], "queue-test-worker.log")
        if os.path.exists(self.logfile):
            os.rename(self.logfile, self.logfile + ".old")
        self.env = dict(os.environ)
        self.env.update({
            "MPANEL_SMTP_URL": "smtp://127.0.0.1:%d" % smtp_port,
            "MPANEL_SMTP_STARTTLS": "1",
            "MPANEL_SMTP_CA_FILE": stack["MP_TLS_CERT"],
            "MPANEL_SMTP_TIMEOUT": "10",
            "MPANEL_EMAIL_RETRY_BASE": "1",
            "MPANEL_EMAIL_RETRY_CAP": "2",
            "MPANEL_SMS_RETRY_BASE": "1",
            "MPANEL_SMS_RETRY_CAP": "2",
            "MPANEL_SMS_BASE_URL": sms_url,
            "MPANEL_SMS_ACCOUNT_SID": "ACtest",
            "MPANEL_SMS_AUTH_TOKEN": "test-token",
            "MPANEL_SMS_FROM": "+15550000001",
            "MPANEL_SENDER_PAUSE": "2",
            "MPANEL_WORKER_CONCURRENCY": "2",
            "MPANEL_JOB_BATCH": "10",
            "MPANEL_PID_FILE": os.path.join(tmp, "worker.pid"),
            "MPANEL_LOG_FILE": self.logfile,
            "MPANEL_LOG_LEVEL": "info",
        })
        self.proc = None

    def start(self, **over):
        env = dict(self.env)
        env.update({"MPANEL_" + k.upper(): str(v) for k, v in over.items()})
        binp = os.path.join(self.stack["MP_VAR"], "app", "bin", "mpanel-worker")
        self.proc = subprocess.Popen([binp, "-c", self.stack["MP_CONF"]], env=env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.tmp, "worker.err"), "ab"))
        helpers.wait_until(lambda: "started" in self.log(), 10, what="worker start")
        return self

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.proc = None

    def log(self):
        try:
            with open(self.logfile) as f:
                return f.read()
        except OSError:
            return ""


@pytest.fixture(scope="module")
def q(request):
    """The module's world: catcher, SMS stand-in, worker; the stack's worker
    stopped meanwhile."""
    if not os.environ.get("MP_HTTPS_PORT"):
        pytest.skip("no stack")
    stack = helpers.stack_env()
    tmp = tempfile.mkdtemp(prefix="mp-queue-")
    catcher = Catcher(os.path.join(tmp, "mail"), cert=stack["MP_TLS_CERT"],
                      key=os.path.join(os.path.dirname(stack["MP_TLS_CERT"]), "key.pem")).up()
    sms = Standin().start()
    helpers.sh_stack("worker-stop", "TERM")
    w = Worker(stack, tmp, catcher.port, sms.base_url).start()

    class Q:
        pass
    o = Q()
    o.stack, o.tmp, o.catcher, o.sms, o.worker = stack, tmp, catcher, sms, w
    yield o
    w.stop()
    catcher.down()
    sms.stop()
    helpers.sh_stack("worker-start")
    shutil.rmtree(tmp, ignore_errors=True)


def queue_mail(https, **fields):
    """Queue mail through the pool; returns the notification public ids."""
    c = https(TENANT)
    fields.setdefault("subject", "Hello")
    r = c.post("/_test/queue/mail", json=fields)
    assert r.status_code == 200, r.text
    return r.json()["ids"]


def tenant_rows(db_app, sql, *args):
    with db_app.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT set_config('app.tenant_id', id::text, true)"
                    " FROM tenants WHERE slug = %s", (TENANT,))
        cur.execute(sql, args)
        rows = cur.fetchall() if cur.description else []
        cur.execute("COMMIT")
    return rows


def note(db_app, pid):
    rows = tenant_rows(db_app, "SELECT state, attempts, message_id, recipient, job_id,"
                       " unsubscribe_url, id FROM notification WHERE public_id = %s", pid)
    assert rows, "no notification %s" % pid
    return dict(zip(("state", "attempts", "message_id", "recipient", "job_id",
                     "unsub", "id"), rows[0]))


def events(db_app, pid):
    return [r[0] for r in tenant_rows(
        db_app, "SELECT e.kind FROM notification_event e JOIN notification n"
        " ON n.id = e.notification_id WHERE n.public_id = %s ORDER BY e.id", pid)]


def wait_state(db_app, pid, states, timeout=20):
    if isinstance(states, str):
        states = (states,)
    return helpers.wait_until(lambda: note(db_app, pid)["state"] in states and note(db_app, pid),
                              timeout, 0.1, "notification %s in %s" % (pid, states))


def mails_to(catcher, addr):
    return [m for m in catcher.messages()
            if addr.lower() in [x.lower() for x in m["env"]["rcpt_tos"]]]


def addr(tag):
    return "%s-%d@example.com" % (tag, time.time_ns() % 10**12)


# ---------------------------------------------------------------- mail

def test_message_headers_parts_and_attachment(q, https, db_app):
    to = addr("headers")
    pid, = queue_mail(https, to=to, to_name="Zoë Tester", subject="Grüße aus Acme",
                      category="marketing", attachment="line one\nline two\n",
                      html="<html><body><h1>Hi</h1><p>See <a href=\"https://example.org/x?a=1&amp;b=2\">"
                           "our offer</a>.</p></body></html>")
    n = wait_state(db_app, pid, "sent")
    m, = helpers.wait_until(lambda: mails_to(q.catcher, to), 10, what="mail")
    msg = m["msg"]
    assert m["env"]["tls"] is True                     # STARTTLS was used
    assert msg["Message-ID"] == n["message_id"]
    assert msg["Subject"] == "Grüße aus Acme"
    assert msg["To"].addresses[0].addr_spec == to
    assert msg["To"].addresses[0].display_name == "Zoë Tester"
    assert msg["From"].addresses[0].display_name == "Acme Hosting"
    assert msg["From"].addresses[0].addr_spec == "noreply@acme.example"   # the tenant's sender
    assert msg["Reply-To"] == "support@acme.example"
    assert msg["Message-ID"].endswith("@acme.example>")
    assert msg["X-Mpanel-Tenant"] == TENANT
    assert msg["Date"]
    assert msg["MIME-Version"] == "1.0"
    # Non-transactional: one-click unsubscribe headers and a visible link.
    lu = msg["List-Unsubscribe"]
    assert re.match(r"<https://acme\.[^/]+/u/[A-Za-z0-9_-]+>, <mailto:unsubscribe\+", lu)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/mixed"
    alt, att = msg.iter_parts()
    assert alt.get_content_type() == "multipart/alternative"
    text, html = alt.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert "our offer (https://example.org/x?a=1&b=2)" in text.get_content()
    assert "Unsubscribe" in text.get_content()
    body = html.get_content()
    assert "/t/c/" in body and "/t/o/" in body          # click and open tracking
    assert "https://example.org/x" not in body
    assert att.get_filename() == "notes.txt"
    assert att["Content-Transfer-Encoding"] == "base64"
    assert att.get_content() == "line one\nline two\n"
    assert events(db_app, pid)[:3] == ["queued", "attempt", "sent"]
    # The bytes' hash is on the timeline, so a resend can be proven identical.
    data = tenant_rows(db_app, "SELECT e.data->>'sha256' FROM notification_event e"
                       " WHERE e.notification_id = %s AND e.kind = 'sent'", n["id"])
    assert len(data[0][0]) == 64


def test_transactional_mail_has_no_unsubscribe_or_tracking(q, https, db_app):
    to = addr("tx")
    pid, = queue_mail(https, to=to, category="transactional", subject="Your code")
    wait_state(db_app, pid, "sent")
    m, = helpers.wait_until(lambda: mails_to(q.catcher, to), 10, what="mail")
    assert m["msg"]["List-Unsubscribe"] is None
    assert m["msg"]["Auto-Submitted"] == "auto-generated"
    html = m["msg"].get_body(("html",)).get_content()
    assert "/t/o/" not in html and "/t/c/" not in html
    assert "Acme Hosting" in html                       # the tenant's branded layout


def test_4xx_is_retried_then_delivered(q, https, db_app):
    to = addr("tempfail2")
    pid, = queue_mail(https, to=to, subject="Retry me")
    n = wait_state(db_app, pid, "sent", 30)
    assert n["attempts"] == 3
    assert len(mails_to(q.catcher, to)) == 1
    ev = events(db_app, pid)
    assert ev.count("retry") == 2 and ev[-1] == "sent"
    reply = tenant_rows(db_app, "SELECT e.detail FROM notification_event e"
                        " WHERE e.notification_id = %s AND e.kind = 'retry'", n["id"])
    assert "451" in reply[0][0]


def test_5xx_discards_and_suppresses(q, https, db_app, db_owner):
    to = addr("bounce")
    pid, = queue_mail(https, to=to, subject="Bounce me")
    n = wait_state(db_app, pid, "bounced")
    assert n["attempts"] == 1
    assert tenant_rows(db_app, "SELECT reason FROM notification_suppression"
                       " WHERE address = %s", to.lower()) == [("bounce",)]
    with db_owner.cursor() as cur:
        cur.execute("SELECT state, errors->0->>'error' FROM job WHERE id = %s", (n["job_id"],))
        state, err = cur.fetchone()
    assert state == "discarded" and "550" in err
    # The next message to that address is suppressed without an SMTP attempt.
    before = len([a for a in q.catcher.rcpt_log if a.lower() == to.lower()])
    pid2, = queue_mail(https, to=to, subject="Again", category="transactional")
    wait_state(db_app, pid2, "suppressed")
    assert len([a for a in q.catcher.rcpt_log if a.lower() == to.lower()]) == before
    assert mails_to(q.catcher, to) == []


def test_smtp_down_then_up_delivers_each_once(q, https, db_app):
    q.catcher.down()
    try:
        tos = [addr("down%d" % i) for i in range(8)]
        pids = [queue_mail(https, to=t, subject="While down")[0] for t in tos]
        helpers.wait_until(lambda: all("retry" in events(db_app, p) for p in pids),
                           20, 0.2, "a failed attempt for each")
    finally:
        q.catcher.up()
    for p in pids:
        wait_state(db_app, p, "sent", 30)
    got = [m for t in tos for m in mails_to(q.catcher, t)]
    assert len(got) == len(tos)
    assert len({m["msg"]["Message-ID"] for m in got}) == len(tos)


def test_kill9_mid_batch_loses_nothing(q, https, db_app):
    q.catcher.delay = 0.25
    to = addr("kill")
    try:
        # One request: both runners claim full batches at once.
        pids = queue_mail(https, to=to, subject="Kill test", count=16)
        helpers.wait_until(lambda: len(mails_to(q.catcher, to)) >= 3,
                           20, 0.02, "the first deliveries")
        q.worker.kill9()
        assert len(mails_to(q.catcher, to)) < 12        # killed mid-batch
        q.worker.start()
        for p in pids:
            wait_state(db_app, p, "sent", 40)
    finally:
        q.catcher.delay = 0
    got = mails_to(q.catcher, to)
    ids = [m["msg"]["Message-ID"] for m in got]
    expect = {note(db_app, p)["message_id"] for p in pids}
    assert set(ids) == expect                           # nothing lost
    dups = len(ids) - len(set(ids))
    assert dups <= 2                                    # at most the in-flight ones
    assert "released" in q.worker.log()                 # the dead worker's jobs came back


def test_scheduled_mail_waits(q, https, db_app):
    to = addr("sched")
    t0 = time.time()
    pid, = queue_mail(https, to=to, subject="Later", delay=3)
    time.sleep(1.5)
    assert note(db_app, pid)["state"] == "queued"
    assert mails_to(q.catcher, to) == []
    wait_state(db_app, pid, "sent", 10)
    m, = mails_to(q.catcher, to)
    assert m["env"]["received"] >= t0 + 2


def test_priority_order_and_tx_before_bulk(q, https, db_app):
    q.worker.stop()
    try:
        # Marketing mail goes to the bulk queue: after every tx job, even
        # with the best priority.
        bulk_to = addr("bulk1")
        bulk, = queue_mail(https, to=bulk_to, subject="Bulk", priority=1,
                           category="marketing")
        prios = [9, 5, 1, 7, 3, 2]
        tos = {p: addr("prio%d" % p) for p in prios}
        pids = [queue_mail(https, to=tos[p], subject="P%d" % p, priority=p)[0] for p in prios]
    finally:
        q.worker.start(worker_concurrency=1)
    for p in pids + [bulk]:
        wait_state(db_app, p, "sent")
    want = [tos[p] for p in sorted(prios)] + [bulk_to]
    order = [m["env"]["rcpt_tos"][0] for m in q.catcher.messages()
             if m["env"]["rcpt_tos"][0] in want]
    assert order == want
    q.worker.stop()
    q.worker.start()


def test_scheduled_jobs_reschedule_themselves(q, db_super):
    with db_super.cursor() as cur:
        cur.execute("SELECT t.slug, j.state, j.run_at > now() FROM job j JOIN tenants t"
                    " ON t.id = j.tenant_id WHERE j.kind = 'queue.retention' ORDER BY 1")
        rows = cur.fetchall()
        assert ("acme", "queued", True) in rows and ("globex", "queued", True) in rows
        cur.execute("UPDATE job SET run_at = now() WHERE kind = 'queue.retention'"
                    " AND tenant_id = (SELECT id FROM tenants WHERE slug = 'acme')"
                    " RETURNING id")
        jid = cur.fetchone()[0]

    def rescheduled():
        with db_super.cursor() as cur:
            cur.execute("SELECT state, run_at - now() > interval '50 minutes', attempt,"
                        " finished_at IS NOT NULL FROM job WHERE id = %s", (jid,))
            r = cur.fetchone()
        return r == ("queued", True, 0, True)
    helpers.wait_until(rescheduled, 10, 0.2, "the retention job to run and come back")
    assert re.search(r"job %d queue\.retention tenant=\d+ attempt=1/\d+ ok" % jid,
                     q.worker.log())


def test_idempotency_key_sends_once(q, https, db_app):
    to = addr("idem")
    key = "receipt:%d" % time.time_ns()
    a, = queue_mail(https, to=to, subject="Receipt", idem_key=key)
    b, = queue_mail(https, to=to, subject="Receipt", idem_key=key)
    assert a == b
    wait_state(db_app, a, "sent")
    time.sleep(1)
    assert len(mails_to(q.catcher, to)) == 1
    assert tenant_rows(db_app, "SELECT count(*) FROM notification WHERE idem_key = %s",
                       key) == [(1,)]


def test_deadline_passed_marks_expired(q, https, db_app, db_owner):
    to = addr("deadline")
    pid, = queue_mail(https, to=to, subject="Too late", delay=2, deadline_in=1)
    n = wait_state(db_app, pid, "expired", 15)
    assert mails_to(q.catcher, to) == []
    assert events(db_app, pid)[-1] == "expired"
    with db_owner.cursor() as cur:
        cur.execute("SELECT state, errors->0->>'error' FROM job WHERE id = %s", (n["job_id"],))
        assert cur.fetchone() == ("discarded", "deadline passed")
    # An operator can send it anyway.
    r = subprocess.run([os.path.join(q.stack["MP_VAR"], "app", "bin", "mpanelctl"),
                        "-c", q.stack["MP_CONF"], "queue", "retry", str(n["job_id"])],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    wait_state(db_app, pid, "sent", 15)
    assert len(mails_to(q.catcher, to)) == 1
    r = subprocess.run([os.path.join(q.stack["MP_VAR"], "app", "bin", "mpanelctl"),
                        "-c", q.stack["MP_CONF"], "queue", "retry", str(n["job_id"])],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "no discarded" in r.stderr


def test_unsubscribed_category_suppressed_at_claim_time(q, https, db_app):
    to = addr("unsub")
    first, = queue_mail(https, to=to, subject="News 1", category="marketing")
    wait_state(db_app, first, "sent")
    m, = mails_to(q.catcher, to)
    url = re.match(r"<([^>]+)>", m["msg"]["List-Unsubscribe"]).group(1)
    path = urllib.parse.urlsplit(url).path
    # Queued before the unsubscribe, claimed after it.
    second, = queue_mail(https, to=to, subject="News 2", category="marketing", delay=3)
    c = https(TENANT)
    page = c.get(path)
    assert page.status_code == 200 and "marketing" in page.text
    r = c.post(path, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and "unsubscribed" in r.text
    assert "Set-Cookie" not in r.headers
    wait_state(db_app, second, "suppressed", 10)
    assert len(mails_to(q.catcher, to)) == 1
    assert tenant_rows(db_app, "SELECT source FROM notification_optout WHERE address = %s"
                       " AND category = 'marketing'", to.lower()) == [("one-click",)]
    # Transactional mail still goes out.
    tx, = queue_mail(https, to=to, subject="Receipt", category="transactional")
    wait_state(db_app, tx, "sent")


def test_open_and_click_tracking(q, https, db_app):
    to = addr("track")
    pid, = queue_mail(https, to=to, subject="Tracked", category="marketing",
                      html='<html><body><a href="https://example.net/page">go</a></body></html>')
    wait_state(db_app, pid, "sent")
    m, = helpers.wait_until(lambda: mails_to(q.catcher, to), 10, what="mail")
    html = m["msg"].get_body(("html",)).get_content()
    opens = re.search(r'src="https://[^/]+(/t/o/[A-Za-z0-9_-]+)"', html).group(1)
    click = re.search(r'href="https://[^/]+(/t/c/[A-Za-z0-9_-]+)"', html).group(1)
    c = https(TENANT)
    r = c.get(opens)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/gif"
    r = c.get(click)
    assert r.status_code == 302 and r.headers["Location"] == "https://example.net/page"
    n = note(db_app, pid)
    assert tenant_rows(db_app, "SELECT opens, clicks FROM email_analytics"
                       " WHERE notification_id = %s", n["id"]) == [(1, 1)]
    # A token changed by one character, or used on another tenant, is refused.
    bad = click[:-2] + ("A" if click[-2] != "A" else "B") + click[-1]
    assert c.get(bad).status_code == 404
    assert https("globex").get(click).status_code == 404


# ----------------------------------------------------------------- SMS

def twilio_signature(token, url, form):
    s = url + "".join(k + form[k] for k in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), s.encode(), hashlib.sha1).digest()).decode()


def test_sms_sent_and_status_callbacks(q, https, db_app, stack):
    q.sms.replies = [429]
    q.sms.retry_after = 1
    pid, = queue_mail(https, to="x@example.com", sms_to="+15551234567",
                      subject="Your server is under high load")
    n = wait_state(db_app, pid, "sent", 20)
    reqs = [r for r in q.sms.requests if r["form"].get("To") == "+15551234567"]
    assert [r["code"] for r in reqs][-2:] == [429, 201]
    assert n["attempts"] == 2
    assert reqs[-1]["time"] - reqs[-2]["time"] >= 0.9     # Retry-After: 1 honoured
    req = reqs[-1]
    assert req["path"] == "/2010-04-01/Accounts/ACtest/Messages.json"
    assert req["user"] == "ACtest"
    assert req["form"]["From"] == "+15550000001"
    assert req["form"]["Body"] == "Your server is under high load"
    cb = urllib.parse.urlsplit(req["form"]["StatusCallback"])
    assert cb.path == "/sms/status"
    sid = tenant_rows(db_app, "SELECT provider_id FROM notification WHERE public_id = %s",
                      pid)[0][0]
    assert sid == req["sid"]
    # The stack's pool verifies with its own token (scripts/lib.sh).
    token = "stack-sms-token"
    c = https(TENANT)
    url = "https://%s.%s:%s/sms/status" % (TENANT, stack["MP_BASE_DOMAIN"], stack["MP_HTTPS_PORT"])

    def callback(status, sign_token=token):
        form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "ACtest"}
        return c.post("/sms/status", data=form,
                      headers={"X-Twilio-Signature": twilio_signature(sign_token, url, form)})

    assert callback("delivered", "wrong-token").status_code == 403
    assert callback("delivered").status_code == 204
    assert callback("sent").status_code == 204          # late and out of order
    rows = tenant_rows(db_app, "SELECT state, provider_status FROM notification"
                       " WHERE public_id = %s", pid)
    assert rows == [("delivered", "delivered")]
    assert events(db_app, pid).count("sms_callback") == 2


def test_sms_rejects_non_e164(q, https):
    c = https(TENANT)
    r = c.post("/_test/queue/mail", json={"to": "x@example.com", "sms_to": "5551234",
                                          "subject": "x"})
    assert r.status_code in (400, 422) and r.json()["error"]["field"] == "to"


# ------------------------------------------------------------ operators

def test_mpanelctl_queue_stats_and_purge(q, stack):
    binp = os.path.join(stack["MP_VAR"], "app", "bin", "mpanelctl")
    r = subprocess.run([binp, "-c", stack["MP_CONF"], "queue", "stats"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "email.send" in r.stdout and "completed" in r.stdout
    r = subprocess.run([binp, "-c", stack["MP_CONF"], "queue", "purge"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "deleted" in r.stdout


def test_retention_at_its_boundaries(q, https, db_app, db_super, stack):
    a, b, c_ = [queue_mail(https, to=addr("ret%d" % i), subject="Retention")[0] for i in range(3)]
    for p in (a, b, c_):
        wait_state(db_app, p, "sent")
    ja, jb, jc = (note(db_app, p)["job_id"] for p in (a, b, c_))
    with db_super.cursor() as cur:
        # completed 25 h ago: goes; completed 23 h ago: stays;
        # discarded 13 days ago: stays (14 days).
        cur.execute("UPDATE job SET finished_at = now() - interval '25 hours' WHERE id = %s", (ja,))
        cur.execute("UPDATE job SET finished_at = now() - interval '23 hours' WHERE id = %s", (jb,))
        cur.execute("UPDATE job SET state = 'discarded', finished_at = now() - interval '13 days'"
                    " WHERE id = %s", (jc,))
    binp = os.path.join(stack["MP_VAR"], "app", "bin", "mpanelctl")
    r = subprocess.run([binp, "-c", stack["MP_CONF"], "queue", "purge"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    with db_super.cursor() as cur:
        cur.execute("SELECT id FROM job WHERE id IN (%s, %s, %s) ORDER BY id", (ja, jb, jc))
        assert [x[0] for x in cur.fetchall()] == sorted([jb, jc])
        cur.execute("UPDATE job SET finished_at = now() - interval '15 days' WHERE id = %s", (jc,))
    subprocess.run([binp, "-c", stack["MP_CONF"], "queue", "purge"], check=True,
                   capture_output=True, timeout=30)
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM job WHERE id = %s", (jc,))
        assert cur.fetchone()[0] == 0
    # The history stays.
    assert note(db_app, a)["state"] == "sent" and note(db_app, c_)["state"] == "sent"


def test_stats_api_needs_staff(q, https):
    r = https(TENANT).get("/api/admin/queue/stats")
    assert r.status_code in (401, 403)
    assert "error" in r.json()


def test_worker_logs_a_status_line_per_job(q, https, db_app):
    # Its own two messages, read in the lines logged after they were
    # queued: the test does not lean on the tests before it.
    start = len(q.worker.log())
    ok, = queue_mail(https, to=addr("logline"), subject="Logged")
    retried, = queue_mail(https, to=addr("tempfail1"), subject="Logged retry")
    wait_state(db_app, ok, "sent", 30)
    wait_state(db_app, retried, "sent", 30)
    for line in (r"job \d+ email\.send tenant=\d+ attempt=1/\d+ ok \d+ms",
                 r"job \d+ email\.send tenant=\d+ attempt=1/\d+ retry: 451",
                 r"job \d+ email\.send tenant=\d+ attempt=2/\d+ ok \d+ms"):
        helpers.wait_until(lambda: re.search(line, q.worker.log()[start:]), 10,
                           what=line)


def test_graceful_stop_releases_claimed_jobs(q, https, db_app, db_owner):
    q.catcher.delay = 1.0
    try:
        tos = [addr("grace%d" % i) for i in range(6)]
        pids = [queue_mail(https, to=t, subject="Grace")[0] for t in tos]
        helpers.wait_until(lambda: any(note(db_app, p)["state"] == "sending" for p in pids),
                           10, 0.05, "a message being sent")
        assert q.worker.stop(signal.SIGTERM) == 0
        with db_owner.cursor() as cur:
            cur.execute("SELECT count(*) FROM job WHERE state = 'running'")
            assert cur.fetchone()[0] == 0
    finally:
        q.catcher.delay = 0
        q.worker.start()
    for p in pids:
        wait_state(db_app, p, "sent", 20)
    got = [m["msg"]["Message-ID"] for t in tos for m in mails_to(q.catcher, t)]
    assert len(got) == len(set(got)) == len(tos)


def test_auth_failure_pauses_without_spending_attempts(q, https, db_app, db_super):
    relay = Catcher(os.path.join(q.tmp, "relay"), cert=q.catcher.cert, key=q.catcher.key,
                    auth=("mpanel", "right-password")).up()
    q.worker.stop()
    to = addr("auth")
    try:
        q.worker.start(smtp_url="smtp://127.0.0.1:%d" % relay.port, smtp_user="mpanel",
                       smtp_password="wrong-password", sender_pause=3)
        pid, = queue_mail(https, to=to, subject="Needs auth")
        helpers.wait_until(lambda: "paused" in events(db_app, pid), 15, 0.1, "the pause")
        with db_super.cursor() as cur:
            cur.execute("SELECT reason FROM job_pause WHERE channel = 'email'"
                        " AND paused_until > now()")
            assert cur.fetchone() is not None
            cur.execute("SELECT j.state, j.attempt FROM job j JOIN notification n"
                        " ON n.job_id = j.id WHERE n.public_id = %s", (pid,))
            assert cur.fetchone() == ("queued", 0)   # no attempt spent
        assert note(db_app, pid)["state"] == "queued"
        assert "ALERT email sending paused" in q.worker.log()
        assert relay.logins and relay.logins[-1] == ("mpanel", False)
        # The right password: delivered once the pause is over.
        q.worker.stop()
        q.worker.start(smtp_url="smtp://127.0.0.1:%d" % relay.port, smtp_user="mpanel",
                       smtp_password="right-password")
        wait_state(db_app, pid, "sent", 20)
        assert len(mails_to(relay, to)) == 1
        assert relay.logins[-1] == ("mpanel", True)
    finally:
        q.worker.stop()
        relay.down()
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM job_pause")
        q.worker.start()


# ---------------------------------------------------------------- staff

def test_staff_notifications_timeline_and_retry(q, https, db_app, db_super):
    import auth
    to = addr("staffretry")
    pid, = queue_mail(https, to=to, subject="Expired then retried", delay=1, deadline_in=0)
    wait_state(db_app, pid, "expired", 15)
    c = https(TENANT)
    email, pw = auth.make_user(db_super, TENANT, role="support")
    auth.signin(c, email, pw)
    page = c.get("/admin/notifications?state=expired")
    assert page.status_code == 200
    assert to in page.text and "/admin/notifications/%s" % pid in page.text
    show = c.get("/admin/notifications/%s" % pid)
    assert show.status_code == 200
    assert "Retry now" in show.text and "expired" in show.text
    # Without the CSRF token: refused, nothing changes.
    r = c.post("/admin/notifications/%s/retry" % pid, data={},
               headers=auth.form_headers(c))
    assert r.status_code == 403
    assert note(db_app, pid)["state"] == "expired"
    r = auth.post_form(c, "/admin/notifications/%s" % pid,
                       "/admin/notifications/%s/retry" % pid, {})
    assert r.status_code == 303
    wait_state(db_app, pid, "sent", 15)
    assert len(mails_to(q.catcher, to)) == 1
    assert events(db_app, pid)[-3:] == ["queued", "attempt", "sent"]
    # A sent one cannot be retried.
    r = auth.post_form(c, "/admin/notifications/%s" % pid,
                       "/admin/notifications/%s/retry" % pid, {})
    assert r.status_code == 409
    # Another tenant's staff do not see it.
    g = https("globex")
    gemail, gpw = auth.make_user(db_super, "globex", role="admin")
    auth.signin(g, gemail, gpw)
    assert g.get("/admin/notifications/%s" % pid).status_code == 404


def test_stats_api_for_staff(q, https, db_super):
    import auth
    c = https(TENANT)
    email, pw = auth.make_user(db_super, TENANT, role="support")
    auth.signin(c, email, pw)
    r = c.get("/api/admin/queue/stats")
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["tenant"] == TENANT
    assert s["jobs"]["by_kind"]["email.send"]["completed"] >= 1
    assert s["jobs"]["by_state"]["completed"] >= 1
    assert "oldest_queued_seconds" in s["jobs"]
    assert s["jobs"]["completed_last_hour"] >= 1
    assert s["notifications"]["by_state"]["sent"] >= 1
    assert s["failures_24h"] >= 1                      # the bounce and the expired ones
    cust = https(TENANT)
    email, pw = auth.make_user(db_super, TENANT, role="customer")
    auth.signin(cust, email, pw)
    assert cust.get("/api/admin/queue/stats").status_code == 403
