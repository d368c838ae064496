"""The public status page: the page and its bars, Statuspage v2 JSON, feeds,
maintenance moving by itself, staff incidents and updates, double opt-in
subscriptions and their mail, serving the last good copy while PostgreSQL is
stopped, tenant isolation and escaping."""

import html
import re
import time
from datetime import datetime, timedelta, timezone

import pytest

import auth
import helpers

ID_RE = re.compile(r"^[a-z0-9]{12}$")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
COMPONENT_STATES = {"operational", "degraded_performance", "partial_outage",
                    "major_outage", "under_maintenance"}
INCIDENT_STATES = {"investigating", "identified", "monitoring", "resolved",
                   "postmortem"}
MAINT_STATES = {"scheduled", "in_progress", "verifying", "completed"}
IMPACTS = {"none", "minor", "major", "critical"}
INDICATORS = {"none", "minor", "major", "critical"}


def iso(v):
    assert isinstance(v, str) and ISO_RE.match(v), v
    return datetime.fromisoformat(v)


def check_page(p):
    assert set(p) == {"id", "name", "url", "time_zone", "updated_at"}
    assert ID_RE.match(p["id"])
    assert p["url"].startswith("https://")
    iso(p["updated_at"])


def check_component(c, page_id):
    keys = {"id", "name", "status", "created_at", "updated_at", "position",
            "description", "showcase", "start_date", "group_id", "page_id",
            "group", "only_show_if_degraded"}
    if c["group"]:
        keys.add("components")
        assert all(ID_RE.match(x) for x in c["components"])
    assert set(c) == keys, set(c) ^ keys
    assert ID_RE.match(c["id"])
    assert c["status"] in COMPONENT_STATES
    iso(c["created_at"])
    iso(c["updated_at"])
    assert isinstance(c["position"], int)
    assert c["description"] is None or isinstance(c["description"], str)
    assert isinstance(c["showcase"], bool)
    assert isinstance(c["only_show_if_degraded"], bool)
    assert c["start_date"] is None or re.match(r"^\d{4}-\d{2}-\d{2}$", c["start_date"])
    assert c["group_id"] is None or ID_RE.match(c["group_id"])
    assert c["page_id"] == page_id


def check_incident(i, page_id, maintenance=False):
    keys = {"id", "name", "status", "created_at", "updated_at", "monitoring_at",
            "resolved_at", "impact", "shortlink", "started_at", "page_id",
            "incident_updates", "components", "postmortem_body",
            "postmortem_body_last_updated_at"}
    if maintenance:
        keys |= {"scheduled_for", "scheduled_until"}
        assert i["status"] in MAINT_STATES
        assert iso(i["scheduled_until"]) > iso(i["scheduled_for"])
    else:
        assert i["status"] in INCIDENT_STATES
    assert set(i) == keys, set(i) ^ keys
    assert ID_RE.match(i["id"])
    assert i["impact"] in IMPACTS
    assert i["shortlink"].endswith("/status/incidents/" + i["id"])
    for k in ("created_at", "updated_at", "started_at"):
        iso(i[k])
    for k in ("monitoring_at", "resolved_at", "postmortem_body_last_updated_at"):
        assert i[k] is None or iso(i[k])
    assert i["page_id"] == page_id
    for u in i["incident_updates"]:
        assert set(u) == {"id", "status", "body", "incident_id", "created_at",
                          "updated_at", "display_at", "affected_components"}
        assert ID_RE.match(u["id"]) and u["incident_id"] == i["id"]
        assert u["status"] in (MAINT_STATES if maintenance else INCIDENT_STATES)
        for k in ("created_at", "updated_at", "display_at"):
            iso(u[k])
        if u["affected_components"] is not None:
            for a in u["affected_components"]:
                assert set(a) == {"code", "name", "old_status", "new_status"}
                assert a["old_status"] in COMPONENT_STATES
                assert a["new_status"] in COMPONENT_STATES
    for c in i["components"]:
        check_component(c, page_id)


def tenant_exec(db, slug, sql, *args):
    """Run sql as the app role bound to tenant slug (RLS applies)."""
    with db.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT set_config('app.tenant_id', id::text, true)"
                    " FROM tenants WHERE slug = %s", (slug,))
        cur.execute(sql, args)
        rows = cur.fetchall() if cur.description else None
        cur.execute("COMMIT")
    return rows


def staff(https, db_super, tenant="acme", role="support"):
    """A client signed in as a fresh staff user of tenant."""
    c = https(tenant)
    email, pw = auth.make_user(db_super, tenant, role)
    auth.signin(c, email, pw)
    return c


def comp_ids(https, tenant="acme"):
    s = https(tenant).get("/api/v2/components.json").json()
    return {c["name"]: c["id"] for c in s["components"]}


# ------------------------------------------------------------ the page

