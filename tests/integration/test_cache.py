"""The public-page cache (nginx's FastCGI cache, feature fcgi/features/cache,
migration 0024): what is kept, that every kind of change shows on the very
next request, that nothing personal is ever shared, serving stale copies
in outages, and that views and searches answered from the cache are still
counted."""

import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import auth
import helpers
from test_kb import create_article, sign_in, staff_json, unique_word
from test_status import comp_ids, staff as status_staff, tenant_exec

T = 30


def cached_twice(c, path, **kw):
    """GET path twice; the second answer must come from nginx's copy."""
    a = c.get(path, timeout=T, **kw)
    b = c.get(path, timeout=T, **kw)
    assert a.status_code == 200, (path, a.status_code)
    assert b.headers.get("X-Cache") == "HIT", (path, b.headers.get("X-Cache"))
    return b


def uniq():
    return "zc" + uuid.uuid4().hex[:10]


@pytest.fixture
def acme(https):
    return https("acme")


# ------------------------------------------------------------ what is kept

PUBLIC = ["/", "/help", "/help/search?q=ssl", "/help/feed.atom", "/sitemap.xml",
          "/api/kb/articles", "/api/kb/popular", "/status", "/status/history",
          "/status/history.atom", "/status/history.rss", "/status/badge.svg",
          "/status/maintenance.ics", "/api/v2/summary.json", "/api/v2/status.json",
          "/api/v2/components.json", "/api/v2/incidents.json",
          "/api/v2/scheduled-maintenances/upcoming.json", "/api/marketing/status"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_come_from_the_cache(acme, path):
    r = cached_twice(acme, path)
    # The marks are for nginx only.
    for h in ("X-Mpanel-Cache", "X-Mpanel-Count", "X-Accel-Expires"):
        assert h not in r.headers, h
    assert "Set-Cookie" not in r.headers


def test_article_page_is_shared_and_carries_no_token(acme):
    a = acme.get("/api/kb/articles", params={"q": "ssl"}).json()["articles"][0]
    r = cached_twice(acme, a["url"])
    assert 'name="csrf_token"' not in r.text
    assert "Set-Cookie" not in r.headers
    # The shared page's vote form still works: checked by origin.
    action = re.search(r'<form method="post" action="([^"]+/vote)"', r.text).group(1)
    v = acme.post(action, data={"helpful": "yes"}, headers=auth.form_headers(acme))
    assert v.status_code == 303 and v.headers["Location"].endswith("?voted=yes#vote")
    # A vote changes nothing any page shows: the copy stays.
    assert acme.get(a["url"], timeout=T).headers.get("X-Cache") == "HIT"
    # ...but not from another site, nor a sibling host without a token.
    v = acme.post(action, data={"helpful": "yes"},
                  headers={"Origin": "https://evil.example"})
    assert v.status_code == 403
    v = acme.post(action, data={"helpful": "yes"},
                  headers={"Origin": acme.origin(), "Sec-Fetch-Site": "same-site"})
    assert v.status_code == 403


def test_head_is_answered_from_the_copy(acme):
    cached_twice(acme, "/help")
    r = acme.head("/help", timeout=T)
    assert r.status_code == 200 and r.headers.get("X-Cache") == "HIT"
    assert r.text == ""


def test_encodings_and_accept_are_separate_entries(acme):
    gz = acme.get("/status", headers={"Accept-Encoding": "gzip"}, timeout=T)
    plain = acme.get("/status", headers={"Accept-Encoding": "identity"}, timeout=T)
    assert plain.headers.get("Content-Encoding") is None
    assert "<html" in plain.text and "<html" in gz.text
    again = acme.get("/status", headers={"Accept-Encoding": "identity"}, timeout=T)
    assert again.headers.get("Content-Encoding") is None and "<html" in again.text


def test_never_kept_with_set_cookie_or_a_form_token(acme):
    """/status/subscribe mints the visitor's CSRF cookie: every visitor gets
    their own token, never a copy."""
    seen = set()
    for _ in range(3):
        c = type(acme)(acme.host, acme.port)
        r = c.get("/status/subscribe", timeout=T)
        assert r.status_code == 200
        assert r.headers.get("X-Cache") != "HIT"
        seen.add(auth.csrf_from(r.text))
        c.close()
    assert len(seen) == 3
    # A visitor who has the cookie already gets a form with their token:
    # not kept either.
    acme.get("/status/subscribe", timeout=T)
    tok = acme.session.cookies.get("__Host-mp_csrf")
    for _ in range(2):
        r = acme.get("/status/subscribe", timeout=T)
        assert r.headers.get("X-Cache") != "HIT" and tok in r.text


# ------------------------------------------------- signed in vs anonymous

def test_signed_in_never_gets_the_anonymous_copy_and_back(https, db_super):
    email, pw = auth.make_user(db_super, "acme", "customer", name="Cachetest Person")
    anon = https("acme")
    user = https("acme")
    auth.signin(user, email, pw)
    # Anonymous first, then signed in.
    cached_twice(anon, "/help")
    r = user.get("/help", timeout=T)
    assert r.headers.get("X-Cache") in ("BYPASS", None)
    assert "Cachetest Person" in r.text or "Sign out" in r.text
    # Signed in first (twice), then anonymous: no trace of the user.
    path = "/help/search?q=" + unique_word()
    for _ in range(2):
        r = user.get(path, timeout=T)
        assert r.headers.get("X-Cache") in ("BYPASS", None)
        assert "Sign out" in r.text
    for _ in range(2):
        r = anon.get(path, timeout=T)
        assert "Sign out" not in r.text and "Cachetest Person" not in r.text
        assert "Cache-Control" not in r.headers or "no-store" not in r.headers["Cache-Control"]
    assert anon.get(path, timeout=T).headers.get("X-Cache") == "HIT"
    # A stale or forged session cookie bypasses too.
    odd = https("acme")
    odd.session.cookies.set("__Host-mp_session", "x" * 43, domain=odd.host)
    r = odd.get(path, timeout=T)
    assert r.headers.get("X-Cache") == "BYPASS"


# --------------------------------------------------------------- tenants

def test_tenants_never_share_an_entry_even_on_custom_domains(https, db_super):
    a = cached_twice(https("acme"), "/help").text
    g = cached_twice(https("globex"), "/help").text
    assert "Acme" in a and "Acme" not in g
    dom = "help-%s.example.net" % uuid.uuid4().hex[:8]
    with db_super.cursor() as cur:
        cur.execute("UPDATE tenants SET custom_domain = %s WHERE slug = 'globex'", (dom,))
    try:
        cd = https(dom)
        helpers.wait_until(lambda: cd.get("/help", timeout=T).headers.get("X-Cache") == "HIT",
                           timeout=10, what="the custom domain's copy")
        r = cd.get("/help", timeout=T)
        assert "Globex" in r.text and "Acme" not in r.text
        # The same path on the other tenant's hosts is still its own.
        assert "Acme" in https("acme").get("/help", timeout=T).text
    finally:
        with db_super.cursor() as cur:
            cur.execute("UPDATE tenants SET custom_domain = NULL WHERE slug = 'globex'")


def test_unknown_host_is_not_cached(https):
    c = https("nosuch-%s" % uuid.uuid4().hex[:6])
    for _ in range(2):
        r = c.get("/help", timeout=T)
        assert r.status_code == 404 and r.headers.get("X-Cache") != "HIT"


# ------------------------------------------- every kind of change, at once

@pytest.fixture
def kbstaff(https):
    return sign_in(https("acme"), "support@acme.example")


def test_article_change_shows_on_the_next_request(kbstaff, acme):
    a = create_article(kbstaff, title="Cache article %s" % unique_word())
    url = a["url"]
    cached_twice(acme, url)
    cached_twice(acme, "/help/search?q=" + a["title"].split()[-1])
    new = "Renamed %s" % unique_word()
    r = staff_json(kbstaff, "PUT", "/api/kb/admin/articles/" + a["id"], {"title": new})
    assert r.status_code == 200, r.text
    page = acme.get(url, timeout=T, allow_redirects=True)
    assert new in page.text
    assert new in acme.get("/help/search?q=" + new.split()[-1], timeout=T).text
    # Unpublished: gone from the very next page.
    r = staff_json(kbstaff, "PUT", "/api/kb/admin/articles/" + a["id"], {"status": "draft"})
    assert r.status_code == 200
    assert acme.get(page.url.split(acme.base, 1)[1], timeout=T).status_code == 404


def test_category_change_shows_on_the_next_request(kbstaff, acme, db_super):
    cached_twice(acme, "/help")
    name = "Cache category %s" % unique_word()
    r = staff_json(kbstaff, "POST", "/api/kb/admin/categories",
                   {"name": name, "description": "Made by the cache test."})
    assert r.status_code == 201, r.text
    slug = r.json().get("slug")
    a = create_article(kbstaff, title="In the new category %s" % unique_word(), category=slug)
    try:
        assert name in acme.get("/help", timeout=T).text
    finally:
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM kb_articles WHERE public_id = %s", (a["id"],))
            cur.execute("DELETE FROM kb_categories WHERE name = %s", (name,))


def test_tag_change_shows_on_the_next_request(kbstaff, acme):
    tag = unique_word()
    a = create_article(kbstaff, title="Tagged %s" % unique_word())
    r = acme.get("/help/tags/" + tag, timeout=T)
    acme.get("/help/tags/" + tag, timeout=T)
    assert a["title"] not in r.text
    r = staff_json(kbstaff, "PUT", "/api/kb/admin/articles/" + a["id"], {"tags": tag})
    assert r.status_code == 200, r.text
    assert a["title"] in acme.get("/help/tags/" + tag, timeout=T).text


def test_incident_shows_on_the_next_request(https, db_super):
    c = status_staff(https, db_super)
    anon = https("acme")
    cached_twice(anon, "/status")
    cached_twice(anon, "/api/v2/summary.json")
    cached_twice(anon, "/api/v2/incidents/unresolved.json")
    name = "Cache incident %s" % uniq()
    tok = auth.csrf_from(c.get("/staff/status").text)
    h = auth.form_headers(c)
    h["X-CSRF-Token"] = tok
    r = c.post("/api/status/incidents", json={"name": name, "body": "Looking."}, headers=h)
    assert r.status_code == 201, r.text
    inc = r.json()["id"]
    try:
        assert name in anon.get("/status", timeout=T).text
        assert name in anon.get("/api/v2/summary.json", timeout=T).text
        assert name in anon.get("/api/v2/incidents/unresolved.json", timeout=T).text
    finally:
        r = c.post("/api/status/incidents/%s/updates" % inc,
                   json={"status": "resolved", "body": "Done."}, headers=h)
        assert r.status_code == 200
    assert name not in anon.get("/api/v2/incidents/unresolved.json", timeout=T).text
    with db_super.cursor() as cur:
        cur.execute("DELETE FROM status_incident WHERE public_id = %s", (inc,))


def test_component_change_shows_on_the_next_request(https, db_super):
    c = status_staff(https, db_super, "acme", "admin")
    anon = https("acme")
    cached_twice(anon, "/api/v2/components.json")
    tok = auth.csrf_from(c.get("/staff/status").text)
    h = auth.form_headers(c)
    h["X-CSRF-Token"] = tok
    name = "Cache component %s" % uniq()
    r = c.post("/api/status/components", json={"name": name}, headers=h)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    try:
        assert name in anon.get("/api/v2/components.json", timeout=T).text
        r = c.patch("/api/status/components/" + cid,
                    json={"status": "degraded_performance"}, headers=h)
        assert r.status_code == 200, r.text
        comps = anon.get("/api/v2/components.json", timeout=T).json()["components"]
        assert [x["status"] for x in comps if x["id"] == cid] == ["degraded_performance"]
    finally:
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM status_component WHERE public_id = %s", (cid,))
    # Gone behind the pool's back: at the worker's next tick at the latest.
    helpers.wait_until(lambda: name not in anon.get("/api/v2/components.json",
                                                    timeout=T).text,
                       timeout=1.5, interval=0.05, what="the deleted component gone")


def test_maintenance_shows_on_the_next_request(https, db_super):
    c = status_staff(https, db_super, "globex", "admin")
    anon = https("globex")
    cached_twice(anon, "/api/v2/scheduled-maintenances/upcoming.json")
    tok = auth.csrf_from(c.get("/staff/status").text)
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%dT%H:%MZ"
    name = "Cache window %s" % uniq()
    r = c.post("/staff/status/maintenance", data={
        "csrf_token": tok, "name": name, "body": "Planned.",
        "scheduled_for": (now + timedelta(days=5)).strftime(fmt),
        "scheduled_until": (now + timedelta(days=5, hours=1)).strftime(fmt)},
        headers=auth.form_headers(c))
    assert r.status_code == 303, r.text[:300]
    try:
        assert name in anon.get("/api/v2/scheduled-maintenances/upcoming.json",
                                timeout=T).text
    finally:
        with db_super.cursor() as cur:
            cur.execute("DELETE FROM status_incident WHERE name = %s", (name,))


def test_brand_change_shows_on_the_next_request(https, db_super):
    from test_brand import Admin, css_link
    adm = Admin(https, db_super, "acme")
    anon = https("acme")
    cached_twice(anon, "/help")
    before, _ = css_link(anon)
    tagline = "Cached tagline %s" % uniq()
    old = adm.c.get("/api/white-label", timeout=T).json()
    r = adm.put({"tagline": tagline})
    assert r.status_code == 200, r.text
    try:
        r = anon.get("/help", timeout=T)
        after, _ = css_link(anon)
        assert after != before
        assert tagline in anon.get("/", timeout=T).text
    finally:
        adm.put({"tagline": old.get("tagline") or ""})


def test_worker_changes_show_within_a_tick(https, db_app):
    """Changes no request makes: a maintenance window starting by the
    clock, a component flipped by a probe (here the same UPDATE the probe
    job runs, behind the pool's back)."""
    anon = https("globex")
    mid = tenant_exec(
        db_app, "globex",
        "INSERT INTO status_incident (tenant_id, kind, name, status, impact,"
        " started_at, scheduled_for, scheduled_until) VALUES (mp_tenant(),"
        " 'maintenance', 'Cache clock window', 'scheduled', 'none', now() + interval"
        " '2 seconds', now() + interval '2 seconds', now() + interval '600 seconds')"
        " RETURNING public_id")[0][0]
    try:
        path = "/api/v2/scheduled-maintenances/active.json"
        assert mid not in anon.get(path, timeout=T).text
        assert anon.get(path, timeout=T).headers.get("X-Cache") == "HIT"
        t0 = time.monotonic()
        helpers.wait_until(lambda: mid in anon.get(path, timeout=T).text, timeout=8,
                           interval=0.05, what="the window in progress")
        assert time.monotonic() - t0 < 2 + 1.5   # its start plus at most a tick
    finally:
        tenant_exec(db_app, "globex", "DELETE FROM status_incident WHERE public_id = %s", mid)
    dns = comp_ids(https, "globex")["DNS"]
    cached_twice(anon, "/api/v2/components.json")
    tenant_exec(db_app, "globex", "UPDATE status_component SET status = 'major_outage'"
                " WHERE public_id = %s", dns)
    try:
        helpers.wait_until(
            lambda: [x["status"] for x in anon.get("/api/v2/components.json", timeout=T)
                     .json()["components"] if x["id"] == dns] == ["major_outage"],
            timeout=1.5, interval=0.05, what="the probe's flip")
    finally:
        tenant_exec(db_app, "globex", "UPDATE status_component SET status = 'operational'"
                    " WHERE public_id = %s", dns)


def test_bookkeeping_keeps_the_page_and_its_copies(https, db_app, db_super):
    """A probe's bookkeeping (its last run and result), a rollup that finds
    nothing new and an UPDATE that writes the same values show nowhere:
    the page's version and updated_at, the tenant's cache generation and
    nginx's copy stay.  A change that shows still moves them."""
    rollup = ("SELECT status_rollup((now() AT TIME ZONE p.tz)::date - 3,"
              " (now() AT TIME ZONE p.tz)::date - 1, p.tz) FROM (SELECT"
              " coalesce((SELECT time_zone FROM status_page), 'Etc/UTC') AS tz) p")

    def state():
        with db_super.cursor() as c:
            c.execute("SELECT p.version, p.updated_at, g.gen FROM tenants t"
                      " JOIN status_page p ON p.tenant_id = t.id"
                      " LEFT JOIN cache_gen g ON g.tenant_id = t.id"
                      " WHERE t.slug = 'globex'")
            return c.fetchone()

    anon = https("globex")
    dns = comp_ids(https, "globex")["DNS"]
    tenant_exec(db_app, "globex", rollup)        # whatever is due, written now
    before = state()
    helpers.wait_until(lambda: anon.get("/api/v2/summary.json", timeout=T)
                       .headers.get("X-Cache") == "HIT", timeout=5, interval=0.1,
                       what="summary.json kept")
    assert tenant_exec(db_app, "globex", rollup) == [(0,)]
    tenant_exec(db_app, "globex", "UPDATE status_component SET probe_last_at = now(),"
                " probe_last_ok = true, probe_failures = 0 WHERE NOT is_group")
    tenant_exec(db_app, "globex", "UPDATE status_component SET status = status,"
                " probe_last_at = now() WHERE public_id = %s", dns)
    assert state() == before
    assert anon.get("/api/v2/summary.json", timeout=T).headers.get("X-Cache") == "HIT"
    tenant_exec(db_app, "globex", "UPDATE status_component SET probe_last_at = now(),"
                " status = 'degraded_performance' WHERE public_id = %s", dns)
    try:
        after = state()
        assert after[0] > before[0] and after[1] > before[1] and after[2] > before[2]
    finally:
        tenant_exec(db_app, "globex", "UPDATE status_component SET status = 'operational'"
                    " WHERE public_id = %s", dns)


# ------------------------------------------------------------------ counts

def views(db_super, article_id):
    with db_super.cursor() as c:
        c.execute("SELECT coalesce(sum(v.views), 0) FROM kb_views v JOIN kb_articles a"
                  " ON a.tenant_id = v.tenant_id AND a.id = v.article_id"
                  " WHERE a.public_id = %s", (article_id,))
        return c.fetchone()[0]


def test_views_and_searches_from_the_cache_are_counted(kbstaff, acme, db_super):
    a = create_article(kbstaff, title="Counted %s" % unique_word())
    for _ in range(6):
        assert acme.get(a["url"], timeout=T).status_code == 200
    assert acme.get(a["url"], timeout=T).headers.get("X-Cache") == "HIT"
    helpers.wait_until(lambda: views(db_super, a["id"]) == 7, timeout=30,
                       what="7 views (1 rendered, 6 from the cache)")
    w = unique_word()
    for _ in range(4):
        assert acme.get("/help/search", params={"q": w}, timeout=T).status_code == 200

    def searches():
        with db_super.cursor() as c:
            c.execute("SELECT coalesce(sum(searches), 0) FROM kb_searches WHERE query = %s",
                      (w,))
            return c.fetchone()[0]
    helpers.wait_until(lambda: searches() == 4, timeout=30, what="4 searches")
    time.sleep(2)
    assert views(db_super, a["id"]) == 7 and searches() == 4   # never twice


# ------------------------------------------------------- reloads, outages

def test_cache_survives_pool_and_nginx_reloads(acme, sh_stack):
    path = "/help/search?q=" + unique_word()
    cached_twice(acme, path)
    sh_stack("pool-reload")
    assert acme.get(path, timeout=T).headers.get("X-Cache") == "HIT"
    sh_stack("nginx-reload")
    time.sleep(0.5)
    assert acme.get(path, timeout=T).headers.get("X-Cache") == "HIT"


def test_every_answer_names_its_own_request(acme):
    """A kept copy does not repeat the request id of the request that made
    it: support asks visitors for that id and finds it in the logs."""
    path = "/help/search?q=" + unique_word()
    ids = []
    for want in ("MISS", "HIT", "HIT"):
        r = acme.get(path, timeout=T)
        assert r.headers.get("X-Cache") == want
        ids.append(r.headers.get("X-Request-Id", ""))
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids), ids
    assert len(set(ids)) == 3, ids
    assert acme.get("/help/search?q=" + unique_word(), timeout=T,
                    headers={"X-Mpanel-No-Cache": "1"}).headers.get("X-Request-Id")


