"""Every link the portal hands out must open: the links in each kind of mail
it sends, and the absolute URLs in its status JSON, feeds, calendar, sitemap
and robots.txt.

Each test makes the portal produce the thing for real (through nginx over
TLS, mail delivered by the stack's worker to its SMTP catcher), then walks
*every* link found in it, with nothing listed by hand:

  mail   href/src attributes of the HTML part, URLs in the text part, URLs in
         the headers (List-Unsubscribe);
  JSON   every string value that is an http(s) URL;
  XML    href/src attributes and elements whose whole text is a URL;
  text   http(s) URLs (robots.txt; the iCalendar file, unfolded).

Every link must be on the tenant's public origin as the browser sees it:
https, the tenant's host, the stack's HTTPS port (no port when it is 443).
Each link is then fetched (GET, as a mail reader's click would: GET never
changes state in this app, so single-use links still show a page) and must
end at a 200.  Redirects within the origin are followed; a redirect leaving
the portal is not followed and is a failure unless that outside URL is one
the test itself put in the mail.  mailto: links are not web links and are
skipped.

A link on the wrong origin is also fetched as written (a link that lacks
the stack's port goes to port 443 of this machine, where normally nothing
listens) and with its path on the right origin, and the failure message
says what each answered, so a report tells a missing port from a broken
page at a glance.

Alone: MP_SKIP_CHECK=1 scripts/test -k test_links
"""

import email.policy
import html.parser
import re
import time
import urllib.parse
import warnings
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest
import requests
import urllib3

import auth
import helpers

TENANT = "acme"
URL_RE = re.compile(r"""https?://[^\s<>"'`\\]+""", re.I)
NOT_WEB = ("mailto:", "tel:")
MAX_REDIRECTS = 10


# ------------------------------------------------------------ the checker

def default_port(scheme):
    return {"https": 443, "http": 80}.get(scheme)