def test_page_shows_groups_components_and_90_bars(https):
    r = https("acme").get("/status")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    t = r.text
    assert "All Systems Operational" in t
    for g in ("Web hosting", "Email and DNS", "Control panel and backups"):
        assert g in t
    svgs = re.findall(r'<svg class="bars".*?</svg>', t, re.S)
    assert len(svgs) == 9
    for s in svgs:
        days = re.findall(r'<rect class="d-[a-z]+" x="(\d+)"', s)
        assert [int(x) for x in days] == list(range(0, 450, 5))
        assert "style=" not in s
    # The seeded outages show as filled bars with their minutes and names.
    assert 'class="f-major"' in t and 'class="f-partial"' in t
    assert re.search(r"<title>[A-Z][a-z]{2} +\d+, \d{4}: 47 minutes down\. "
                     r"Web node web-03 unreachable</title>", t)
    assert re.search(r"<title>[A-Z][a-z]{2} +\d+, \d{4}: no downtime</title>", t)
    # 90-day uptime, and the upcoming maintenance.
    assert re.search(r"\d{2,3}\.\d{2} % uptime", t)
    assert "Mail server software upgrade" in t
    assert "style=" not in t.split("<main", 1)[1]


def test_uptime_figure_matches_formula(https, db_app):
    # web-03: 47 min major + 30 min degraded 34 days ago; degraded is free.
    t = https("acme").get("/status").text
    block = t.split("Web node web-03", 1)[1].split("</li>", 1)[0]
    got = re.search(r"(\d+\.\d{2}) % uptime", block).group(1)
    rows = tenant_exec(db_app, "acme",
                       "SELECT sum(d.major_s), sum(d.partial_s), sum(d.maint_s),"
                       " sum(d.observed_s) FROM status_days((now() AT TIME ZONE"
                       " 'Etc/UTC')::date - 89, (now() AT TIME ZONE 'Etc/UTC')::date,"
                       " 'Etc/UTC') d JOIN status_component c ON c.id = d.component_id"
                       " WHERE c.name = 'Web node web-03'")
    major, partial, maint, observed = (float(x) for x in rows[0])
    assert major == 47 * 60
    want = 100 * (1 - (major + 0.3 * partial) / (observed - maint))
    assert got == "%.2f" % (int(want * 100) / 100)


def day_title(d):
    """A bar's day as its <title> names it: strftime's "%b %e, %Y"."""
    return "%s %2d, %d" % (d.strftime("%b"), d.day, d.year)


def test_bars_follow_the_rollups(https, db_app):
    # The bars come from status_bars, rebuilt by every statement that
    # changes status_daily: a rollup written, changed and deleted shows on
    # the page each time.
    cid, name = tenant_exec(db_app, "globex",
                            "SELECT id, name FROM status_component WHERE NOT is_group"
                            " ORDER BY id LIMIT 1")[0]
    day = (datetime.now(timezone.utc) - timedelta(days=5)).date()
    old = tenant_exec(db_app, "globex",
                      "SELECT major_s, partial_s, degraded_s, maint_s, observed_s"
                      " FROM status_daily WHERE component_id = %s AND day = %s",
                      cid, day)
    c = https("globex")

    def title():
        t = c.get("/status").text
        block = t.split('<span class="component-name">%s</span>' % html.escape(name),
                        1)[1].split("</li>", 1)[0]
        m = re.search(r"<title>%s: ([^<]*)</title>" % re.escape(day_title(day)), block)
        return m.group(1) if m else None

    upsert = ("INSERT INTO status_daily (tenant_id, component_id, day, major_s,"
              " partial_s, degraded_s, maint_s, observed_s)"
              " VALUES (mp_tenant(), %s, %s, %s, 0, 0, 0, 86400)"
              " ON CONFLICT (tenant_id, component_id, day) DO UPDATE"
              " SET major_s = EXCLUDED.major_s, partial_s = 0, degraded_s = 0,"
              " maint_s = 0, observed_s = 86400")
    try:
        tenant_exec(db_app, "globex", upsert, cid, day, 600)
        helpers.wait_until(lambda: title() == "10 minutes down", timeout=10,
                           what="the written rollup on the page")
        tenant_exec(db_app, "globex", upsert, cid, day, 60)
        helpers.wait_until(lambda: title() == "1 minute down", timeout=10,
                           what="the changed rollup on the page")
        tenant_exec(db_app, "globex", "DELETE FROM status_daily"
                    " WHERE component_id = %s AND day = %s", cid, day)
        helpers.wait_until(lambda: title() == "no data", timeout=10,
                           what="the deleted rollup gone from the page")
        bars = tenant_exec(db_app, "globex", "SELECT days, day - since"
                           " FROM status_bars, (SELECT %s::date AS day) d"
                           " WHERE component_id = %s", day, cid)
        assert bars and str(bars[0][1]) not in re.split(r"[;,]", bars[0][0])
    finally:
        if old:
            tenant_exec(db_app, "globex", "INSERT INTO status_daily (tenant_id,"
                        " component_id, day, major_s, partial_s, degraded_s,"
                        " maint_s, observed_s) VALUES (mp_tenant(), %s, %s, %s, %s,"
                        " %s, %s, %s) ON CONFLICT (tenant_id, component_id, day)"
                        " DO UPDATE SET major_s = EXCLUDED.major_s,"
                        " partial_s = EXCLUDED.partial_s,"
                        " degraded_s = EXCLUDED.degraded_s,"
                        " maint_s = EXCLUDED.maint_s,"
                        " observed_s = EXCLUDED.observed_s", cid, day, *old[0])