def test_a_copy_replaced_after_its_time_is_what_hits_serve(https, pool_extra, kbstaff,
                                                           db_super):
    """nginx keeps the files of copies open between hits: a copy written
    again when its time ran out (same key, same generation, new bytes) must
    be read from the new file on the following hits, not the old one."""
    c = https("acme", port=pool_extra("creplace", workers=1, page_cache_ttl=1))
    word = unique_word()
    a = create_article(kbstaff, title="Replaced copy %s first" % word)
    path = "/api/kb/articles?q=" + word

    def title(r):
        return r.json()["articles"][0]["title"]

    assert title(cached_twice(c, path)).endswith(" first")
    # Bytes that change without a generation move, as a page that changes
    # with the clock: no trigger fires in replica mode.
    with db_super.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("UPDATE kb_articles SET title = %s WHERE public_id = %s",
                    ("Replaced copy %s second" % word, a["id"]))
        cur.execute("COMMIT")
    time.sleep(2)      # past the copy's time to live
    r = c.get(path, timeout=T)
    assert r.headers.get("X-Cache") == "EXPIRED"
    assert title(r).endswith(" second")
    for _ in range(3):
        r = c.get(path, timeout=T)
        assert r.headers.get("X-Cache") == "HIT"
        assert title(r).endswith(" second")


