"""Help center (issue 4): public pages, search, votes, SEO, JSON API and the
staff editor, through nginx against the seeded demo tenants."""

import json
import re
import time
import uuid

import pytest

from helpers import wait_until

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')
DEMO_PASSWORDS = {
    "admin@acme.example": "Acme-admin-2026!",
    "support@acme.example": "Acme-support-2026!",
    "admin@globex.example": "Globex-admin-2026!",
}


def csrf_of(html):
    m = CSRF_RE.search(html)
    assert m, "no csrf_token field in the page"
    return m.group(1)


def sign_in(client, email):
    """Sign the client in as a demo user through the login form."""
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"email": email, "password": DEMO_PASSWORDS[email],
                                    "csrf_token": token},
                    headers={"Origin": client.origin()})
    assert r.status_code in (302, 303), r.text[:500]
    return client


def staff_token(client):
    """The signed-in user's CSRF token, read from a staff form."""
    return csrf_of(client.get("/staff/help/new").text)


def staff_json(client, method, path, body):
    return client.request(method, path, json=body, headers={
        "Origin": client.origin(), "X-CSRF-Token": staff_token(client)})


def article_links(html):
    return re.findall(r'<h2><a href="(/help/articles/[^"?]+)\?q=[^"]*">([^<]*)</a></h2>', html)


def first_article(client, q):
    r = client.get("/api/kb/articles", params={"q": q})
    assert r.status_code == 200
    return r.json()["articles"][0]


@pytest.fixture
def acme(https):
    return https("acme")


@pytest.fixture
def staff(https):
    return sign_in(https("acme"), "support@acme.example")


def unique_word():
    # Letters only: a word no seeded article contains.
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10])


def create_article(staff, **kw):
    body = {"title": kw.pop("title"), "content": kw.pop("content", "Body."),
            "status": kw.pop("status", "published")}
    body.update(kw)
    r = staff_json(staff, "POST", "/api/kb/admin/articles", body)
    assert r.status_code == 201, r.text
    return r.json()


# ---------------------------------------------------------------- pages

def test_home_lists_categories_with_counts_and_popular(acme):
    r = acme.get("/help")
    assert r.status_code == 200
    assert "How can we help?" in r.text
    m = re.search(r'href="/help/categories/domains-dns">Domains and DNS</a> '
                  r'<span class="kb-count">(\d+) articles', r.text)
    assert m and int(m.group(1)) >= 10
    assert 'href="/help/categories/dns-records"' in r.text
    assert "Popular articles" in r.text
    assert r.text.count('class="kb-card"') == 8


def test_seed_has_forty_published_articles_per_tenant(https):
    for t in ("acme", "globex"):
        r = https(t).get("/api/kb/articles", params={"limit": 100})
        assert r.status_code == 200
        assert r.json()["total"] >= 40


def test_article_page_seo_and_structure(acme):
    a = first_article(acme, "mixed content")
    r = acme.get(a["url"])
    assert r.status_code == 200
    html = r.text
    assert "<title>Fix mixed content warnings · Acme Hosting</title>" in html
    assert '<link rel="canonical" href="https://acme.' in html
    assert '<meta property="og:title" content="Fix mixed content warnings">' in html
    assert '<meta name="description" content="The padlock is missing' in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(ld)
    assert data[0]["@type"] == "Article" and data[1]["@type"] == "BreadcrumbList"
    assert [i["name"] for i in data[1]["itemListElement"]][0] == "Help center"
    # Breadcrumb, table of contents with deep links, tags, related, vote box.
    assert 'aria-label="Breadcrumb"' in html and ">SSL and HTTPS</a>" in html
    assert '<a href="#find-the-culprits">Find the culprits</a>' in html
    assert '<h2 id="find-the-culprits">' in html
    assert 'href="/help/tags/https"' in html
    assert "Related articles" in html
    assert "Was this helpful?" in html
    # The code span's tag is text, not markup.
    assert "<code>&lt;script src=&quot;http://cdn.example.com/app.js&quot;&gt;</code>" in html
    assert "Last updated" in html


def test_stale_slug_301s_to_current_url(acme):
    a = first_article(acme, "mixed content")
    pid = a["id"]
    for path in ("/help/articles/%s-old-name" % pid, "/help/articles/%s" % pid):
        r = acme.get(path)
        assert r.status_code == 301
        assert r.headers["Location"] == a["url"]


def test_unknown_article_is_404(acme):
    assert acme.get("/help/articles/000000000000-nothing").status_code == 404
    assert acme.get("/help/articles/bad").status_code == 404
    assert acme.get("/help/categories/no-such-category").status_code == 404


def test_category_and_tag_pages(acme):
    r = acme.get("/help/categories/domains-dns")
    assert r.status_code == 200
    assert "<h1>Domains and DNS</h1>" in r.text
    # Parent pages list their children's articles too.
    assert "DNS record types explained" in r.text or 'rel="next"' in r.text
    r = acme.get("/help/categories/dns-records")
    assert "DNS record types explained" in r.text
    assert 'href="/help/categories/domains-dns">Domains and DNS</a>' in r.text
    r = acme.get("/help/tags/wordpress")
    assert r.status_code == 200
    assert "Install WordPress in one click" in r.text


# --------------------------------------------------------------- search

def test_search_ranks_title_match_above_body_match(staff, acme):
    w = unique_word()
    body_only = create_article(staff, title="Body article %s" % uuid.uuid4().hex[:6],
                               content="Somewhere deep in the text we mention %s once." % w)
    in_title = create_article(staff, title="All about %s" % w,
                              content="This one has it in the title only.")
    r = acme.get("/help/search", params={"q": w})
    links = article_links(r.text)
    urls = [u for u, _ in links]
    assert urls.index(in_title["url"]) < urls.index(body_only["url"])


def test_snippets_highlight_terms_and_escape_article_text(staff, acme):
    w = unique_word()
    create_article(staff, title="Escaping check %s" % w[:6],
                   content="## Section one\n\nIntro.\n\n## Danger zone\n\n"
                           "Type `<script>alert(1)</script>` next to %s and <b>bold</b>." % w)
    r = acme.get("/help/search", params={"q": w})
    assert r.status_code == 200
    snip = re.search(r'<p class="kb-snippet">(.*?)</p>', r.text, re.S).group(1)
    assert "<mark>%s</mark>" % w in snip
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snip
    assert "<script>" not in snip and "<b>" not in snip
    # The deep link goes to the best section.
    assert '#danger-zone">Danger zone</a>' in r.text


def test_snippet_of_a_long_section_shows_its_first_match(staff, acme):
    # A long section goes to the snippet as the part around its first
    # match: here past the 9,000th character, after a word the stemmer
    # changes ("policies" is "polici").
    w = unique_word()
    filler = " ".join("lorem%d ipsum dolor sit amet." % i for i in range(300))
    tail = " ".join("tail%d words follow." % i for i in range(100))
    create_article(staff, title="Long section %s" % w[:6],
                   content="## Intro\n\nShort.\n\n## The long part\n\n" + filler +
                           " Our policies for %s are here. " % w + tail)
    for q, policies in ((w, "policies"), ("%s policy" % w, "<mark>policies</mark>")):
        r = acme.get("/help/search", params={"q": q})
        assert r.status_code == 200
        snip = re.search(r'<p class="kb-snippet">(.*?)</p>', r.text, re.S).group(1)
        assert "Our %s for <mark>%s</mark> are here." % (policies, w) in snip, snip
        assert "lorem0 " not in snip
        # It starts at a whole word of the text, not inside one.
        assert re.match(r"(lorem\d+|ipsum|dolor|sit|amet\.|Our)\s", snip), snip


def test_search_results_paginate_and_match_json(acme):
    r = acme.get("/help/search", params={"q": "email"})
    links = article_links(r.text)
    assert len(links) == 10
    assert 'rel="next" href="/help/search?q=email&amp;page=2"' in r.text
    j = acme.get("/api/kb/articles", params={"q": "email", "limit": 10}).json()
    assert [a["url"] for a in j["articles"]] == [u for u, _ in links]
    assert j["total"] > 10
    assert re.search(r">%d results for" % j["total"], r.text)
    page2 = article_links(acme.get("/help/search", params={"q": "email", "page": 2}).text)
    assert not set(page2) & set(links)


def test_search_page_is_noindex(acme):
    r = acme.get("/help/search", params={"q": "dns"})
    assert '<meta name="robots" content="noindex">' in r.text


def test_did_you_mean(acme):
    r = acme.get("/help/search", params={"q": "certifcate"})
    assert "No results" in r.text
    assert 'Did you mean <a href="/help/search?q=certificate">certificate</a>?' in r.text
    j = acme.get("/api/kb/articles", params={"q": "certifcate"}).json()
    assert j["total"] == 0 and j["did_you_mean"] == "certificate"