@pytest.mark.parametrize("tz", ["Asia/Kolkata", "America/St_Johns"])
def test_times_in_the_page_time_zone(https, db_app, tz):
    # The overview formats its times in C from the instant and the page's
    # clock: the same text status_iso() gives, whatever the zone.
    tenant_exec(db_app, "globex", "INSERT INTO status_page (tenant_id, time_zone)"
                " VALUES (mp_tenant(), %s) ON CONFLICT (tenant_id) DO UPDATE"
                " SET time_zone = EXCLUDED.time_zone", tz)
    try:
        c = https("globex")
        s = helpers.wait_until(
            lambda: (lambda j: j if j["page"]["time_zone"] == tz else None)(
                c.get("/api/v2/summary.json").json()),
            timeout=10, what="the summary in %s" % tz)
        offset = tenant_exec(db_app, "globex",
                             "SELECT right(status_iso(now(), %s), 6)", tz)[0][0]
        assert offset in ("+05:30", "-03:30", "-02:30")
        assert s["page"]["updated_at"].endswith(offset)
        want = dict((r[0], r[1:]) for r in tenant_exec(
            db_app, "globex", "SELECT public_id, status_iso(created_at, %s),"
            " status_iso(updated_at, %s) FROM status_component", tz, tz))
        for comp in s["components"]:
            assert (comp["created_at"], comp["updated_at"]) == want[comp["id"]]
        incs = s["incidents"] + s["scheduled_maintenances"]
        assert incs, "globex has neither incidents nor maintenance to check"
        want = dict((r[0], r[1:]) for r in tenant_exec(
            db_app, "globex", "SELECT public_id, status_iso(started_at, %s),"
            " status_iso(created_at, %s), status_iso(scheduled_for, %s),"
            " status_iso(scheduled_until, %s) FROM status_incident", tz, tz, tz, tz))
        for i in incs:
            got = (i["started_at"], i["created_at"], i.get("scheduled_for"),
                   i.get("scheduled_until"))
            w = want[i["id"]]
            assert got == (w[0], w[1], w[2] if "scheduled_for" in i else None,
                           w[3] if "scheduled_until" in i else None)
            for u in i["incident_updates"]:
                d = tenant_exec(db_app, "globex", "SELECT status_iso(display_at, %s)"
                                " FROM status_update WHERE public_id = %s", tz, u["id"])
                assert u["display_at"] == d[0][0]
        # The page (its kept copy lives up to 5 s): its clock, and a
        # maintenance window in words.
        t = helpers.wait_until(
            lambda: (lambda x: x if "(%s)" % tz in x else None)(c.get("/status").text),
            timeout=10, what="the page in %s" % tz)
        assert re.search(r'id="status-updated" datetime="[^"]+%s"' % re.escape(offset), t)
        for m in s["scheduled_maintenances"]:
            words = tenant_exec(db_app, "globex", "SELECT to_char(scheduled_for"
                                " AT TIME ZONE %s, 'Mon FMDD, HH24:MI') FROM"
                                " status_incident WHERE public_id = %s", tz, m["id"])
            assert '<time datetime="%s">%s</time>' % (m["scheduled_for"],
                                                       words[0][0]) in t
    finally:
        tenant_exec(db_app, "globex", "UPDATE status_page SET time_zone = 'Etc/UTC'")


def test_incident_page_and_history(https):
    c = https("acme")
    inc = c.get("/api/v2/incidents.json").json()["incidents"]
    pm = [i for i in inc if i["status"] == "postmortem"
          and i["name"] == "Web node web-03 unreachable"][0]
    r = c.get("/status/incidents/" + pm["id"])
    assert r.status_code == 200
    assert "Postmortem" in r.text and "top-of-rack switch" in r.text
    assert r.text.count("<li><strong>") == 4
    assert c.get("/status/incidents/zzzzzzzzzzzz").status_code == 404
    # Walk the history pages (20 incidents each) to the seeded maintenance.
    path, seen = "/status/history", 0
    while True:
        h = c.get(path)
        assert h.status_code == 200
        seen += h.text.count('<li><a href="/status/incidents/')
        if "Backup storage migration" in h.text:
            break
        m = re.search(r'rel="next" href="([^"]+)"', h.text)
        assert m, "the seeded maintenance is on no history page"
        path = html.unescape(m.group(1))
    assert seen >= 5
    assert c.get("/status/history?page=0").status_code == 400
    assert c.get("/status/history?page=10000").status_code == 404
    assert c.get("/status/history?page=10001").status_code == 400


# ------------------------------------------------------------ JSON

def test_summary_json_shape(https):
    r = https("acme").get("/api/v2/summary.json")
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Content-Type"] == "application/json"
    s = r.json()
    assert set(s) == {"page", "status", "components", "incidents",
                      "scheduled_maintenances"}
    check_page(s["page"])
    pid = s["page"]["id"]
    assert set(s["status"]) == {"indicator", "description"}
    assert s["status"]["indicator"] in INDICATORS
    assert len(s["components"]) == 12
    assert sum(1 for c in s["components"] if c["group"]) == 3
    for c in s["components"]:
        check_component(c, pid)
    byid = {c["id"]: c for c in s["components"]}
    for g in (c for c in s["components"] if c["group"]):
        assert len(g["components"]) == 3
        assert all(byid[x]["group_id"] == g["id"] for x in g["components"])
    for i in s["incidents"]:
        check_incident(i, pid)
    assert any(m["name"] == "Mail server software upgrade"
               for m in s["scheduled_maintenances"])
    for m in s["scheduled_maintenances"]:
        check_incident(m, pid, maintenance=True)