def test_a_request_nginx_passes_by_is_neither_marked_nor_compressed(acme):
    """X-Mpanel-No-Cache (like a session cookie) makes nginx pass the
    request to the pool and keep nothing: the pool then spends nothing on a
    copy (no gzip for it, no marks), and the page is the same page."""
    path = "/help/search?q=" + unique_word()
    gz = {"Accept-Encoding": "gzip"}
    r = acme.get(path, timeout=T, headers=dict(gz, **{"X-Mpanel-No-Cache": "1"}))
    assert r.status_code == 200 and r.headers.get("X-Cache") == "BYPASS"
    assert "Content-Encoding" not in r.headers
    kept = acme.get(path, timeout=T, headers=gz)
    assert kept.headers.get("X-Cache") == "MISS"
    assert kept.headers.get("Content-Encoding") == "gzip"
    assert acme.get(path, timeout=T, headers=gz).headers.get("X-Cache") == "HIT"
    assert kept.text == r.text


def test_stale_copies_while_the_pool_is_stopped(https, pool_extra, sh_stack):
    name = "cstale"
    c = https("acme", port=pool_extra(name, workers=1, page_cache_ttl=1))
    paths = ["/status", "/api/v2/summary.json", "/help", "/help/search?q=ssl"]
    fresh = {p: c.get(p, timeout=T).text for p in paths}
    time.sleep(2)      # past the copies' time to live
    sh_stack("pool-extra-signal", name, "TERM")
    time.sleep(1)
    for p in paths:
        r = c.get(p, timeout=T)
        assert r.status_code == 200, p
        assert r.headers.get("X-Cache") == "STALE", p
        assert "Stale" in r.headers.get("Warning", ""), p
        assert r.text == fresh[p], p
    # Never kept: pages without a copy say the pool is gone.
    assert c.get("/help/search?q=" + unique_word(), timeout=T).status_code == 502


def test_stale_copies_while_postgres_is_stopped(https, pool_extra, sh_stack):
    c = https("acme", port=pool_extra("cstalepg", workers=1, page_cache_ttl=1))
    paths = ["/help", "/help/search?q=ssl", "/api/v2/components.json"]
    fresh = {p: c.get(p, timeout=T).text for p in paths}
    status_fresh = c.get("/status", timeout=T)
    time.sleep(2)
    sh_stack("pg-stop")
    try:
        for p in paths:
            r = c.get(p, timeout=T)
            assert r.status_code == 200, p
            assert r.headers.get("X-Cache") == "STALE", p
            assert r.text == fresh[p], p
        # The status page: nginx's copy, or the pool's own copy, saying so.
        r = c.get("/status", timeout=T)
        assert r.status_code == 200
        assert r.headers.get("X-Cache") == "STALE" or r.headers.get("X-Status-Stale")
        assert re.search(r'<h1 id="status-description">([^<]+)<',
                         status_fresh.text).group(1) in r.text
    finally:
        sh_stack("pg-start")
    helpers.wait_until(lambda: c.get("/help", timeout=T).headers.get("X-Cache") in
                       ("MISS", "EXPIRED", "HIT"), timeout=20, what="fresh again")