class Links:
    """Checks links against one tenant's public origin on the test stack."""

    def __init__(self, stack, slug):
        self.base = stack["MP_BASE_DOMAIN"].lower()
        self.host = "%s.%s" % (slug, self.base)
        self.port = int(stack["MP_HTTPS_PORT"])
        self.addr = "127.0.0.1"
        self.origin = "https://%s%s" % (
            self.host, "" if self.port == 443 else ":%d" % self.port)

    # -- where a URL points

    def is_portal_host(self, host):
        """A host the stack serves (any tenant, or the bare base domain):
        a link there is meant to be ours and must be on the origin."""
        host = (host or "").lower()
        return host == self.base or host.endswith("." + self.base)

    def origin_of(self, u):
        """(scheme, host, port) of a parsed URL; port None when unparsable."""
        try:
            port = u.port
        except ValueError:
            port = None
        return (u.scheme.lower(), (u.hostname or "").lower(),
                port if port is not None else default_port(u.scheme.lower()))

    def on_origin(self, url):
        u = urllib.parse.urlsplit(url)
        return (not u.username and not u.password
                and self.origin_of(u) == ("https", self.host, self.port))

    def on_right_origin(self, url):
        """The same path and query on the right origin."""
        u = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit(
            ("https", urllib.parse.urlsplit(self.origin).netloc,
             u.path or "/", u.query, ""))

    # -- fetching

    def _get(self, session, url):
        """GET url the way a browser on this machine would reach the stack:
        a TCP connection to the stack's address on the URL's own port, Host
        from the URL.  No redirects followed here."""
        u = urllib.parse.urlsplit(url)
        scheme = u.scheme.lower()
        port = self.origin_of(u)[2]
        path = urllib.parse.urlunsplit(("", "", u.path or "/", u.query, ""))
        target = "%s://%s:%d%s" % (scheme, self.addr, port, path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return session.get(target, headers={"Host": u.netloc},
                               allow_redirects=False, verify=False,
                               timeout=20)

    def follow(self, url, foreign_ok=(), depth=0):
        """Fetch url, following redirects within the origin.  Returns
        (ok, description of what happened).  A redirect to our host on the
        wrong origin is a failure; what its path answers on the right
        origin is added to the description."""
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        hops = []
        with requests.Session() as s:
            s.headers["User-Agent"] = "mpanel-tests (link check)"
            cur = url
            for _ in range(MAX_REDIRECTS + 1):
                try:
                    r = self._get(s, cur)
                except requests.RequestException as e:
                    hops.append("%s: does not open (%s)" % (cur, short_error(e)))
                    return False, " -> ".join(hops)
                if r.status_code in (301, 302, 303, 307, 308):
                    loc = r.headers.get("Location", "")
                    nxt = urllib.parse.urljoin(cur, loc)
                    hops.append("%s: %d to %s" % (cur, r.status_code, nxt))
                    n = urllib.parse.urlsplit(nxt)
                    if self.on_origin(nxt):
                        cur = nxt
                        continue
                    if nxt in foreign_ok:
                        return True, " -> ".join(hops)
                    if self.is_portal_host(n.hostname):
                        hops.append("redirect target is on the wrong origin "
                                    "(expected %s)" % self.origin)
                        if depth < 2:
                            ok, fixed = self.follow(self.on_right_origin(nxt),
                                                    foreign_ok, depth + 1)
                            hops[-1] += "; same path on the right origin: %s%s" % (
                                fixed, " (only the origin is wrong)" if ok else "")
                    else:
                        hops.append("redirect leaves the portal")
                    return False, " -> ".join(hops)
                hops.append("%s: %d" % (cur, r.status_code))
                return r.status_code == 200, " -> ".join(hops)
            hops.append("more than %d redirects" % MAX_REDIRECTS)
            return False, " -> ".join(hops)

    def check(self, found, foreign_ok=()):
        """found: [(where, url)].  Returns the problems, one line each."""
        problems = []
        seen = set()
        for where, url in found:
            if (where, url) in seen:
                continue
            seen.add((where, url))
            if url.lower().startswith(NOT_WEB):
                continue
            u = urllib.parse.urlsplit(url)
            if u.scheme.lower() not in ("http", "https") or not u.hostname:
                problems.append("%s: %r is not an absolute web link" % (where, url))
                continue
            if not self.is_portal_host(u.hostname):
                if url not in foreign_ok:
                    problems.append("%s: %s points outside the portal "
                                    "(expected %s)" % (where, url, self.origin))
                continue
            if not self.on_origin(url):
                _, as_written = self.follow(url, foreign_ok)
                ok, fixed = self.follow(self.on_right_origin(url), foreign_ok, 1)
                problems.append(
                    "%s: %s is on the wrong origin %s://%s (expected %s).  "
                    "As written: %s.  Same path on the right origin: %s%s" % (
                        where, url, u.scheme, u.netloc, self.origin,
                        as_written, fixed,
                        " (only the origin is wrong)" if ok else ""))
                continue
            ok, what = self.follow(url, foreign_ok)
            if not ok:
                problems.append("%s: %s does not end at a 200 page: %s" % (
                    where, url, what))
        return problems

    def assert_ok(self, kind, found, foreign_ok=()):
        assert found, "%s: no links found at all" % kind
        problems = self.check(found, foreign_ok)
        assert not problems, "%s: %d of its %d links are bad:\n  - %s" % (
            kind, len(problems), len(set(found)), "\n  - ".join(problems))


def short_error(e):
    s = str(e)
    m = re.search(r"\[Errno -?\d+\] [^'\")]+", s)
    if m:
        return m.group(0)
    return type(e).__name__ + (": " + s[:160] if s else "")


@pytest.fixture
def links(stack):
    return Links(stack, TENANT)


@pytest.fixture
def links_for(stack):
    return lambda slug: Links(stack, slug)


# ------------------------------------------------------ finding the links

class _Attrs(html.parser.HTMLParser):
    WANTED = ("href", "src", "action", "background")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in self.WANTED and v is not None:
                self.found.append(("<%s %s>" % (tag, k), v.strip()))

    handle_startendtag = handle_starttag


def urls_in_text(text):
    out = []
    for m in URL_RE.finditer(text):
        # Sentence punctuation after a URL is not part of it.
        out.append(m.group(0).rstrip(".,;:!?)]}"))
    return out


def mail_links(msg):
    """[(where, url)] of every link in a caught message: header URLs, HTML
    attributes, text-part URLs."""
    found = []
    for k, v in msg.items():
        for url in urls_in_text(str(v)):
            found.append(("header %s" % k, url))
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype == "text/html":
            p = _Attrs()
            p.feed(part.get_content())
            p.close()
            found += [("HTML %s" % w, u) for w, u in p.found]
        elif ctype == "text/plain":
            found += [("text part", u) for u in urls_in_text(part.get_content())]
    return found


def json_links(obj, path="$"):
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += json_links(v, "%s.%s" % (path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += json_links(v, "%s[%d]" % (path, i))
    elif isinstance(obj, str) and re.match(r"https?://", obj, re.I):
        out.append((path, obj))
    return out


def xml_links(data):
    out = []
    root = ET.fromstring(data)
    for el in root.iter():
        tag = el.tag.split("}", 1)[-1]
        for k, v in el.attrib.items():
            if k.split("}", 1)[-1] in ("href", "src"):
                out.append(("<%s %s>" % (tag, k.split("}", 1)[-1]), v.strip()))
        text = (el.text or "").strip()
        if text and not len(el) and re.fullmatch(r"https?://\S+", text, re.I):
            out.append(("<%s>" % tag, text))
    return out


def ics_links(text):
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    out = []
    for line in unfolded.splitlines():
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        for url in urls_in_text(line):
            out.append(("%s property" % name, url))
    return out


def text_links(text):
    return [("line %r" % line.split(":", 1)[0], u)
            for line in text.splitlines() for u in urls_in_text(line)]


# ------------------------------------------------------------ mail helpers

def addr(tag):
    return "links-%s-%d@example.net" % (tag, time.time_ns() % 10**12)


def wait_mail(stack, to, subject_part, timeout=45):
    """The first caught message to `to` whose subject holds subject_part."""
    def got():
        for m in helpers.read_mail(stack["MP_MAILDIR"]):
            if to.lower() in [r.lower() for r in m["rcpt_tos"]] and \
                    subject_part in str(m["msg"].get("Subject", "")):
                return m
        return None
    return helpers.wait_until(got, timeout, 0.3,
                              "mail to %s about %r" % (to, subject_part))["msg"]


def tenant_exec(db, slug, sql, *args):
    """sql as the app role bound to tenant slug (row-level security on)."""
    with db.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT set_config('app.tenant_id', id::text, true)"
                    " FROM tenants WHERE slug = %s", (slug,))
        cur.execute(sql, args)
        rows = cur.fetchall() if cur.description else None
        cur.execute("COMMIT")
    return rows


def confirmed_subscriber(db_app, slug, email):
    tenant_exec(db_app, slug, "INSERT INTO status_subscriber (tenant_id, email,"
                " confirmed_at) VALUES (mp_tenant(), %s, now())", email)


def drop_subscriber(db_app, slug, email):
    tenant_exec(db_app, slug, "DELETE FROM status_subscriber WHERE email = %s",
                email)


def staff_client(https, db_super, slug):
    c = https(slug)
    auth.signin(c, *auth.make_user(db_super, slug, "support"))
    return c


def components(https, slug):
    comps = https(slug).get("/api/v2/components.json").json()["components"]
    return {c["name"]: c["id"] for c in comps if not c["group"]}


def path_of(url):
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(("", "", u.path, u.query, ""))


# ------------------------------------------------------------------ mail

def test_password_reset_mail(https, db_super, stack, links):
    email, _ = auth.make_user(db_super, TENANT, name="Links Reset")
    c = https(TENANT)
    r = auth.post_form(c, "/password/forgot", "/password/forgot", {"email": email})
    assert r.status_code == 200, r.text[:300]
    msg = wait_mail(stack, email, "Reset your")
    links.assert_ok("password reset mail", mail_links(msg))


def sign_in_from_new_device(https, email, pw):
    auth.signin(https(TENANT), email, pw, user_agent=auth.CHROME)
    thief = auth.bind_source(https(TENANT), "127.0.9.19")
    auth.signin(thief, email, pw, user_agent=auth.FIREFOX)


def test_new_sign_in_alert_mail(https, db_super, stack, links):
    email, pw = auth.make_user(db_super, TENANT, name="Links Alert")
    sign_in_from_new_device(https, email, pw)
    msg = wait_mail(stack, email, "New sign-in")
    links.assert_ok("new sign-in alert mail", mail_links(msg))


def test_password_reset_mail_after_this_wasnt_me(https, db_super, stack, links):
    """'This wasn't me' (POST) ends every session and mails a reset link,
    from its own code path."""
    email, pw = auth.make_user(db_super, TENANT, name="Links Notme")
    sign_in_from_new_device(https, email, pw)
    alert = wait_mail(stack, email, "New sign-in")
    notme = [u for _, u in mail_links(alert) if "/account/not-me/" in u]
    assert notme, "no 'this wasn't me' link in the alert"
    path = path_of(notme[0])
    c = https(TENANT)
    r = auth.post_form(c, path, path, {})
    assert r.status_code == 200 and "secured" in r.text, r.text[:300]
    msg = wait_mail(stack, email, "Reset your")
    links.assert_ok("password reset mail after 'this wasn't me'", mail_links(msg))


def test_status_subscription_confirmation_mail(https, db_app, stack, links):
    to = addr("confirm")
    c = https(TENANT)
    try:
        r = auth.post_form(c, "/status/subscribe", "/status/subscribe", {"email": to})
        assert r.status_code == 200, r.text[:300]
        msg = wait_mail(stack, to, "Confirm your status updates")
        links.assert_ok("status subscription confirmation mail", mail_links(msg))
    finally:
        drop_subscriber(db_app, TENANT, to)


def test_status_incident_update_mail(https, db_super, db_app, stack, links):
    """Staff open an incident; a confirmed subscriber gets the update, with
    tracked links, the open pixel and the one-click unsubscribe link."""
    to = addr("incident")
    confirmed_subscriber(db_app, TENANT, to)
    s = staff_client(https, db_super, TENANT)
    name = "Links check incident %d" % time.time_ns()
    page = s.get("/staff/status")
    r = s.post("/staff/status/incidents", data={
        "csrf_token": auth.csrf_from(page.text), "name": name,
        "body": "Checking every link of this mail.", "impact": "minor",
        "component_status": "degraded_performance",
        "components": components(https, TENANT)["Backups"]},
        headers=auth.form_headers(s))
    assert r.status_code == 303, r.text[:300]
    iid = r.headers["Location"].split("#i-")[1]
    try:
        msg = wait_mail(stack, to, name)
        links.assert_ok("status incident update mail", mail_links(msg))
    finally:
        drop_subscriber(db_app, TENANT, to)
        page = s.get("/staff/status")
        r = s.post("/staff/status/incidents/%s/updates" % iid, data={
            "csrf_token": auth.csrf_from(page.text), "status": "resolved",
            "body": "Done.", "component_status": ""},
            headers=auth.form_headers(s))
        assert r.status_code == 303, r.text[:300]


def test_status_maintenance_notice_mail(https, db_super, db_app, stack, links_for):
    """Staff schedule maintenance; subscribers get the 'scheduled' notice
    (the maintenance form of the update mail).  On globex, removed after,
    so acme's upcoming list stays as its own tests expect."""
    slug = "globex"
    to = addr("maint")
    confirmed_subscriber(db_app, slug, to)
    s = staff_client(https, db_super, slug)
    name = "Links check window %d" % time.time_ns()
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%dT%H:%MZ"
    page = s.get("/staff/status")
    r = s.post("/staff/status/maintenance", data={
        "csrf_token": auth.csrf_from(page.text), "name": name,
        "body": "Planned, checking links.",
        "scheduled_for": (now + timedelta(days=5)).strftime(fmt),
        "scheduled_until": (now + timedelta(days=5, hours=1)).strftime(fmt),
        "components": components(https, slug)["Backups"]},
        headers=auth.form_headers(s))
    assert r.status_code == 303, r.text[:300]
    mid = r.headers["Location"].split("#i-")[1]
    try:
        msg = wait_mail(stack, to, name)
        links_for(slug).assert_ok("status maintenance notice mail", mail_links(msg))
    finally:
        drop_subscriber(db_app, slug, to)
        tenant_exec(db_app, slug, "DELETE FROM status_incident WHERE public_id = %s", mid)


def test_status_maintenance_mail_sent_by_the_worker(https, db_app, stack, links_for):
    """Maintenance moves by itself; the worker's status.tick (every 30 s)
    records the move and mails subscribers, outside any web request."""
    slug = "globex"
    to = addr("tick")
    confirmed_subscriber(db_app, slug, to)
    comp = components(https, slug)["Backups"]
    name = "Links check tick %d" % time.time_ns()
    rows = tenant_exec(
        db_app, slug,
        "WITH i AS (INSERT INTO status_incident (tenant_id, kind, name, status,"
        " impact, started_at, scheduled_for, scheduled_until) VALUES (mp_tenant(),"
        " 'maintenance', %s, 'scheduled', 'none', now() + interval '2 seconds',"
        " now() + interval '2 seconds', now() + interval '4 seconds')"
        " RETURNING id, public_id), ic AS (INSERT INTO status_incident_component"
        " (tenant_id, incident_id, component_id) SELECT mp_tenant(), i.id, c.id"
        " FROM i, status_component c WHERE c.public_id = %s)"
        " SELECT public_id FROM i", name, comp)
    mid = rows[0][0]
    try:
        msg = wait_mail(stack, to, name, timeout=75)
        links_for(slug).assert_ok("status maintenance mail sent by the worker",
                                  mail_links(msg))
    finally:
        drop_subscriber(db_app, slug, to)
        tenant_exec(db_app, slug, "DELETE FROM status_incident WHERE public_id = %s", mid)
        tenant_exec(db_app, slug, "UPDATE status_component SET status = 'operational'"
                    " WHERE public_id = %s AND status = 'under_maintenance'", comp)


def queue_test_mail(https, **fields):
    r = https(TENANT).post("/_test/queue/mail", json=fields)
    assert r.status_code == 200, r.text[:300]


def test_queue_test_mail_transactional(https, stack, links):
    to = addr("tx")
    queue_test_mail(https, to=to, subject="Links check tx", category="transactional")
    msg = wait_mail(stack, to, "Links check tx")
    links.assert_ok("test mail (transactional, queue/test template)", mail_links(msg))


def test_queue_test_mail_marketing_tracked(https, stack, links):
    """Non-transactional: every link goes through the click tracker, plus
    the open pixel, the visible unsubscribe link and List-Unsubscribe."""
    to = addr("mkt")
    queue_test_mail(https, to=to, subject="Links check marketing", category="marketing")
    msg = wait_mail(stack, to, "Links check marketing")
    found = mail_links(msg)
    assert any("/t/c/" in u for _, u in found), found
    links.assert_ok("test mail (marketing: tracked links, pixel, unsubscribe)", found)


def test_queue_mail_with_outside_link(https, stack, links):
    """A tracked link to another site: the tracker is on our origin and
    redirects to exactly the URL the mail was written with."""
    to = addr("out")
    outside = "https://example.org/offer?a=1&b=2"
    queue_test_mail(https, to=to, subject="Links check outside", category="marketing",
                    html='<html><body><p>See <a href="https://example.org/offer?a=1&amp;b=2">'
                         'our offer</a>.</p></body></html>')
    msg = wait_mail(stack, to, "Links check outside")
    found = mail_links(msg)
    assert any("/t/c/" in u for _, u in found), found
    links.assert_ok("test mail with an outside link (raw HTML, marketing)", found,
                    foreign_ok={outside})


# ------------------------------------------------------- JSON, feeds, ...

V2 = ("/api/v2/status.json", "/api/v2/summary.json", "/api/v2/components.json",
      "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json",
      "/api/v2/scheduled-maintenances.json",
      "/api/v2/scheduled-maintenances/upcoming.json",
      "/api/v2/scheduled-maintenances/active.json", "/api/marketing/status")


def fetch_ok(https, path):
    r = https(TENANT).get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return r


@pytest.mark.parametrize("path", V2)
def test_urls_in_status_json(https, links, path):
    body = fetch_ok(https, path).json()
    found = json_links(body)
    if "page" in body:
        assert "$.page.url" in [w for w, _ in found], "%s has no page.url" % path
    if path in ("/api/v2/status.json", "/api/v2/summary.json",
                "/api/v2/incidents.json", "/api/marketing/status"):
        assert found, "no URL in %s" % path
    if not found:
        pytest.skip("%s holds no URL right now" % path)
    links.assert_ok("GET " + path, found)


@pytest.mark.parametrize("path", ("/status/history.atom", "/status/history.rss",
                                  "/help/feed.atom", "/sitemap.xml"))
def test_urls_in_feeds_and_sitemap(https, links, path):
    links.assert_ok("GET " + path, xml_links(fetch_ok(https, path).content))


def test_urls_in_maintenance_calendar(https, links):
    links.assert_ok("GET /status/maintenance.ics",
                    ics_links(fetch_ok(https, "/status/maintenance.ics").text))


def test_urls_in_robots_txt(https, links):
    links.assert_ok("GET /robots.txt", text_links(fetch_ok(https, "/robots.txt").text))


# ------------------------------------------------- the checker, offline

def test_checker_finds_every_kind_of_link(stack):
    """The extraction and the origin rule themselves, on a made-up mail."""
    lk = Links(stack, TENANT)
    good = lk.origin + "/status"
    raw = ("To: x@example.net\r\nSubject: t\r\n"
           "List-Unsubscribe: <%s/u/abc>, <mailto:unsubscribe@example.net>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
           "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Open %s/password/reset/x.\r\nOr (https://%s/status/incidents/y).\r\n"
           "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           '<p><a href="%s/a?x=1&amp;y=2">a</a> <a href="mailto:s@x">m</a>'
           '<a href="/relative">r</a><img src="%s/t/o/z"></p>\r\n--b--\r\n') % (
        lk.origin, lk.origin, lk.host, lk.origin, lk.origin)
    msg = email.message_from_bytes(raw.encode(), policy=email.policy.default)
    found = mail_links(msg)
    urls = [u for _, u in found]
    assert lk.origin + "/u/abc" in urls
    assert lk.origin + "/password/reset/x" in urls          # no trailing dot
    assert "https://%s/status/incidents/y" % lk.host in urls  # no trailing ")"
    assert lk.origin + "/a?x=1&y=2" in urls                  # entity decoded
    assert "/relative" in urls and lk.origin + "/t/o/z" in urls
    assert lk.on_origin(good)
    assert not lk.on_origin("https://%s/status" % lk.host) or lk.port == 443
    assert not lk.on_origin("http://%s/status" % urllib.parse.urlsplit(lk.origin).netloc)
    assert not lk.on_origin("https://globex.%s%s/status" % (
        lk.base, "" if lk.port == 443 else ":%d" % lk.port))
    assert lk.on_right_origin("https://%s/p?q=1#f" % lk.host) == lk.origin + "/p?q=1"
    assert json_links({"a": [{"url": good}], "b": "text", "c": None}) == [("$.a[0].url", good)]
    assert ics_links("URL:%s/stat\r\n us/x\r\n" % lk.origin) == [
        ("URL property", lk.origin + "/status/x")]
    # Judged without touching the network: not absolute, or elsewhere.
    assert len(lk.check([("t", "/relative"), ("t", "javascript:x()"),
                         ("t", "https://example.org/")])) == 3
    assert lk.check([("t", "mailto:s@x"), ("t", "https://example.org/")],
                    foreign_ok={"https://example.org/"}) == []