def test_every_v2_endpoint(https):
    c = https("acme")
    st = c.get("/api/v2/status.json").json()
    check_page(st["page"])
    assert st["status"] == {"indicator": "none",
                            "description": "All Systems Operational"}
    pid = st["page"]["id"]
    inc = c.get("/api/v2/incidents.json")
    assert inc.headers["Access-Control-Allow-Origin"] == "*"
    incs = inc.json()["incidents"]
    assert 4 <= len(incs) <= 50
    for i in incs:
        check_incident(i, pid)
    assert len({i["id"] for i in incs}) == len(incs)
    for path, key, maint in (
            ("/api/v2/incidents/unresolved.json", "incidents", False),
            ("/api/v2/scheduled-maintenances.json", "scheduled_maintenances", True),
            ("/api/v2/scheduled-maintenances/upcoming.json", "scheduled_maintenances", True),
            ("/api/v2/scheduled-maintenances/active.json", "scheduled_maintenances", True)):
        r = c.get(path)
        assert r.status_code == 200, path
        body = r.json()
        check_page(body["page"])
        for i in body[key]:
            check_incident(i, pid, maintenance=maint)
    up = c.get("/api/v2/scheduled-maintenances/upcoming.json").json()
    assert [m["status"] for m in up["scheduled_maintenances"]] == ["scheduled"]
    allm = c.get("/api/v2/scheduled-maintenances.json").json()
    assert {m["status"] for m in allm["scheduled_maintenances"]} >= {"scheduled", "completed"}
    comps = c.get("/api/v2/components.json").json()["components"]
    assert len(comps) == 12


def test_marketing_status(https):
    r = https("acme").get("/api/marketing/status")
    assert r.status_code == 200
    s = r.json()
    assert set(s) == {"status", "uptime", "services", "lastIncident", "timestamp"}
    assert s["status"] == "operational"
    assert 99 < s["uptime"] <= 100
    assert s["services"]["dns"] == "operational"
    assert s["services"]["database"] == "operational"
    newest = https("acme").get("/api/v2/incidents.json").json()["incidents"][0]
    assert s["lastIncident"]["id"] == newest["id"]
    assert s["lastIncident"]["name"] == newest["name"]
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", s["timestamp"])


def test_feeds_calendar_and_badge(https):
    c = https("acme")
    a = c.get("/status/history.atom")
    assert a.headers["Content-Type"].startswith("application/atom+xml")
    assert a.text.startswith("<?xml") and "Web node web-03 unreachable" in a.text
    import xml.dom.minidom
    xml.dom.minidom.parseString(a.content)
    rss = c.get("/status/history.rss")
    xml.dom.minidom.parseString(rss.content)
    assert "<item>" in rss.text
    ics = c.get("/status/maintenance.ics")
    assert ics.headers["Content-Type"].startswith("text/calendar")
    assert ics.text.startswith("BEGIN:VCALENDAR\r\n")
    assert ics.text.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Mail server software upgrade\r\n" in ics.text
    assert all(len(line.encode()) <= 75 for line in ics.text.split("\r\n"))
    b = c.get("/status/badge.svg")
    assert b.headers["Content-Type"] == "image/svg+xml"
    assert "All Systems Operational" in b.text and "style" not in b.text
    xml.dom.minidom.parseString(b.content)


# ------------------------------------------------------------ maintenance

def test_maintenance_moves_by_itself(https, db_app, mailbox):
    """Derived from its window at read time: no worker needed.  The
    worker then records the move and mails the subscribers."""
    c = https("globex")
    ids = comp_ids(https, "globex")
    dns = ids["DNS"]
    watcher = "watch-%d@example.net" % (time.time() * 1000)
    tenant_exec(db_app, "globex", "INSERT INTO status_subscriber (tenant_id, email,"
                " confirmed_at) VALUES (mp_tenant(), %s, now())", watcher)
    rows = tenant_exec(
        db_app, "globex",
        "WITH i AS (INSERT INTO status_incident (tenant_id, kind, name, status,"
        " impact, started_at, scheduled_for, scheduled_until) VALUES (mp_tenant(),"
        " 'maintenance', 'Quick DNS window', 'scheduled', 'none', now() + interval"
        " '3 seconds', now() + interval '3 seconds', now() + interval '6 seconds')"
        " RETURNING id, public_id), ic AS (INSERT INTO status_incident_component"
        " (tenant_id, incident_id, component_id) SELECT mp_tenant(), i.id, c.id"
        " FROM i, status_component c WHERE c.public_id = %s)"
        " SELECT public_id FROM i", dns)
    mid = rows[0][0]

    def find(path):
        body = c.get(path).json()["scheduled_maintenances"]
        return [m for m in body if m["id"] == mid]

    def dns_status():
        for comp in c.get("/api/v2/summary.json").json()["components"]:
            if comp["id"] == dns:
                return comp["status"]

    try:
        assert find("/api/v2/scheduled-maintenances/upcoming.json")[0]["status"] == "scheduled"
        assert dns_status() == "operational"
        helpers.wait_until(lambda: find("/api/v2/scheduled-maintenances/active.json"),
                           timeout=10, what="maintenance in progress")
        assert find("/api/v2/scheduled-maintenances/active.json")[0]["status"] == "in_progress"
        # summary.json and /status are kept up to 5 s by each responder
        # (changes made through the portal show at once; this one is SQL).
        helpers.wait_until(lambda: dns_status() == "under_maintenance", timeout=15,
                           what="DNS under maintenance")
        helpers.wait_until(lambda: "Quick DNS window" in c.get("/status").text,
                           timeout=10, what="maintenance on the page")
        helpers.wait_until(
            lambda: (find("/api/v2/scheduled-maintenances.json") or [{}])[0].get("status")
            == "completed", timeout=10, what="maintenance completed")
        done = find("/api/v2/scheduled-maintenances.json")[0]
        assert done["resolved_at"] is not None
        assert not find("/api/v2/scheduled-maintenances/active.json")
        helpers.wait_until(lambda: dns_status() == "operational", timeout=15,
                           what="DNS operational again")
        # The worker's status.tick (every 30 s) records the move too.
        helpers.wait_until(lambda: tenant_exec(
            db_app, "globex", "SELECT i.status, u.body FROM status_incident i"
            " JOIN status_update u ON u.incident_id = i.id WHERE i.public_id = %s"
            " AND u.status = 'completed'", mid), timeout=45, interval=1,
            what="the worker completing the maintenance")
        mail = mailbox.wait(to=watcher, timeout=30)[0]
        assert "Quick DNS window" in str(mail["msg"]["Subject"])
        raw = mail["raw"].decode("utf-8", "replace")
        assert "/u/" in raw and "/status/unsubscribe/" not in raw
    finally:
        tenant_exec(db_app, "globex", "DELETE FROM status_incident WHERE public_id = %s", mid)
        tenant_exec(db_app, "globex", "UPDATE status_component SET status = 'operational'"
                    " WHERE public_id = %s AND status = 'under_maintenance'", dns)