@pytest.mark.parametrize("q", [
    "'", "\"", "!", "&|!:*", "a & b", "(((", ")", "-", "--", "\\", "%", "_",
    "<script>alert(1)</script>", "' OR 1=1 --", "foo:*", "the", "a", "x" * 200,
    "ümlaut café", "日本語", "\u202e", "or", "\"unclosed phrase", "-ssl", "ssl -",
])
def test_hostile_search_never_errors(acme, q):
    r = acme.get("/help/search", params={"q": q})
    assert r.status_code == 200, q
    assert "<script>alert(1)</script>" not in r.text
    j = acme.get("/api/kb/articles", params={"q": q})
    assert j.status_code == 200, q
    s = acme.get("/api/kb/suggest", params={"q": q})
    assert s.status_code == 200, q


def test_search_query_length_limit(acme):
    assert acme.get("/help/search", params={"q": "x" * 200}).status_code == 200
    r = acme.get("/help/search", params={"q": "x" * 201})
    assert r.status_code == 400
    r = acme.get("/api/kb/articles", params={"q": "x" * 201})
    assert r.status_code == 400 and r.json()["error"]["field"] == "q"
    assert acme.get("/api/kb/articles", params={"limit": 100}).status_code == 200
    assert acme.get("/api/kb/articles", params={"limit": 101}).status_code == 400


def test_suggestions_need_three_characters(acme):
    assert acme.get("/api/kb/suggest", params={"q": "wo"}).json()["suggestions"] == []
    s = acme.get("/api/kb/suggest", params={"q": "wor"}).json()["suggestions"]
    assert s and all("WordPress" in x["title"] or "wor" in x["title"].lower() for x in s)
    s = acme.get("/api/kb/suggest", params={"q": "renew ssl cert"}).json()["suggestions"]
    assert s == [] or all(x["url"].startswith("/help/articles/") for x in s)


# Responders hold views, searches and clicks in memory and write them at
# most kb_count_flush (1 s) after the first one, with no further request
# needed: the tests wait that long for the rows (FLUSH_WAIT).
FLUSH_WAIT = 5.0


def test_searches_are_logged_and_clicks_counted(acme, db_super):
    w = unique_word()
    acme.get("/help/search", params={"q": w.upper() + "  "})
    acme.get("/help/search", params={"q": w})
    acme.get("/api/kb/suggest", params={"q": w})  # keystrokes are not logged
    a = first_article(acme, "autoresponder")
    assert acme.get(a["url"], params={"q": w}).status_code == 200  # a click

    def logged():
        with db_super.cursor() as c:
            c.execute("SELECT sum(searches), max(results), sum(clicks), count(*) <= 8"
                      " FROM kb_searches s JOIN tenants t ON t.id = s.tenant_id"
                      " WHERE t.slug = 'acme' AND query = %s AND day = current_date", (w,))
            return c.fetchone()
    wait_until(lambda: logged()[0] == 2 and logged()[2] == 1, FLUSH_WAIT,
               what="the searches and the click in kb_searches")
    time.sleep(1.5)  # and nothing more arrives later
    assert logged() == (2, 0, 1, True)


# ---------------------------------------------------------------- drafts

def test_drafts_and_archived_invisible(acme):
    r = acme.get("/api/kb/articles", params={"q": "quantum flux"})
    assert r.json()["total"] == 0
    assert acme.get("/api/kb/articles/upcoming-nodejs-hosting").status_code == 404
    assert acme.get("/api/kb/articles/legacy-panel-login").status_code == 404
    assert "upcoming-nodejs-hosting" not in acme.get("/sitemap.xml").text
    assert "legacy-panel-login" not in acme.get("/sitemap.xml").text


def test_draft_url_404s_publicly(staff, https):
    w = unique_word()
    d = create_article(staff, title="Secret draft %s" % w, status="draft")
    anon = https("acme")
    assert anon.get(d["url"]).status_code == 404
    assert anon.get("/api/kb/articles", params={"q": w}).json()["total"] == 0
    assert d["url"].split("/")[-1] not in anon.get("/sitemap.xml").text


def test_other_tenant_sees_nothing(staff, https):
    w = unique_word()
    a = create_article(staff, title="Acme only %s" % w)
    globex = https("globex")
    assert globex.get(a["url"]).status_code == 404
    assert globex.get("/api/kb/articles", params={"q": w}).json()["total"] == 0
    assert globex.get("/api/kb/articles/" + a["slug"]).status_code == 404
    assert a["url"] not in globex.get("/sitemap.xml").text
    # Globex's staff cannot change it either.
    gstaff = sign_in(https("globex"), "admin@globex.example")
    r = staff_json(gstaff, "PUT", "/api/kb/admin/articles/" + a["id"], {"title": "Taken"})
    assert r.status_code == 404


# ------------------------------------------------------------------ votes

def vote_form(client, url):
    """The vote form's action and token: none for an anonymous visitor (the
    page is the shared cached copy; the vote routes check the origin)."""
    html = client.get(url).text
    action = re.search(r'<form method="post" action="([^"]+/vote)"', html).group(1)
    m = CSRF_RE.search(html)
    return action, m.group(1) if m else ""


def test_one_vote_per_visitor_per_day(staff, acme, https, db_super):
    a = create_article(staff, title="Vote on me %s" % unique_word())
    action, token = vote_form(acme, a["url"])
    r = acme.post(action, data={"helpful": "yes", "csrf_token": token},
                  headers={"Origin": acme.origin()})
    assert r.status_code == 303 and r.headers["Location"].endswith("?voted=yes#vote")
    assert "Thank you for your feedback!" in acme.get(r.headers["Location"].split("#")[0]).text
    r = acme.post(action, data={"helpful": "no", "csrf_token": token},
                  headers={"Origin": acme.origin()})
    assert r.headers["Location"].endswith("?voted=dup#vote")
    r = acme.post("/api/kb/articles/%s/vote" % a["id"], json={"helpful": False},
                  headers={"Origin": acme.origin(), "X-CSRF-Token": token})
    assert r.status_code == 409
    # Another visitor may vote.
    other = https("acme")
    action2, token2 = vote_form(other, a["url"])
    r = other.post("/api/kb/articles/%s/vote" % a["id"],
                   json={"helpful": False, "reason": "Needs screenshots"},
                   headers={"Origin": other.origin(), "X-CSRF-Token": token2})
    assert r.status_code == 201 and r.json()["recorded"] is True
    with db_super.cursor() as c:
        c.execute("SELECT helpful, reason, visitor_hash FROM kb_votes v JOIN kb_articles a"
                  " ON a.tenant_id = v.tenant_id AND a.id = v.article_id"
                  " WHERE a.public_id = %s ORDER BY v.created_at", (a["id"],))
        rows = c.fetchall()
    assert [(h, rs) for h, rs, _ in rows] == [(True, ""), (False, "Needs screenshots")]
    # Stored as a hash of the visitor cookie, never an address.
    vid = acme.session.cookies.get("__Host-mp_vid")
    import hashlib
    assert rows[0][2] == hashlib.sha256(vid.encode()).hexdigest()