# ------------------------------------------------------------ staff

def open_incident(c, name, body, components, component_status="major_outage",
                  impact="major"):
    page = c.get("/staff/status")
    assert page.status_code == 200, page.text[:300]
    r = c.post("/staff/status/incidents", data={
        "csrf_token": auth.csrf_from(page.text), "name": name, "body": body,
        "impact": impact, "component_status": component_status,
        "components": components}, headers=auth.form_headers(c))
    assert r.status_code == 303, r.text[:400]
    return r.headers["Location"].split("#i-")[1]


def post_update(c, iid, status, body, component_status=""):
    page = c.get("/staff/status")
    r = c.post("/staff/status/incidents/%s/updates" % iid, data={
        "csrf_token": auth.csrf_from(page.text), "status": status,
        "body": body, "component_status": component_status},
        headers=auth.form_headers(c))
    assert r.status_code == 303, r.text[:400]


def test_staff_only(https):
    anon = https("acme")
    r = anon.get("/staff/status")
    assert r.status_code in (303, 401, 403)
    r = anon.post("/api/status/incidents", json={"name": "x", "body": "y"})
    assert r.status_code in (401, 403)


def test_customer_cannot_open_incident(https, db_super):
    c = https("acme")
    email, pw = auth.make_user(db_super, "acme", "customer")
    auth.signin(c, email, pw)
    assert c.get("/staff/status").status_code == 403


def test_incident_update_changes_component_and_feed(https, db_super, db_app):
    c = staff(https, db_super)
    ids = comp_ids(https)
    name = "Backups failing %d" % time.time()
    iid = open_incident(c, name, "Nightly backups did not run.", ids["Backups"])
    pub = https("acme")
    s = pub.get("/api/v2/summary.json").json()
    comp = [x for x in s["components"] if x["id"] == ids["Backups"]][0]
    assert comp["status"] == "major_outage"
    assert s["status"]["indicator"] == "major"
    inc = [i for i in s["incidents"] if i["id"] == iid][0]
    check_incident(inc, s["page"]["id"])
    assert inc["incident_updates"][0]["affected_components"] == [{
        "code": ids["Backups"], "name": "Backups",
        "old_status": "operational", "new_status": "major_outage"}]
    assert name in pub.get("/status/history.atom").text
    assert name in pub.get("/status").text
    # The interval log recorded the change.
    rows = tenant_exec(db_app, "acme",
                       "SELECT i.status FROM status_interval i JOIN status_component c"
                       " ON c.id = i.component_id WHERE c.public_id = %s"
                       " AND i.ended_at IS NULL", ids["Backups"])
    assert rows == [("major_outage",)]

    post_update(c, iid, "monitoring", "A fix is running.", "degraded_performance")
    s = pub.get("/api/v2/summary.json").json()
    assert [x for x in s["components"] if x["id"] == ids["Backups"]][0]["status"] \
        == "degraded_performance"
    inc = [i for i in s["incidents"] if i["id"] == iid][0]
    assert inc["status"] == "monitoring" and inc["monitoring_at"]

    post_update(c, iid, "resolved", "Backups ran again.")
    s = pub.get("/api/v2/summary.json").json()
    assert [x for x in s["components"] if x["id"] == ids["Backups"]][0]["status"] \
        == "operational"
    assert iid not in [i["id"] for i in s["incidents"]]
    one = [i for i in pub.get("/api/v2/incidents.json").json()["incidents"]
           if i["id"] == iid][0]
    assert one["status"] == "resolved" and one["resolved_at"]
    assert [u["status"] for u in one["incident_updates"]] == \
        ["resolved", "monitoring", "investigating"]
    assert "Backups ran again." in pub.get("/status/history.rss").text


def test_incident_input_limits(https, db_super):
    c = staff(https, db_super)
    page = c.get("/staff/status")
    tok = auth.csrf_from(page.text)

    def post(**data):
        data["csrf_token"] = tok
        return c.post("/staff/status/incidents", data=data,
                      headers=auth.form_headers(c))
    assert post(name="x" * 201, body="b").status_code == 400
    assert post(name="ok", body="b" * 10001).status_code == 400
    assert post(name="ok", body="b", impact="huge").status_code == 400
    assert post(name="ok", body="b", components="nosuchcompo").status_code == 400
    assert post(name="", body="b").status_code == 400


def test_escaping_of_incident_text(https, db_super):
    c = staff(https, db_super)
    evil = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    iid = open_incident(c, "Evil " + evil, "Body " + evil,
                        comp_ids(https)["Customer API"], "partial_outage", "minor")
    try:
        pub = https("acme")
        for path in ("/status", "/status/incidents/" + iid, "/status/history",
                     "/status/history.atom", "/status/history.rss"):
            t = pub.get(path).text
            assert "<script>alert" not in t, path
            assert "<img src=x" not in t, path
        # Today's bar of the component names the incident, escaped (the
        # server draws the bars).
        bars = pub.get("/status").text.split(
            'aria-label="Uptime of Customer API over', 1)[1].split("</svg>", 1)[0]
        assert "Evil " + html.escape(evil, quote=True) + "</title>" in bars
        page = pub.get("/status/incidents/" + iid).text
        assert "Evil " + html.escape(evil, quote=True).replace("&#x27;", "'") in page
        assert "Body " + html.escape(evil, quote=True).replace("&#x27;", "'") in page
        ics = pub.get("/status/maintenance.ics").text
        assert "<script>" not in ics or "Evil" not in ics
    finally:
        post_update(c, iid, "resolved", "done", "operational")


def test_maintenance_schedule_validation(https, db_super):
    c = staff(https, db_super, "globex", "admin")
    page = c.get("/staff/status")
    tok = auth.csrf_from(page.text)
    now = datetime.now(timezone.utc)

    def post(f, u):
        return c.post("/staff/status/maintenance", data={
            "csrf_token": tok, "name": "Window", "body": "Planned.",
            "scheduled_for": f, "scheduled_until": u},
            headers=auth.form_headers(c))
    fmt = "%Y-%m-%dT%H:%M"
    assert post("tomorrow", (now + timedelta(hours=2)).strftime(fmt)).status_code == 400
    assert post((now + timedelta(hours=3)).strftime(fmt),
                (now + timedelta(hours=2)).strftime(fmt)).status_code == 400
    r = post((now + timedelta(days=3)).strftime(fmt),
             (now + timedelta(days=3, hours=1)).strftime(fmt) + "Z")
    assert r.status_code == 303
    up = https("globex").get("/api/v2/scheduled-maintenances/upcoming.json").json()
    assert "Window" in [m["name"] for m in up["scheduled_maintenances"]]


# ------------------------------------------------------------ subscriptions

def subscribe(c, email, **extra):
    page = c.get("/status/subscribe")
    assert page.status_code == 200
    data = {"csrf_token": auth.csrf_from(page.text), "email": email}
    data.update(extra)
    return c.post("/status/subscribe", data=data, headers=auth.form_headers(c))


def link_in(msg, path):
    body = msg["msg"].get_body(preferencelist=("plain", "html")).get_content()
    m = re.search(r"https://[^\s\"<>]+%s[A-Za-z0-9_-]+" % re.escape(path), body)
    assert m, body[:800]
    return "/" + m.group(0).split("/", 3)[3]