def test_vote_requires_csrf_and_valid_input(acme):
    a = first_article(acme, "wildcard certificates")
    acme.get(a["url"])
    r = acme.post("/api/kb/articles/%s/vote" % a["id"], json={"helpful": True},
                  headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    action, token = vote_form(acme, a["url"])
    r = acme.post("/api/kb/articles/%s/vote" % a["id"], json={"reason": "x"},
                  headers={"Origin": acme.origin(), "X-CSRF-Token": token})
    assert r.status_code == 400 and r.json()["error"]["field"] == "helpful"
    r = acme.post("/api/kb/articles/%s/vote" % a["id"],
                  json={"helpful": True, "reason": "x" * 501},
                  headers={"Origin": acme.origin(), "X-CSRF-Token": token})
    assert r.status_code == 400 and r.json()["error"]["field"] == "reason"
    r = acme.post("/api/kb/articles/000000000000/vote", json={"helpful": True},
                  headers={"Origin": acme.origin(), "X-CSRF-Token": token})
    assert r.status_code == 404


def run_scheduled(db_super, kind, tid):
    """Make tenant tid's scheduled job of this kind due now and wait until
    the worker has run it (its next run is then scheduled again)."""
    def bring_forward():
        # The job may be running or being rescheduled just now (each runs
        # once soon after the worker starts): wait until it is queued
        # again, then make it due.
        with db_super.cursor() as c:
            c.execute("UPDATE job SET run_at = now() WHERE kind = %s"
                      " AND tenant_id = %s AND state = 'queued' RETURNING id, now()",
                      (kind, tid))
            return c.fetchone()
    jid, due = wait_until(bring_forward, 15, what="a scheduled %s job" % kind)

    def done():
        # Run: queued again for its next period, finished after it was due.
        with db_super.cursor() as c:
            c.execute("SELECT 1 FROM job WHERE id = %s AND state = 'queued'"
                      " AND finished_at >= %s", (jid, due))
            return c.fetchone() is not None
    wait_until(done, 15, what="the %s job" % kind)


def test_popular_list_reads_the_last_30_days_as_the_job_left_them(acme, db_super):
    """/help's popular list and /api/kb/popular read the totals the
    kb.popular job keeps (every 5 minutes, not at each request): views of
    the 29th day back count once it has run, views of the 30th do not, and
    views that leave the window leave the list."""
    nc = {"X-Mpanel-No-Cache": "1"}
    with db_super.cursor() as c:
        c.execute("SELECT t.id, a.id, a.public_id FROM tenants t JOIN kb_articles a"
                  " ON a.tenant_id = t.id WHERE t.slug = 'acme' AND a.status = 'published'"
                  " ORDER BY a.id DESC LIMIT 2 OFFSET 5")
        (tid, inside, inside_pub), (_, outside, outside_pub) = c.fetchall()
        c.execute("INSERT INTO kb_views (tenant_id, article_id, day, slot, views) VALUES"
                  " (%s, %s, current_date - 29, 7, 1000000),"
                  " (%s, %s, current_date - 30, 7, 2000000)",
                  (tid, inside, tid, outside))

    def top(limit=3):
        return acme.get("/api/kb/popular", params={"limit": limit},
                        headers=nc).json()["articles"]
    try:
        run_scheduled(db_super, "kb.popular", tid)
        first = top()[0]
        assert first["id"] == inside_pub and first["views_30d"] >= 1000000
        assert outside_pub not in [a["id"] for a in top(10)]
        home = acme.get("/help", headers=nc).text
        assert re.findall(r'<h3><a href="(/help/articles/[^"]+)"', home)[0] == first["url"]
    finally:
        with db_super.cursor() as c:
            c.execute("DELETE FROM kb_views WHERE tenant_id = %s AND slot = 7"
                      " AND article_id IN (%s, %s) AND day >= current_date - 30",
                      (tid, inside, outside))
    run_scheduled(db_super, "kb.popular", tid)
    assert all(a["views_30d"] < 1000000 for a in top(10))


def test_retention_keeps_kb_stats_days(acme, db_super):
    """The daily kb.retention job: view and search rows older than
    kb_stats_days (400) go, the 400th day stays; "did you mean" words that
    no published article has go, the others stay."""
    w = unique_word()
    with db_super.cursor() as c:
        c.execute("SELECT t.id, a.id FROM tenants t JOIN kb_articles a ON a.tenant_id = t.id"
                  " WHERE t.slug = 'acme' AND a.status = 'published' ORDER BY a.id LIMIT 1")
        tid, aid = c.fetchone()
        c.execute("INSERT INTO kb_searches (tenant_id, day, query, slot, searches) VALUES"
                  " (%s, current_date - 401, %s, 0, 1), (%s, current_date - 400, %s, 0, 1)",
                  (tid, w, tid, w))
        c.execute("DELETE FROM kb_views WHERE tenant_id = %s AND article_id = %s"
                  " AND day < current_date - 399", (tid, aid))
        c.execute("INSERT INTO kb_views (tenant_id, article_id, day, slot, views) VALUES"
                  " (%s, %s, current_date - 401, 0, 7), (%s, %s, current_date - 400, 0, 5)",
                  (tid, aid, tid, aid))
        c.execute("INSERT INTO kb_words (tenant_id, word) VALUES (%s, %s)", (tid, w))

    run_scheduled(db_super, "kb.retention", tid)

    def rows(sql, *args):
        with db_super.cursor() as c:
            c.execute(sql, args)
            return c.fetchall()
    assert not rows("SELECT 1 FROM kb_words WHERE tenant_id = %s AND word = %s", tid, w)
    assert rows("SELECT current_date - day FROM kb_searches WHERE tenant_id = %s"
                " AND query = %s", tid, w) == [(400,)]
    assert rows("SELECT current_date - day, views FROM kb_views WHERE tenant_id = %s"
                " AND article_id = %s AND day < current_date - 399", tid, aid) == [(400, 5)]
    assert rows("SELECT 1 FROM kb_words WHERE tenant_id = %s AND word = 'certificate'", tid)


def test_a_full_search_table_loses_no_search(https, pool_extra, sh_stack, db_super):
    """A responder holds 128 distinct queries; the 129th and later are
    written by their requests at once, the held ones on exit."""
    w = unique_word()
    queries = ["%s%03d" % (w, i) for i in range(130)]

    def logged():
        with db_super.cursor() as c:
            c.execute("SELECT count(*), coalesce(sum(searches), 0) FROM kb_searches"
                      " WHERE query LIKE %s AND day = current_date", (w + "%",))
            return c.fetchone()
    name = "kbqfull"
    client = https("acme", port=pool_extra(name, workers=1, kb_count_flush=3600, page_cache=0,
                                           max_requests=100000))
    for q in queries:
        assert client.get("/help/search", params={"q": q}).status_code == 200
    assert logged() == (2, 2)  # 128 held, the rest written by their requests
    sh_stack("pool-extra-signal", name, "QUIT")
    wait_until(lambda: logged() == (130, 130), FLUSH_WAIT, what="all 130 searches")


def related_titles(client, url):
    """The titles under "Related articles" on an article's page."""
    html = client.get(url).text
    m = re.search(r'<aside class="kb-related".*?</aside>', html, re.S)
    return re.findall(r'<a href="[^"]*">([^<]*)</a>', m.group(0)) if m else []


def test_related_articles_follow_changes(staff, acme):
    """Lists are kept per article (kb_related): a new article sharing a tag
    shows up on the older one's page once the kb.related job has run; an
    archived or renamed one changes at once."""
    w = unique_word()
    old = create_article(staff, title="Older %s" % w, tags=[w], category="billing")
    new = create_article(staff, title="Newer %s" % w, tags=[w, "other"])
    # The saved article's own list is made in the save.
    assert "Older %s" % w in related_titles(acme, new["url"])
    wait_until(lambda: "Newer %s" % w in related_titles(acme, old["url"]), 10,
               what="the kb.related job to add the new article")
    r = staff_json(staff, "PUT", "/api/kb/admin/articles/" + new["id"],
                   {"title": "Renamed %s" % w})
    assert r.status_code == 200
    assert "Renamed %s" % w in related_titles(acme, old["url"])
    r = staff_json(staff, "PUT", "/api/kb/admin/articles/" + new["id"],
                   {"status": "archived"})
    assert r.status_code == 200
    assert not any(w in t for t in related_titles(acme, old["url"]))


def test_clicks_alone_are_not_searches(acme, staff, db_super):
    """A result link opened without a search that day (or any ?q= link)
    counts a click, never a search: the report does not list it."""
    w = unique_word()
    a = first_article(acme, "autoresponder")
    assert acme.get(a["url"], params={"q": w}).status_code == 200

    def row():
        with db_super.cursor() as c:
            c.execute("SELECT searches, clicks FROM kb_searches WHERE query = %s", (w,))
            return c.fetchall()
    wait_until(lambda: row() == [(0, 1)], FLUSH_WAIT, what="the click in kb_searches")
    s = staff.get("/api/kb/admin/stats").json()
    assert w not in [x["query"] for x in s["zero_result_searches"] + s["top_searches"]]
    assert w not in staff.get("/staff/help/report").text


def article_views(db, public_id):
    """(rollup rows, views) of an article today."""
    with db.cursor() as c:
        c.execute("SELECT count(*), coalesce(sum(views), 0) FROM kb_views v"
                  " JOIN kb_articles a ON a.tenant_id = v.tenant_id"
                  " AND a.id = v.article_id WHERE a.public_id = %s"
                  " AND v.day = current_date", (public_id,))
        return c.fetchone()


def test_views_roll_up_per_day(acme, db_super):
    a = first_article(acme, "autoresponder")
    before = article_views(db_super, a["id"])
    for _ in range(3):
        assert acme.get(a["url"]).status_code == 200
    assert acme.get("/api/kb/articles/" + a["slug"]).status_code == 200
    # Written by the idle responders within the flush interval, no further
    # request needed; a few rollup rows at most (one per responder slot),
    # never one per view.
    wait_until(lambda: article_views(db_super, a["id"])[1] >= before[1] + 4, FLUSH_WAIT,
               what="the views in kb_views")
    time.sleep(1.5)
    after = article_views(db_super, a["id"])
    assert 1 <= after[0] <= 4 and after[1] == before[1] + 4


def test_held_counts_are_written_when_a_responder_leaves(https, pool_extra, sh_stack,
                                                         db_super):
    """A pool that holds counts for an hour still writes them on a graceful
    stop (QUIT; also what recycling after max_requests does)."""
    name = "kbcounts"
    c = https("acme", port=pool_extra(name, workers=1, kb_count_flush=3600, page_cache=0,
                                      max_requests=100000))
    a = first_article(c, "autoresponder")
    before = article_views(db_super, a["id"])
    w = unique_word()
    for _ in range(5):
        assert c.get(a["url"]).status_code == 200
    assert c.get("/help/search", params={"q": w}).status_code == 200
    time.sleep(1.5)
    assert article_views(db_super, a["id"]) == before  # held, not written
    sh_stack("pool-extra-signal", name, "QUIT")
    wait_until(lambda: article_views(db_super, a["id"])[1] == before[1] + 5, FLUSH_WAIT,
               what="the held views written at exit")
    with db_super.cursor() as cur:
        cur.execute("SELECT sum(searches) FROM kb_searches WHERE query = %s", (w,))
        assert cur.fetchone()[0] == 1


def test_a_full_count_table_loses_no_view(stack, https, pool_extra, sh_stack, db_super):
    """A responder holds views of 512 articles; the views of a 513th and
    later are written by their requests at once, and the held ones on exit."""
    import psycopg2
    slug = "kbfull" + uuid.uuid4().hex[:8]
    sh_stack("mpanelctl", "tenant", "create", slug, "KB Full")
    conn = psycopg2.connect(host=stack["MP_PG_HOST"], port=stack["MP_PG_PORT"],
                            dbname=stack["MP_DB"], user=stack["MP_OWNER_ROLE"])
    with conn, conn.cursor() as c:
        c.execute("SELECT set_config('app.tenant_id', id::text, true)"
                  " FROM tenants WHERE slug = %s", (slug,))
        c.execute("INSERT INTO kb_articles (tenant_id, slug, title, body_text, status,"
                  " published_at) SELECT mp_tenant(), 'page-' || g, 'Page ' || g, 'Text.',"
                  " 'published', now() FROM generate_series(1, 520) g"
                  " RETURNING public_id, slug")
        pages = c.fetchall()
        c.execute("SELECT mp_tenant()")
        tid = c.fetchone()[0]
    conn.close()

    def views():
        with db_super.cursor() as c:
            c.execute("SELECT count(DISTINCT article_id), coalesce(sum(views), 0)"
                      " FROM kb_views WHERE tenant_id = %s", (tid,))
            return c.fetchone()
    name = "kbfull"
    # One responder that is not recycled (leaving writes what it holds).
    client = https(slug, port=pool_extra(name, workers=1, kb_count_flush=3600, page_cache=0,
                                         max_requests=100000))
    for pid, pslug in pages:
        assert client.get("/help/articles/%s-%s" % (pid, pslug)).status_code == 200
    assert views() == (8, 8)  # 512 held, the rest written by their requests
    sh_stack("pool-extra-signal", name, "QUIT")
    wait_until(lambda: views() == (520, 520), FLUSH_WAIT, what="all 520 views")


# -------------------------------------------------------------------- SEO

def test_sitemap_and_robots_per_host(https):
    acme, globex = https("acme"), https("globex")
    sm = acme.get("/sitemap.xml")
    assert sm.status_code == 200 and sm.headers["Content-Type"].startswith("application/xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", sm.text)
    assert all(l.startswith("https://acme.") for l in locs)
    assert len([l for l in locs if "/help/articles/" in l]) >= 40
    gl = re.findall(r"<loc>([^<]+)</loc>", globex.get("/sitemap.xml").text)
    assert all(l.startswith("https://globex.") for l in gl)
    assert not set(p.split("/help/articles/")[-1] for p in locs if "/articles/" in p) & \
        set(p.split("/help/articles/")[-1] for p in gl if "/articles/" in p)
    rb = acme.get("/robots.txt").text
    assert "Sitemap: https://acme." in rb and "/sitemap.xml" in rb
    assert "Disallow: /help/search" in rb


def test_atom_feed(acme):
    r = acme.get("/help/feed.atom")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/atom+xml")
    assert r.text.count("<entry>") == 20
    assert "<title>Acme Hosting help center</title>" in r.text


# -------------------------------------------------------------------- JSON

def test_json_endpoints_match_pages(acme):
    a = acme.get("/api/kb/articles/mixed-content").json()
    page = acme.get(a["url"]).text
    assert "<h1>%s</h1>" % a["title"] in page
    assert a["html"] in page
    assert [t["anchor"] if isinstance(t, dict) else t[1] for t in a["toc"]] == \
        re.findall(r'<li class="kb-toc-\d"><a href="#([^"]+)"', page)
    tag = acme.get("/api/kb/tags/wordpress").json()
    tag_page = acme.get("/help/tags/wordpress").text
    for art in tag["articles"][:10]:
        assert art["url"] in tag_page
    # Both made now: kept copies of the two may be from different moments
    # of a list that moves with the views (test_cache.py tests the copies).
    nc = {"X-Mpanel-No-Cache": "1"}
    pop = acme.get("/api/kb/popular", params={"limit": 8}, headers=nc).json()["articles"]
    home = acme.get("/help", headers=nc).text
    assert re.findall(r'<h3><a href="(/help/articles/[^"]+)"', home) == [p["url"] for p in pop]


# ------------------------------------------------------------------- staff

def test_staff_pages_need_staff(https):
    anon = https("acme")
    r = anon.get("/staff/help")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    assert anon.get("/api/kb/admin/articles").status_code == 401
    cust = https("acme")
    token = csrf_of(cust.get("/login").text)
    cust.post("/login", data={"email": "customer@acme.example",
                              "password": "Acme-customer-2026!", "csrf_token": token},
              headers={"Origin": cust.origin()})
    assert cust.get("/api/kb/admin/stats").status_code == 403


def test_staff_edit_flow_with_csrf_revisions_and_rename(staff, https, db_super):
    # Create through the form (preview first: nothing saved).
    html = staff.get("/staff/help/new").text
    token = csrf_of(html)
    w = unique_word()
    form = {"csrf_token": token, "title": "Editor test %s" % w, "slug": "",
            "summary": "Made in the editor.", "body": "## Steps\n\n1. One %s\n" % w,
            "category": "hosting", "tags": "Editor, test", "status": "draft",
            "meta_title": "", "meta_description": "", "locale": "en", "boost": "1"}
    r = staff.post("/staff/help/articles", data=dict(form, action="preview"),
                   headers={"Origin": staff.origin()})
    assert r.status_code == 200 and '<h2 id="steps">Steps</h2>' in r.text
    assert staff.get("/api/kb/admin/articles", params={"q": w}).json()["total"] == 0
    # Without the CSRF token: refused, nothing saved.
    r = staff.post("/staff/help/articles", data=dict(form, csrf_token="x", action="save"),
                   headers={"Origin": staff.origin()})
    assert r.status_code == 403
    assert staff.get("/api/kb/admin/articles", params={"q": w}).json()["total"] == 0
    # A bad field names itself and changes nothing.
    r = staff.post("/staff/help/articles", data=dict(form, tags="Bad Tag!", action="save"),
                   headers={"Origin": staff.origin()})
    assert r.status_code == 422 and "tag" in r.text.lower()
    assert staff.get("/api/kb/admin/articles", params={"q": w}).json()["total"] == 0
    r = staff.post("/staff/help/articles", data=dict(form, action="publish"),
                   headers={"Origin": staff.origin()})
    assert r.status_code == 303
    edit = r.headers["Location"].split("?")[0]
    pid = edit.rsplit("/", 1)[1]
    lst = staff.get("/api/kb/admin/articles", params={"q": w}).json()["articles"]
    assert [(x["id"], x["status"]) for x in lst] == [(pid, "published")]
    old_url = "/help/articles/%s-editor-test-%s" % (pid, w)
    assert staff.get(old_url).status_code == 200
    # Rename: new slug, the old URL 301s, a revision is kept.
    form2 = dict(form, csrf_token=csrf_of(staff.get(edit).text),
                 title="Renamed test %s" % w, slug="", status="published", action="save")
    r = staff.post(edit, data=form2, headers={"Origin": staff.origin()})
    assert r.status_code == 303
    r = staff.get(old_url)
    assert r.status_code == 301
    assert r.headers["Location"] == "/help/articles/%s-renamed-test-%s" % (pid, w)
    assert staff.get("/api/kb/articles/editor-test-%s" % w).json()["id"] == pid
    revs = staff.get(edit + "/revisions").text
    assert "Editor test %s" % w in revs
    # Restore revision 1: a new revision with the old title.
    r = staff.post(edit + "/revisions/1/restore",
                   data={"csrf_token": csrf_of(revs)}, headers={"Origin": staff.origin()})
    assert r.status_code == 303
    with db_super.cursor() as c:
        c.execute("SELECT title, revision, status FROM kb_articles WHERE public_id = %s", (pid,))
        # The text comes back; the status stays as it is now.
        assert c.fetchone() == ("Editor test %s" % w, 3, "published")
        c.execute("SELECT count(*) FROM kb_revisions r JOIN kb_articles a ON a.tenant_id ="
                  " r.tenant_id AND a.id = r.article_id WHERE a.public_id = %s", (pid,))
        assert c.fetchone()[0] == 2


def test_staff_json_api_and_stats(staff):
    w = unique_word()
    a = create_article(staff, title="Api %s" % w, excerpt="Via JSON", tags=["api", "json"],
                       category="billing", metaTitle="Meta %s" % w)
    assert a["tags"] == ["api", "json"] and a["category"] == "billing"
    assert a["meta_title"] == "Meta %s" % w and a["revision"] == 1
    r = staff_json(staff, "PUT", "/api/kb/admin/articles/" + a["id"], {"status": "archived"})
    assert r.status_code == 200 and r.json()["status"] == "archived"
    assert r.json()["title"] == "Api %s" % w and r.json()["revision"] == 2
    r = staff_json(staff, "POST", "/api/kb/admin/articles", {"title": "", "content": "x"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "title"
    r = staff_json(staff, "POST", "/api/kb/admin/articles",
                   {"title": "Bad cat", "category": "nope"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "category"
    r = staff_json(staff, "POST", "/api/kb/admin/articles",
                   {"title": "Too many tags", "tags": ["t%d" % i for i in range(21)]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "tags"
    s = staff.get("/api/kb/admin/stats").json()
    assert s["articles"]["published"] >= 45 and s["articles"]["draft"] >= 1
    assert "helpful_ratio" in s["votes"]
    assert isinstance(s["top_searches"], list) and isinstance(s["zero_result_searches"], list)
    report = staff.get("/staff/help/report")
    assert report.status_code == 200 and "Searches with no results" in report.text


def test_markdown_safety_on_save(staff, acme):
    w = unique_word()
    a = create_article(staff, title="Safety %s" % w, content=(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) [data](data:text/html,hi) [ok](https://example.org/)\n"))
    html = acme.get(a["url"]).text
    body = re.search(r'<div class="kb-body">(.*?)</div>', html, re.S).group(1)
    assert "<script" not in body and "onerror" not in body
    assert "javascript:" not in body and "data:text" not in body
    assert 'rel="nofollow ugc noopener" href="https://example.org/"' in body


def test_pathological_markdown_is_fast_or_refused(staff):
    cases = ["> " * 5000 + "x", "[" * 50000 + "x" + "]" * 50000,
             ("x|" * 64 + "\n") + ("-|" * 64 + "\n") + "y\n" * 700,
             "*a **a " * 20000, "# x\n" * 20000]
    for md in cases:
        t = time.monotonic()
        r = staff_json(staff, "POST", "/api/kb/admin/articles",
                       {"title": "Patho %s" % unique_word(), "content": md[:262144]})
        assert time.monotonic() - t < 1.5, md[:20]
        assert r.status_code in (201, 400), r.text[:200]
    wide = ("x|" * 3000 + "\n") + ("-|" * 3000 + "\n") + "y\n" * 60000
    t = time.monotonic()
    r = staff_json(staff, "POST", "/api/kb/admin/articles",
                   {"title": "Wide", "content": wide[:262144]})
    assert time.monotonic() - t < 1.0
    assert r.status_code == 400 and r.json()["error"]["field"] == "body"


def test_body_size_limit(staff):
    ok = "a" * 262144
    r = staff_json(staff, "POST", "/api/kb/admin/articles",
                   {"title": "Big %s" % unique_word(), "content": ok, "status": "draft"})
    assert r.status_code == 201
    r = staff_json(staff, "POST", "/api/kb/admin/articles",
                   {"title": "Too big", "content": ok + "a", "status": "draft"})
    assert r.status_code in (400, 413)


# ------------------------------------------------------------ categories

def category_rows(db_super, slug_like):
    with db_super.cursor() as c:
        c.execute("SELECT c.slug, c.name, coalesce(p.slug, ''), c.position"
                  " FROM kb_categories c LEFT JOIN kb_categories p"
                  " ON p.tenant_id = c.tenant_id AND p.id = c.parent_id"
                  " JOIN tenants t ON t.id = c.tenant_id"
                  " WHERE t.slug = 'acme' AND c.slug LIKE %s ORDER BY c.slug", (slug_like,))
        return c.fetchall()


def test_staff_manage_categories_through_the_form(staff, acme, https, db_super):
    w = unique_word()
    page = staff.get("/staff/help/categories")
    assert page.status_code == 200 and "Domains and DNS" in page.text
    token = csrf_of(page.text)
    post = lambda path, **f: staff.post(path, data=dict(f, csrf_token=token),
                                        headers={"Origin": staff.origin()})
    r = post("/staff/help/categories", name="Email %s" % w, slug="", description="Mail",
             parent="", position="5")
    assert r.status_code == 303 and "saved=email-%s" % w in r.headers["Location"]
    # The list after a save says so; the edit page shows the category (a
    # regression: both pages share the form, and the edit page read a field
    # only the list declares).
    saved = staff.get(r.headers["Location"])
    assert saved.status_code == 200
    assert "Category &ldquo;email-%s&rdquo; saved." % w in saved.text
    edit = staff.get("/staff/help/categories/email-" + w)
    assert edit.status_code == 200 and 'value="Email %s"' % w in edit.text
    r = post("/staff/help/categories", name="Spam %s" % w, slug="spam-%s" % w,
             description="", parent="email-%s" % w, position="")
    assert r.status_code == 303
    assert category_rows(db_super, "%%-" + w) == [
        ("email-%s" % w, "Email %s" % w, "", 5), ("spam-%s" % w, "Spam %s" % w, "email-%s" % w, 0)]
    assert acme.get("/help/categories/spam-" + w).status_code == 200
    # Bad input names the field; nothing changes.
    for fields, status, field in [
            (dict(name="", slug="x-" + w), 422, "name"),
            (dict(name="  \t ", slug="y-" + w), 422, "name"),
            (dict(name="Bad", slug="Bad Slug!"), 422, "slug"),
            (dict(name="Dup", slug="spam-" + w), 409, "slug"),
            (dict(name="Deep", slug="deep-" + w, parent="spam-" + w), 422, "parent"),
            (dict(name="Nowhere", slug="nw-" + w, parent="no-such-" + w), 422, "parent"),
            (dict(name="Pos", slug="pos-" + w, position="1e9"), 422, "position")]:
        r = post("/staff/help/categories", **dict(dict(description="", parent="",
                                                        position="0"), **fields))
        assert r.status_code == status, (fields, r.status_code)
        assert 'name="%s"' % field in r.text and 'aria-invalid="true"' in r.text
    assert len(category_rows(db_super, "%%-" + w)) == 2
    # A category with children stays at the top level.
    r = post("/staff/help/categories/email-" + w, name="Email %s" % w, slug="email-" + w,
             description="", parent="billing", position="5")
    assert r.status_code == 422 and "top level" in r.text
    # Rename and move the child to the top; delete it once empty.
    r = post("/staff/help/categories/spam-" + w, name="Junk %s" % w, slug="junk-" + w,
             description="", parent="", position="1")
    assert r.status_code == 303
    assert category_rows(db_super, "junk-" + w) == [("junk-%s" % w, "Junk %s" % w, "", 1)]
    assert acme.get("/help/categories/junk-" + w).status_code == 200
    create_article(staff, title="Filed %s" % w, category="junk-" + w)
    r = post("/staff/help/categories/junk-%s/delete" % w)
    assert r.status_code == 409 and "Only an empty category" in r.text
    assert category_rows(db_super, "junk-" + w)
    r = post("/staff/help/categories/email-%s/delete" % w)
    assert r.status_code == 303
    assert category_rows(db_super, "email-" + w) == []
    # Customers and visitors do not get in.
    assert https("acme").get("/staff/help/categories", allow_redirects=False).status_code \
        in (302, 303, 401)


def test_categories_json_api(staff, db_super):
    w = unique_word()
    r = staff_json(staff, "POST", "/api/kb/admin/categories",
                   {"name": "Api %s" % w, "description": "<b>x</b>", "position": "3"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c == {"slug": "api-" + w, "name": "Api %s" % w, "description": "<b>x</b>",
                 "parent": None, "position": 3, "articles": 0, "children": 0}
    assert r.headers["Location"] == "/api/kb/admin/categories/api-" + w
    r = staff_json(staff, "POST", "/api/kb/admin/categories",
                   {"name": "Sub %s" % w, "parent": "api-" + w})
    assert r.status_code == 201 and r.json()["parent"] == "api-" + w
    lst = staff.get("/api/kb/admin/categories").json()["categories"]
    mine = [x for x in lst if x["slug"].endswith(w)]
    assert [x["slug"] for x in mine] == ["api-" + w, "sub-" + w]
    assert mine[0]["children"] == 1
    r = staff_json(staff, "PUT", "/api/kb/admin/categories/sub-" + w, {"position": "7"})
    assert r.status_code == 200 and r.json()["position"] == 7 and r.json()["name"] == "Sub %s" % w
    r = staff_json(staff, "POST", "/api/kb/admin/categories", {"name": "Sub %s" % w})
    assert r.status_code == 409 and r.json()["error"]["field"] == "slug"
    r = staff_json(staff, "PUT", "/api/kb/admin/categories/api-" + w, {"parent": "billing"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "parent"
    r = staff_json(staff, "DELETE", "/api/kb/admin/categories/api-" + w, None)
    assert r.status_code == 409
    assert staff_json(staff, "DELETE", "/api/kb/admin/categories/sub-" + w, None).status_code == 204
    assert staff_json(staff, "DELETE", "/api/kb/admin/categories/api-" + w, None).status_code == 204
    assert category_rows(db_super, "%%-" + w) == []
    # Without the CSRF token: refused.
    r = staff.post("/api/kb/admin/categories", json={"name": "No %s" % w},
                   headers={"Origin": staff.origin()})
    assert r.status_code == 403
    assert category_rows(db_super, "%%-" + w) == []


def test_article_structured_data_survives_a_hostile_title(staff, acme):
    """The page's JSON-LD (Article and BreadcrumbList) says what the page
    says, and a title with markup in it cannot end the script element."""
    w = unique_word()
    title = 'Fix </script><script>alert(1)</script> & "quotes" %s' % w
    a = create_article(staff, title=title, category="dns-records",
                       excerpt="<b>Bold</b> & summary")
    html = acme.get(a["url"]).text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    text = blocks[0]
    assert "<" not in text and ">" not in text and "&" not in text
    article, crumbs = json.loads(text)
    canon = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
    assert article["@type"] == "Article" and article["headline"] == title
    assert article["description"] == "<b>Bold</b> & summary"
    assert article["mainEntityOfPage"] == canon and article["inLanguage"] == "en"
    assert article["publisher"]["@type"] == "Organization"
    assert crumbs["@type"] == "BreadcrumbList"
    items = crumbs["itemListElement"]
    # Help center, the parent category, the category, the article.
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    assert [i["name"] for i in items] == ["Help center", "Domains and DNS",
                                          "DNS records", title]
    assert items[1]["item"].endswith("/help/categories/domains-dns")
    assert items[2]["item"].endswith("/help/categories/dns-records")
    assert items[3]["item"] == canon
    # The JSON API gives the same title, as it is.
    assert acme.get("/api/kb/articles/" + a["slug"]).json()["title"] == title


# ---------------------------------------------------------- translations

def alternates(html):
    """hreflang -> href of the page's alternate links."""
    return {m.group(2): m.group(1) for m in re.finditer(
        r'<link rel="alternate" href="([^"]+)" hreflang="([^"]+)">', html)}


def test_translations_link_each_other_with_hreflang(staff, acme):
    w = unique_word()
    en = create_article(staff, title="Original %s" % w, locale="en")
    de = create_article(staff, title="Anleitung %s" % w, locale="de", translation_of=en["id"])
    assert de["translation_of"] == en["id"] and en["translation_of"] is None
    create_article(staff, title="Brouillon %s" % w, locale="fr", translation_of=en["id"],
                   status="draft")
    en_html, de_html = acme.get(en["url"]).text, acme.get(de["url"]).text
    canon = lambda h: re.search(r'<link rel="canonical" href="([^"]+)"', h).group(1)
    # Each page names the other and itself; the draft is nobody's alternate.
    assert alternates(en_html) == {"en": canon(en_html), "de": canon(de_html)}
    assert alternates(de_html) == alternates(en_html)
    assert 'class="kb-translations"' in en_html and 'hreflang="de" lang="de">de</a>' in en_html
    j = acme.get("/api/kb/articles/" + de["slug"]).json()
    assert j["translations"] == [{"locale": "en", "id": en["id"], "slug": en["slug"],
                                  "url": en["url"]}]
    # One level, another language, an existing article: else 400, nothing saved.
    es = create_article(staff, title="Guia %s" % w, locale="es")
    for body in [{"title": "Same %s" % w, "locale": "en", "translation_of": en["id"]},
                 {"title": "Chain %s" % w, "locale": "it", "translation_of": de["id"]},
                 {"title": "Nowhere %s" % w, "locale": "it", "translation_of": "000000000000"}]:
        r = staff_json(staff, "POST", "/api/kb/admin/articles", body)
        assert r.status_code == 400 and r.json()["error"]["field"] == "translation_of", body
    r = staff_json(staff, "PUT", "/api/kb/admin/articles/" + en["id"],
                   {"translation_of": es["id"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "translation_of"
    r = staff_json(staff, "PUT", "/api/kb/admin/articles/" + de["id"],
                   {"translation_of": de["id"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "translation_of"
    assert staff.get("/api/kb/admin/articles", params={"q": w}).json()["total"] == 4
    # Unlinked: no alternates any more.
    r = staff_json(staff, "PUT", "/api/kb/admin/articles/" + de["id"], {"translation_of": ""})
    assert r.status_code == 200 and r.json()["translation_of"] is None
    assert alternates(acme.get(en["url"]).text) == {}
    assert 'class="kb-translations"' not in acme.get(en["url"]).text


COUNT_RE = re.compile(r'href="/help/categories/([a-z0-9-]+)">[^<]*</a> '
                      r'<span class="kb-count">\(?(\d+)')


def owner_tenant(stack, https, prefix, name):
    """A new tenant for changes made straight in SQL: its slug, a cursor of
    the owner role (autocommit), sql(query, args) that binds the tenant
    and runs the query on that cursor, and a client of the tenant's site
    that bypasses the page cache."""
    import helpers
    import psycopg2
    slug = prefix + uuid.uuid4().hex[:8]
    helpers.sh_stack("mpanelctl", "tenant", "create", slug, name)
    conn = psycopg2.connect(host=stack["MP_PG_HOST"], port=stack["MP_PG_PORT"],
                            dbname=stack["MP_DB"], user=stack["MP_OWNER_ROLE"])
    conn.autocommit = True
    c = conn.cursor()

    def sql(q, args=()):
        c.execute("SELECT set_config('app.tenant_id', id::text, false)"
                  " FROM tenants WHERE slug = %s", (slug,))
        c.execute(q, args)
    client = https(slug)
    client.session.headers["X-Mpanel-No-Cache"] = "1"
    return slug, conn, c, sql, client


def test_category_counts_follow_every_change(stack, https):
    """The help center's home shows each category's published articles,
    its subcategories' included (migration 0033 keeps them counted): the
    counts follow publishing, unpublishing, moving, deleting, a draft
    published straight into a subcategory and a subcategory moved to
    another parent, as a model of the same changes says."""
    slug, conn, c, sql, client = owner_tenant(stack, https, "kbcnt", "KB Counts")
    cats = {"alpha": None, "beta": None, "alpha-one": "alpha"}   # slug: parent
    arts = {}                                                  # slug: [cat, status]

    def cat_id(s):
        return "(SELECT id FROM kb_categories WHERE slug = '%s')" % s

    for s, parent in cats.items():
        sql("INSERT INTO kb_categories (tenant_id, slug, name, parent_id)"
            " VALUES (mp_tenant(), %s, %s, (SELECT id FROM kb_categories"
            " WHERE slug = %s))", (s, s.title(), parent))

    def add(s, cat, status):
        sql("INSERT INTO kb_articles (tenant_id, slug, title, body_text, status,"
            " published_at, category_id) VALUES (mp_tenant(), %s, %s, 'Body.',"
            " %s, now(), " + (cat_id(cat) if cat else "NULL") + ")",
            (s, s.title(), status))
        arts[s] = [cat, status]

    def expected():
        out = {}
        for s, parent in cats.items():
            out[s] = sum(1 for a in arts.values() if a[1] == "published" and
                         (a[0] == s or (a[0] and cats[a[0]] == s)))
        return out

    def shown():
        r = client.get("/help")
        assert r.status_code == 200
        return {m.group(1): int(m.group(2)) for m in COUNT_RE.finditer(r.text)}

    for i in range(3):
        add("a%d" % i, "alpha", "published")
    for i in range(2):
        add("a1-%d" % i, "alpha-one", "published")
    for i in range(4):
        add("b%d" % i, "beta", "published")
    add("draft-a", "alpha", "draft")
    add("draft-a1", "alpha-one", "draft")
    add("loose", None, "published")
    assert shown() == expected() == {"alpha": 5, "beta": 4, "alpha-one": 2}

    def change(q, args, s, **kw):
        sql(q, args)
        for k, v in kw.items():
            arts[s][{"cat": 0, "status": 1}[k]] = v
        assert shown() == expected(), q

    change("UPDATE kb_articles SET status = 'published' WHERE slug = %s",
           ("draft-a",), "draft-a", status="published")
    change("UPDATE kb_articles SET status = 'published' WHERE slug = %s",
           ("draft-a1",), "draft-a1", status="published")
    change("UPDATE kb_articles SET status = 'archived' WHERE slug = %s",
           ("b0",), "b0", status="archived")
    change("UPDATE kb_articles SET category_id = " + cat_id("beta") +
           " WHERE slug = %s", ("a1-0",), "a1-0", cat="beta")
    change("UPDATE kb_articles SET category_id = NULL WHERE slug = %s",
           ("a0",), "a0", cat=None)
    change("UPDATE kb_articles SET category_id = " + cat_id("alpha-one") +
           " WHERE slug = %s", ("loose",), "loose", cat="alpha-one")
    # A change that touches neither the status nor the category.
    change("UPDATE kb_articles SET title = 'Renamed' WHERE slug = %s",
           ("b1",), "b1")
    sql("DELETE FROM kb_articles WHERE slug = %s", ("b2",))
    del arts["b2"]
    assert shown() == expected()
    # Moved and unpublished in one statement, and a deleted draft.
    change("UPDATE kb_articles SET category_id = " + cat_id("alpha") +
           ", status = 'draft' WHERE slug = %s", ("b3",), "b3",
           cat="alpha", status="draft")
    sql("DELETE FROM kb_articles WHERE slug = %s", ("draft-a",))
    del arts["draft-a"]
    assert shown() == expected()
    # The subcategory moves under beta: its articles count there now.
    sql("UPDATE kb_categories SET parent_id = " + cat_id("beta") +
        " WHERE slug = 'alpha-one'")
    cats["alpha-one"] = "beta"
    got = shown()
    assert got == expected(), got
    assert got["alpha"] < 5 and got["beta"] > got["alpha-one"] > 0
    conn.close()


def test_article_links_follow_every_change(stack, https):
    """An article page's related articles and translations are stored as
    the page shows them (migration 0034); triggers keep them true.  A
    seeded run of random changes made straight in SQL (renames, new
    addresses, publishing, archiving, deleting, translations linked and
    unlinked, languages, new lists, several articles in one statement)
    is checked after every change against a model of what the page must
    show, in the database and on pages."""
    import random
    slug, conn, c, sql, client = owner_tenant(stack, https, "kblinks", "KB Links")
    rnd = random.Random(34)
    arts = {}   # id: {public_id, slug, title, status, locale, of}
    rel = {}    # id: [ids], the kb_related rows there are
    serial = iter(range(10 ** 6))

    def add(status, locale="en", of=None):
        n = next(serial)
        s, t = "art-%d" % n, "Article %d" % n
        sql("INSERT INTO kb_articles (tenant_id, slug, title, body_text, status,"
            " published_at, locale, translation_of) VALUES (mp_tenant(), %s, %s,"
            " 'Body.', %s, now(), %s, %s) RETURNING id, public_id",
            (s, t, status, locale, of))
        i, pub = c.fetchone()
        arts[i] = {"public_id": pub, "slug": s, "title": t, "status": status,
                   "locale": locale, "of": of}
        return i

    def relate(i, ids):
        sql("INSERT INTO kb_related (tenant_id, article_id, ids) VALUES"
            " (mp_tenant(), %s, %s) ON CONFLICT (tenant_id, article_id)"
            " DO UPDATE SET ids = EXCLUDED.ids", (i, ids))
        rel[i] = list(ids)

    def links(i):
        out = [[arts[x]["public_id"], arts[x]["slug"], arts[x]["title"]]
               for x in rel[i] if x in arts and arts[x]["status"] == "published"]
        return out or None

    def translations(i):
        a = arts[i]
        group = a["of"] or i
        out = sorted([t["locale"], t["public_id"], t["slug"]]
                     for j, t in arts.items()
                     if t["status"] == "published" and t["locale"] != a["locale"] and
                     j != i and (j == a["of"] or t["of"] == group))
        return out or None

    def check(what):
        sql("SELECT article_id, links FROM kb_related")
        assert dict(c.fetchall()) == {i: links(i) for i in rel}, what
        sql("SELECT id, translations FROM kb_articles")
        got = {i: sorted(t) if t else t for i, t in c.fetchall()}
        assert got == {i: translations(i) for i in arts}, what

    def check_page(i):
        a = arts[i]
        html = client.get("/help/articles/%s-%s" % (a["public_id"], a["slug"])).text
        assert related_titles(client, "/help/articles/%s-%s" % (a["public_id"], a["slug"])) \
            == [x[2] for x in links(i) or []]
        langs = {t[0] for t in translations(i) or []}
        assert set(alternates(html)) == (langs | {a["locale"]} if langs else set())

    def pick(cond=lambda a: True):
        ids = [i for i, a in arts.items() if cond(a)]
        return rnd.choice(ids) if ids else None

    def solo(i):
        """Neither a translation nor anyone's original: free to link."""
        return arts[i]["of"] is None and not any(a["of"] == i for a in arts.values())

    for _ in range(8):
        add(rnd.choice(["published", "published", "draft"]), rnd.choice(["en", "de", "fr"]))
    for i in list(arts):
        relate(i, rnd.sample([x for x in arts if x != i], 3))
    check("set-up")

    for step in range(70):
        op = rnd.choice(["title", "slug", "status", "delete", "link", "unlink", "locale",
                         "relate", "insert", "many"])
        i = pick()
        if op == "title":
            t = "Title %d" % next(serial)
            sql("UPDATE kb_articles SET title = %s WHERE id = %s", (t, i))
            arts[i]["title"] = t
        elif op == "slug":
            s = "moved-%d" % next(serial)
            sql("UPDATE kb_articles SET slug = %s WHERE id = %s", (s, i))
            arts[i]["slug"] = s
        elif op == "status":
            s = rnd.choice(["published", "draft", "archived"])
            sql("UPDATE kb_articles SET status = %s WHERE id = %s", (s, i))
            arts[i]["status"] = s
        elif op == "delete" and len(arts) > 6:
            # An original with translations cannot go (a foreign key).
            if any(a["of"] == i for a in arts.values()):
                continue
            sql("DELETE FROM kb_articles WHERE id = %s", (i,))
            del arts[i]
            rel.pop(i, None)
        elif op == "link":
            orig = pick(lambda a: a["of"] is None)
            if orig is None or not solo(i) or i == orig:
                continue
            sql("UPDATE kb_articles SET translation_of = %s WHERE id = %s", (orig, i))
            arts[i]["of"] = orig
        elif op == "unlink":
            i = pick(lambda a: a["of"] is not None)
            if i is None:
                continue
            sql("UPDATE kb_articles SET translation_of = NULL WHERE id = %s", (i,))
            arts[i]["of"] = None
        elif op == "locale":
            loc = rnd.choice(["en", "de", "fr", "es"])
            sql("UPDATE kb_articles SET locale = %s WHERE id = %s", (loc, i))
            arts[i]["locale"] = loc
        elif op == "relate":
            others = [x for x in arts if x != i]
            relate(i, rnd.sample(others, min(len(others), rnd.randint(0, 5))))
        elif op == "insert":
            orig = pick(lambda a: a["of"] is None) if rnd.random() < 0.5 else None
            j = add(rnd.choice(["published", "draft"]), rnd.choice(["en", "de", "fr"]), orig)
            relate(j, rnd.sample([x for x in arts if x != j], 2))
        else:
            ids = rnd.sample(list(arts), 3)
            sql("UPDATE kb_articles SET title = title || '+', status = 'published'"
                " WHERE id = ANY (%s)", (ids,))
            for x in ids:
                arts[x]["title"] += "+"
                arts[x]["status"] = "published"
        check("step %d: %s" % (step, op))
        shown = pick(lambda a: a["status"] == "published")
        if step % 5 == 0 and shown is not None:
            check_page(shown)
    # The run covered groups with translations.
    assert any(translations(i) for i in arts)
    conn.close()


def test_a_rename_and_the_related_job_wait_for_each_other(stack):
    """A save renaming an article rewrites the links of the lists naming it
    while the kb.related job may be setting the ids of the same lists.
    One lock per tenant (migration 0034) orders them: the job holding one
    list and then taking another never meets the rename holding the second
    and waiting for the first (PostgreSQL's deadlock error, before)."""
    import threading
    import helpers
    import psycopg2
    slug = "kblock" + uuid.uuid4().hex[:8]
    helpers.sh_stack("mpanelctl", "tenant", "create", slug, "KB Lock")

    def connect():
        conn = psycopg2.connect(host=stack["MP_PG_HOST"], port=stack["MP_PG_PORT"],
                                dbname=stack["MP_DB"], user=stack["MP_OWNER_ROLE"])
        with conn.cursor() as c:
            c.execute("SELECT set_config('app.tenant_id', id::text, false)"
                      " FROM tenants WHERE slug = %s", (slug,))
        conn.commit()
        return conn
    setup, job, save = connect(), connect(), connect()
    ids = []
    with setup.cursor() as c:
        for n in range(3):
            c.execute("INSERT INTO kb_articles (tenant_id, slug, title, status)"
                      " VALUES (mp_tenant(), %s, %s, 'published') RETURNING id",
                      ("lock-%d" % n, "Lock %d" % n))
            ids.append(c.fetchone()[0])
        x, one, two = ids
        for a in (one, two):
            c.execute("INSERT INTO kb_related (tenant_id, article_id, ids)"
                      " VALUES (mp_tenant(), %s, %s)", (a, [x]))
    setup.commit()
    errors = []
    jc = job.cursor()
    jc.execute("UPDATE kb_related SET ids = %s WHERE article_id = %s", ([x], two))

    def rename():
        try:
            with save.cursor() as c:
                c.execute("UPDATE kb_articles SET title = 'Renamed lock' WHERE id = %s", (x,))
            save.commit()
        except psycopg2.Error as e:
            errors.append(e)
            save.rollback()
    t = threading.Thread(target=rename)
    t.start()
    time.sleep(0.5)
    try:
        jc.execute("UPDATE kb_related SET ids = %s WHERE article_id = %s", ([x], one))
        job.commit()
    except psycopg2.Error as e:
        errors.append(e)
        job.rollback()
    t.join(10)
    assert not t.is_alive() and errors == []
    with setup.cursor() as c:
        c.execute("SELECT k.links->0->>2 FROM kb_related k ORDER BY article_id")
        assert [r[0] for r in c.fetchall()] == ["Renamed lock", "Renamed lock"]
    for conn in (setup, job, save):
        conn.close()


def test_breadcrumbs_and_cards_follow_category_changes(stack, https):
    """An article keeps its category's and that category's parent's slug
    and name (migration 0035) for its page's breadcrumb and every card.
    After each change made straight in SQL (a category renamed, given a
    new address, moved under another parent or to the top, an article
    filed elsewhere or nowhere, a new article, a category deleted), the
    stored names, the breadcrumbs and the cards of the JSON list match a
    model of the categories."""
    import html as html_module
    slug, conn, c, sql, client = owner_tenant(stack, https, "kbcrumb", "KB Crumbs")
    cats = {}   # slug: [name, parent slug]
    arts = {}   # slug: category slug or None

    def cat_id(s):
        return "(SELECT id FROM kb_categories WHERE slug = '%s')" % s if s else "NULL"

    def add_cat(s, name, parent=None):
        sql("INSERT INTO kb_categories (tenant_id, slug, name, parent_id)"
            " VALUES (mp_tenant(), %s, %s, " + cat_id(parent) + ")", (s, name))
        cats[s] = [name, parent]

    def add_art(s, cat):
        sql("INSERT INTO kb_articles (tenant_id, slug, title, status, published_at,"
            " category_id) VALUES (mp_tenant(), %s, %s, 'published', now(), "
            + cat_id(cat) + ")", (s, s.title()))
        arts[s] = cat

    def expected(s):
        cat = arts[s]
        if cat is None:
            return (None, None, None, None)
        name, parent = cats[cat]
        return (cat, name, parent, cats[parent][0] if parent else None)

    def crumbs(s):
        sql("SELECT public_id FROM kb_articles WHERE slug = %s", (s,))
        html = client.get("/help/articles/%s-%s" % (c.fetchone()[0], s)).text
        nav = re.search(r'<nav class="kb-crumbs".*?</nav>', html, re.S).group(0)
        return [(x, html_module.unescape(n)) for x, n in
                re.findall(r'href="/help/categories/([^"]+)">([^<]*)</a>', nav)]

    def check(what):
        sql("SELECT slug, category_slug, category_name, parent_slug, parent_name"
            " FROM kb_articles")
        assert {r[0]: r[1:] for r in c.fetchall()} == {s: expected(s) for s in arts}, what
        for s in arts:
            cs, cn, ps, pn = expected(s)
            assert crumbs(s) == [(x, n) for x, n in ((ps, pn), (cs, cn)) if x], (what, s)
        cards = client.get("/api/kb/articles", params={"limit": 50}).json()["articles"]
        assert {a["slug"]: a["category"] for a in cards} == {
            s: {"slug": expected(s)[0], "name": expected(s)[1]} if arts[s] else None
            for s in arts}, what

    add_cat("alpha", "Alpha")
    add_cat("beta", "Beta", "alpha")
    add_cat("gamma", "Gamma")
    add_art("in-beta", "beta")
    add_art("in-alpha", "alpha")
    add_art("in-gamma", "gamma")
    add_art("loose", None)
    check("set-up")

    sql("UPDATE kb_categories SET name = 'Beta & Co <b>' WHERE slug = 'beta'")
    cats["beta"][0] = "Beta & Co <b>"
    check("child renamed")
    sql("UPDATE kb_categories SET name = 'Alpha Prime' WHERE slug = 'alpha'")
    cats["alpha"][0] = "Alpha Prime"
    check("parent renamed")
    sql("UPDATE kb_categories SET slug = 'alpha-two' WHERE slug = 'alpha'")
    cats["alpha-two"] = cats.pop("alpha")
    cats["beta"][1] = "alpha-two"
    arts = {s: ("alpha-two" if v == "alpha" else v) for s, v in arts.items()}
    check("parent's new address")
    sql("UPDATE kb_categories SET parent_id = " + cat_id("gamma") + " WHERE slug = 'beta'")
    cats["beta"][1] = "gamma"
    check("moved under another parent")
    sql("UPDATE kb_categories SET parent_id = NULL WHERE slug = 'beta'")
    cats["beta"][1] = None
    check("moved to the top")
    sql("UPDATE kb_categories SET parent_id = " + cat_id("beta") + " WHERE slug = 'gamma'")
    cats["gamma"][1] = "beta"
    check("another category moved under it")
    sql("UPDATE kb_articles SET category_id = " + cat_id("gamma") + " WHERE slug = 'loose'")
    arts["loose"] = "gamma"
    check("an article filed")
    sql("UPDATE kb_articles SET category_id = NULL WHERE slug = 'in-alpha'")
    arts["in-alpha"] = None
    check("an article unfiled")
    add_art("new-in-gamma", "gamma")
    check("a new article")
    # A change that leaves the names alone touches no article.
    sql("SELECT max(xmin::text::bigint) FROM kb_articles")
    before = c.fetchone()[0]
    sql("UPDATE kb_categories SET description = 'Words.', position = 3 WHERE slug = 'beta'")
    sql("SELECT max(xmin::text::bigint) FROM kb_articles")
    assert c.fetchone()[0] == before
    check("description changed")
    sql("UPDATE kb_articles SET category_id = " + cat_id("beta") +
        " WHERE category_id = " + cat_id("gamma"))
    arts = {s: ("beta" if v == "gamma" else v) for s, v in arts.items()}
    sql("DELETE FROM kb_categories WHERE slug = 'gamma'")
    del cats["gamma"]
    check("a category emptied and deleted")
    conn.close()