def test_double_opt_in_update_mail_and_unsubscribe(https, db_super, db_app, mailbox):
    c = https("acme")
    addr = "sub-%d@example.net" % (time.time() * 1000)
    r = subscribe(c, addr)
    assert r.status_code == 200 and "Check your inbox" in r.text
    rows = tenant_exec(db_app, "acme", "SELECT confirmed_at FROM status_subscriber"
                       " WHERE email = %s", addr)
    assert rows == [(None,)]
    msg = mailbox.wait(to=addr)[0]
    confirm = link_in(msg, "/status/subscribe/confirm/")
    assert "/status/unsubscribe/" in msg["raw"].decode("utf-8", "replace")
    # GET shows a button and changes nothing.
    page = c.get(confirm)
    assert page.status_code == 200 and "Confirm subscription" in page.text
    assert tenant_exec(db_app, "acme", "SELECT confirmed_at FROM status_subscriber"
                       " WHERE email = %s", addr) == [(None,)]
    r = c.post(confirm, data={"csrf_token": auth.csrf_from(page.text)},
               headers=auth.form_headers(c))
    assert r.status_code == 200 and "You are subscribed" in r.text
    assert tenant_exec(db_app, "acme", "SELECT confirmed_at IS NOT NULL FROM"
                       " status_subscriber WHERE email = %s", addr) == [(True,)]
    # The link works once.
    assert c.get(confirm).status_code == 404

    s = staff(https, db_super)
    name = "DNS answers slowly %d" % time.time()
    iid = open_incident(s, name, "Some lookups time out.", comp_ids(https)["DNS"],
                        "degraded_performance", "minor")
    mails = mailbox.wait(to=addr, count=2, timeout=30)
    upd = [m for m in mails if name in str(m["msg"]["Subject"])]
    assert upd, [str(m["msg"]["Subject"]) for m in mails]
    text = upd[0]["msg"].get_body(preferencelist=("plain",)).get_content()
    assert "Some lookups time out." in text
    assert "/status/incidents/" + iid in text
    # The update carries the one unsubscribe link of every bulk mail (/u/).
    assert "/status/unsubscribe/" not in upd[0]["raw"].decode("utf-8", "replace")
    unsub = link_in(upd[0], "/u/")
    post_update(s, iid, "resolved", "Fixed.")
    page = c.get(unsub)
    assert page.status_code == 200 and "Status updates" in page.text
    assert tenant_exec(db_app, "acme", "SELECT count(*) FROM status_subscriber"
                       " WHERE email = %s", addr) == [(1,)]
    r = https("acme").post(unsub, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and "You are unsubscribed" in r.text
    assert tenant_exec(db_app, "acme", "SELECT count(*) FROM status_subscriber"
                       " WHERE email = %s", addr) == [(0,)]


def test_subscribe_to_chosen_components_only(https, db_super, db_app, mailbox):
    c = https("globex")
    ids = comp_ids(https, "globex")
    addr = "some-%d@example.net" % (time.time() * 1000)
    assert subscribe(c, addr, scope="some").status_code == 400
    r = subscribe(c, addr, scope="some", components=ids["Backups"])
    assert r.status_code == 200
    msg = mailbox.wait(to=addr)[0]
    confirm = link_in(msg, "/status/subscribe/confirm/")
    page = c.get(confirm)
    c.post(confirm, data={"csrf_token": auth.csrf_from(page.text)},
           headers=auth.form_headers(c))
    rows = tenant_exec(db_app, "globex",
                       "SELECT s.all_components, c.public_id FROM status_subscriber s"
                       " JOIN status_subscriber_component sc ON sc.subscriber_id = s.id"
                       " JOIN status_component c ON c.id = sc.component_id"
                       " WHERE s.email = %s", addr)
    assert rows == [(False, ids["Backups"])]
    s = staff(https, db_super, "globex")
    iid = open_incident(s, "Unrelated DNS blip", "x", ids["DNS"], "degraded_performance",
                        "minor")
    post_update(s, iid, "resolved", "ok")
    n = tenant_exec(db_app, "globex", "SELECT count(*) FROM status_notice"
                    " WHERE subscriber_email = %s AND kind = 'update'", addr)
    assert n == [(0,)]


def test_subscribe_email_limits(https):
    c = https("acme")
    assert subscribe(c, "a" * 243 + "@example.net").status_code == 400
    assert subscribe(c, "not-an-address").status_code == 400
    assert subscribe(c, "x@example.net", scope="bogus").status_code == 400


# ------------------------------------------------------------ outage

def test_page_served_while_postgres_is_stopped(https, sh_stack, pool_extra):
    # The pool's own copy, the second line behind nginx's cache (a pool
    # with page_cache = 0: nginx keeps nothing of it; see test_cache.py).
    c = https("acme", port=pool_extra("stfallback", workers=1, page_cache=0))
    fresh = {p: c.get(p) for p in ("/status", "/api/v2/status.json",
                                   "/api/v2/summary.json")}
    assert all(r.status_code == 200 for r in fresh.values())
    sh_stack("pg-stop")
    try:
        # Each responder serves its copy as current for up to 5 s; past
        # that it would ask the database, which is down.
        time.sleep(6)
        r = c.get("/status")
        assert r.status_code == 200
        assert "We cannot refresh this page right now" in r.text
        # The same overall status as the last fresh page said.
        banner = re.search(r'<h1 id="status-description">([^<]+)<',
                           fresh["/status"].text).group(1)
        assert banner in r.text
        assert r.headers.get("X-Status-Stale")
        for p in ("/api/v2/status.json", "/api/v2/summary.json"):
            j = c.get(p)
            assert j.status_code == 200, p
            assert j.headers["Access-Control-Allow-Origin"] == "*"
            assert j.json()["page"] == fresh[p].json()["page"]
        # Routes without a copy still say 503.
        assert c.get("/api/v2/components.json").status_code == 503
        assert c.get("/status/history").status_code == 503
    finally:
        sh_stack("pg-start")
    helpers.wait_until(lambda: c.get("/status").status_code == 200
                       and "cannot refresh" not in c.get("/status").text,
                       timeout=20, what="fresh page after restart")


# ------------------------------------------------------------ tenancy

def test_tenant_isolation(https, db_super):
    a = https("acme")
    g = https("globex")
    acme_inc = {i["id"] for i in a.get("/api/v2/incidents.json").json()["incidents"]}
    glob_inc = {i["id"] for i in g.get("/api/v2/incidents.json").json()["incidents"]}
    assert acme_inc and glob_inc and not (acme_inc & glob_inc)
    assert a.get("/api/v2/status.json").json()["page"]["id"] != \
        g.get("/api/v2/status.json").json()["page"]["id"]
    some = sorted(acme_inc)[0]
    assert g.get("/status/incidents/" + some).status_code == 404
    acme_comps = set(comp_ids(https, "acme").values())
    assert not acme_comps & set(comp_ids(https, "globex").values())
    # Globex staff cannot touch an acme incident or component.
    s = staff(https, db_super, "globex")
    page = s.get("/staff/status")
    tok = auth.csrf_from(page.text)
    r = s.post("/staff/status/incidents/%s/updates" % some, data={
        "csrf_token": tok, "status": "resolved", "body": "hijack"},
        headers=auth.form_headers(s))
    assert r.status_code == 404
    r = s.post("/staff/status/components/%s" % sorted(acme_comps)[0], data={
        "csrf_token": tok, "status": "major_outage"}, headers=auth.form_headers(s))
    assert r.status_code == 404
    assert "hijack" not in a.get("/api/v2/incidents.json").text


# ------------------------------------------------------------ probes

def test_probe_refuses_private_address_and_opens_incident(https, db_super, db_app):
    """The stack's worker does not allow private addresses: a probe of
    127.0.0.1 fails as refused; with threshold 1 and open_incident the
    component goes down and an incident opens by itself."""
    c = staff(https, db_super, "globex", "admin")
    cid = comp_ids(https, "globex")["Customer API"]
    start = tenant_exec(db_app, "globex", "SELECT now()")[0][0]
    page = c.get("/staff/status")
    tok = auth.csrf_from(page.text)
    r = c.post("/staff/status/components/" + cid, data={
        "csrf_token": tok, "probe_kind": "http", "probe_target": "ftp://x/"},
        headers=auth.form_headers(c))
    assert r.status_code == 400
    r = c.post("/staff/status/components/" + cid, data={
        "csrf_token": tok, "probe_kind": "http",
        "probe_target": "https://127.0.0.1:9/health", "probe_threshold": "1",
        "probe_timeout_ms": "2000", "probe_action": "major_outage",
        "probe_open_incident": "on"}, headers=auth.form_headers(c))
    assert r.status_code == 303, r.text[:300]
    try:
        rows = helpers.wait_until(lambda: tenant_exec(
            db_app, "globex", "SELECT r.ok, r.detail FROM status_probe_result r"
            " JOIN status_component c ON c.id = r.component_id"
            " WHERE c.public_id = %s AND r.at > %s", cid, start), timeout=45,
            interval=1,
            what="a probe result")
        assert rows[0][0] is False and "refused" in rows[0][1]
        helpers.wait_until(lambda: [
            x for x in https("globex").get("/api/v2/summary.json").json()["components"]
            if x["id"] == cid][0]["status"] == "major_outage", timeout=10,
            what="the component down")
        s = https("globex").get("/api/v2/summary.json").json()
        opened = [i for i in s["incidents"]
                  if i["name"] == "Customer API is not responding"]
        assert opened and opened[0]["impact"] == "major"
        assert opened[0]["incident_updates"][0]["status"] == "investigating"
    finally:
        tenant_exec(db_app, "globex",
                    "UPDATE status_component SET probe_kind = 'none',"
                    " probe_target = NULL, probe_failures = 0,"
                    " status = 'operational'"
                    " WHERE public_id = %s", cid)
        tenant_exec(db_app, "globex",
                    "UPDATE status_incident SET status = 'resolved',"
                    " resolved_at = now() WHERE opened_by_probe"
                    " AND status <> 'resolved'")


def test_staff_json_api(https, db_super):
    c = staff(https, db_super)
    tok = auth.csrf_from(c.get("/staff/status").text)
    h = auth.form_headers(c)
    h["X-CSRF-Token"] = tok
    cid = comp_ids(https)["Mailboxes (IMAP/POP3)"]
    r = c.post("/api/status/incidents", json={
        "name": "IMAP logins slow", "body": "Looking.", "components": [cid],
        "component_status": "partial_outage"}, headers=h)
    assert r.status_code == 201, r.text[:300]
    inc = r.json()
    page_id = https("acme").get("/api/v2/status.json").json()["page"]["id"]
    check_incident(inc, page_id)
    assert inc["components"][0]["status"] == "partial_outage"
    r = c.post("/api/status/incidents/%s/postmortem" % inc["id"],
               json={"body": "too early"}, headers=h)
    assert r.status_code == 409
    r = c.post("/api/status/incidents/%s/updates" % inc["id"],
               json={"status": "completed", "body": "x"}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["field"] == "status"
    r = c.post("/api/status/incidents/%s/updates" % inc["id"],
               json={"status": "resolved", "body": "Fast again."}, headers=h)
    assert r.status_code == 200
    assert r.json()["incident_updates"][0]["affected_components"] == [{
        "code": cid, "name": "Mailboxes (IMAP/POP3)",
        "old_status": "partial_outage", "new_status": "operational"}]
    r = c.post("/api/status/incidents/%s/postmortem" % inc["id"],
               json={"body": "A disk filled up."}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "postmortem"
    assert r.json()["postmortem_body"] == "A disk filled up."
    # Without the CSRF header the session may not change anything.
    r = c.post("/api/status/incidents", json={"name": "x", "body": "y"},
               headers=auth.form_headers(c))
    assert r.status_code == 403
    t = c.get("/api/status/templates").json()["templates"]
    assert {x["name"] for x in t} >= {"Node unreachable", "Mail delays"}
