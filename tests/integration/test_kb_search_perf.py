"""Help-center search through the GIN index (issue 4, migration 0006): the
SECURITY DEFINER function mp_kb_search() runs as mpanel_search, which bypasses
row-level security, so it must return nothing of another tenant's, nothing
without app.tenant_id, never a draft or archived article, and only ids and
ranks; the app role stays bound by row-level security.  At most 1,000
matches are ranked and counted, and the pages and JSON say so."""

import uuid

import psycopg2
import pytest

from test_kb import create_article, sign_in, unique_word

FN = ("mp_kb_search(text, text, text, text, integer, integer, bigint,"
      " tsquery[], boolean, bigint[], tsquery)")


@pytest.fixture
def staff(https):
    return sign_in(https("acme"), "support@acme.example")


def tenant_id(db_super, slug):
    with db_super.cursor() as c:
        c.execute("SELECT id FROM tenants WHERE slug = %s", (slug,))
        return c.fetchone()[0]


def search(conn, tenant, q, lim=100, off=0, tag=None, cat=None):
    """Rows of mp_kb_search as the connection's role, in a transaction
    acting for tenant (None: app.tenant_id unset)."""
    with conn.cursor() as c:
        c.execute("BEGIN")
        try:
            if tenant is not None:
                c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant),))
            c.execute("SELECT * FROM mp_kb_search(%s, 'en', %s, %s, %s, %s)",
                      (q, tag, cat, lim, off))
            return c.fetchall()
        finally:
            c.execute("ROLLBACK")


def owners(db_super, ids):
    """{id: (tenant slug, status)} of article ids, read as the superuser."""
    with db_super.cursor() as c:
        c.execute("SELECT a.id, t.slug, a.status FROM kb_articles a"
                  " JOIN tenants t ON t.id = a.tenant_id WHERE a.id = ANY(%s)",
                  (list(ids),))
        return {r[0]: (r[1], r[2]) for r in c.fetchall()}


def article_id(db_super, public_id):
    with db_super.cursor() as c:
        c.execute("SELECT id FROM kb_articles WHERE public_id = %s", (public_id,))
        return c.fetchone()[0]


# ------------------------------------------------------------- isolation

def test_function_returns_only_the_callers_published_articles(staff, https, db_app,
                                                              db_super):
    w = unique_word()
    pub = create_article(staff, title="Published %s" % w)
    create_article(staff, title="Draft %s" % w, status="draft")
    create_article(staff, title="Archived %s" % w, status="archived")
    acme, globex = tenant_id(db_super, "acme"), tenant_id(db_super, "globex")

    rows = search(db_app, acme, w)
    assert [r[0] for r in rows] == [article_id(db_super, pub["id"])]
    # Another tenant, no tenant, an empty tenant: nothing.
    assert search(db_app, globex, w) == []
    assert search(db_app, None, w) == []
    assert search(db_app, "", w) == []
    # And the pages agree: drafts and archived articles never show.
    j = https("acme").get("/api/kb/articles", params={"q": w}).json()
    assert [a["id"] for a in j["articles"]] == [pub["id"]] and j["total"] == 1
    assert https("globex").get("/api/kb/articles", params={"q": w}).json()["total"] == 0


def test_function_never_crosses_tenants_on_common_words(db_app, db_super):
    for slug in ("acme", "globex"):
        t = tenant_id(db_super, slug)
        for q in ("ssl certificate", "email", "dns", "backup or wordpress"):
            rows = search(db_app, t, q)
            assert rows, (slug, q)
            assert set(owners(db_super, [r[0] for r in rows]).values()) == \
                {(slug, "published")}, (slug, q)


def test_function_returns_ids_and_ranks_only(db_app, db_super):
    with db_app.cursor() as c:
        c.execute("BEGIN")
        c.execute("SELECT set_config('app.tenant_id', %s, true)",
                  (str(tenant_id(db_super, "acme")),))
        c.execute("SELECT * FROM mp_kb_search('email', 'en', NULL, NULL, 5, 0)")
        assert [d.name for d in c.description] == \
            ["article_id", "score", "matches", "capped", "pos", "coverage", "fired", "hq",
             "gen", "concepts", "as_typed"]
        rows = c.fetchall()
        c.execute("ROLLBACK")
    assert [r[4] for r in rows] == list(range(1, len(rows) + 1))
    assert all(isinstance(r[1], float) and r[1] > 0 for r in rows)
    assert all(0 < r[5] <= 1 for r in rows)


def search_memo(conn, tenant, q, memo=(None, None, None, None, None), lim=10):
    """Rows of mp_kb_search for q given a memo of an expansion (gen,
    concepts, as_typed, fired, hq), as the pool passes it (migration 0038)."""
    with conn.cursor() as c:
        c.execute("BEGIN")
        try:
            c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant),))
            c.execute("SELECT * FROM mp_kb_search(%s, 'en', NULL, NULL, %s, 0,"
                      " %s, %s, %s, %s::bigint[], %s)", (q, lim) + tuple(memo))
            return c.fetchall()
        finally:
            c.execute("ROLLBACK")


def memo_of(rows):
    """The memo a search's rows give to keep: (gen, concepts, as_typed,
    fired, hq)."""
    r = rows[0]
    return (r[8], r[9], r[10], r[6], r[7])


def test_expansion_memo_serves_its_generation_only(db_app, db_super):
    acme = tenant_id(db_super, "acme")
    with db_super.cursor() as c:
        c.execute("SELECT gen FROM cache_gen WHERE tenant_id = %s", (acme,))
        gen = c.fetchone()[0]
    # No memo: the query is expanded (a seeded synonym group fires), and
    # every row carries the expansion and the generation to keep it by.
    rows = search_memo(db_app, acme, "renew ssl certificate")
    assert rows and all(r[8:] == rows[0][8:] for r in rows)
    memo = memo_of(rows)
    assert memo[0] == gen and "'ssl'" in memo[1] and memo[2] is False
    assert memo[3] and "'tls'" in memo[4]
    # Given back at that generation: the same page, and nothing new to keep.
    again = search_memo(db_app, acme, "renew ssl certificate", memo)
    assert [r[:8] for r in again] == [r[:8] for r in rows]
    assert all(r[8:] == (None, None, None) for r in again)
    # The memo is what is searched while its generation holds: another
    # query's memo finds that query's articles.
    dns = search_memo(db_app, acme, "dns records")
    assert {r[0] for r in dns} != {r[0] for r in rows}
    swapped = search_memo(db_app, acme, "renew ssl certificate", memo_of(dns))
    assert [r[:8] for r in swapped] == [r[:8] for r in dns]
    # Made in another generation (an article, section or synonym changed
    # since): ignored, the query expanded afresh, and a new memo to keep.
    for old in (gen - 1, gen + 1):
        stale = search_memo(db_app, acme, "renew ssl certificate",
                            (old,) + memo_of(dns)[1:])
        assert [r[:8] for r in stale] == [r[:8] for r in rows]
        assert memo_of(stale) == memo
    # A memo missing a part is no memo.
    part = search_memo(db_app, acme, "renew ssl certificate",
                       (gen, None) + memo_of(dns)[2:])
    assert [r[:8] for r in part] == [r[:8] for r in rows]


def test_function_bounds_and_filters(db_app, db_super):
    acme = tenant_id(db_super, "acme")
    assert search(db_app, acme, "email", lim=0) == []
    assert search(db_app, acme, "email", off=-1) == []
    assert search(db_app, acme, "email", off=1000) == []
    assert search(db_app, acme, "the") == []          # stop words only
    assert search(db_app, acme, "email", tag="no-such-tag") == []
    assert search(db_app, acme, "email", cat="no-such-category") == []
    # A category slug both tenants use: each sees only its own articles.
    with db_super.cursor() as c:
        c.execute("SELECT k.slug FROM kb_categories k JOIN tenants t"
                  " ON t.id = k.tenant_id WHERE t.slug IN ('acme', 'globex')"
                  " GROUP BY k.slug HAVING count(*) = 2 ORDER BY k.slug")
        shared = [r[0] for r in c.fetchall()]
    assert shared
    found = 0
    for slug in shared:
        for t in ("acme", "globex"):
            rows = search(db_app, tenant_id(db_super, t),
                          "email or domain or ssl or dns or backup or billing", cat=slug)
            found += len(rows)
            assert set(owners(db_super, [r[0] for r in rows]).values()) <= \
                {(t, "published")}, (slug, t)
    assert found > 0


def suggest(conn, tenant, q, loc="en", lim=8):
    """Titles from mp_kb_suggest (migration 0029) as the connection's
    role, acting for tenant (None: app.tenant_id unset)."""
    with conn.cursor() as c:
        c.execute("BEGIN")
        try:
            if tenant is not None:
                c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant),))
            c.execute("SELECT title FROM mp_kb_suggest(%s, %s, %s)", (q, loc, lim))
            return [r[0] for r in c.fetchall()]
        finally:
            c.execute("ROLLBACK")


def test_suggestions_keep_to_the_callers_published_titles(staff, https, db_app,
                                                          db_super):
    # mp_kb_suggest runs as mpanel_search, past row-level security, like
    # the search: the tenant, the status and the locale are its own.
    w = unique_word()
    create_article(staff, title="Published %s guide" % w)
    create_article(staff, title="Draft %s guide" % w, status="draft")
    create_article(staff, title="Archived %s guide" % w, status="archived")
    acme, globex = tenant_id(db_super, "acme"), tenant_id(db_super, "globex")
    q = "%s:* & gui:*" % w[:5]
    assert suggest(db_app, acme, q) == ["Published %s guide" % w]
    assert suggest(db_app, acme, q, loc="de") == []
    assert suggest(db_app, globex, q) == []
    assert suggest(db_app, None, q) == []
    assert suggest(db_app, "", q) == []
    assert suggest(db_app, acme, q, lim=0) == []
    # Through the API, which builds the prefix query from what was typed.
    s = https("acme").get("/api/kb/suggest", params={"q": w[:6]}).json()["suggestions"]
    assert [x["title"] for x in s] == ["Published %s guide" % w]
    assert https("globex").get("/api/kb/suggest",
                               params={"q": w[:6]}).json()["suggestions"] == []


def test_suggestions_are_the_best_title_matches_first(db_app, db_super):
    # Same rows and order as matching every published title of the tenant
    # by hand: best title rank times boost first, then id; at most lim.
    for slug, prefix in (("acme", "wor:*"), ("acme", "ema:*"), ("acme", "ins:* & wor:*"),
                         ("globex", "dom:*"), ("acme", "ssl:*")):
        t = tenant_id(db_super, slug)
        with db_super.cursor() as c:
            c.execute("SELECT a.title FROM kb_articles a,"
                      " to_tsquery('kb_simple', %s) x WHERE a.tenant_id = %s"
                      " AND a.status = 'published' AND a.locale = 'en'"
                      " AND a.title_tsv @@ x"
                      " ORDER BY ts_rank(a.title_tsv, x) * a.boost DESC, a.id",
                      (prefix, t))
            want = [r[0] for r in c.fetchall()]
        assert want, (slug, prefix)
        assert suggest(db_app, t, prefix) == want[:8], (slug, prefix)
        assert suggest(db_app, t, prefix, lim=2) == want[:2], (slug, prefix)


def test_app_role_still_cannot_read_other_tenants(db_app, db_super):
    acme = tenant_id(db_super, "acme")
    with db_super.cursor() as c:
        c.execute("SELECT count(*) FROM kb_articles WHERE tenant_id = %s", (acme,))
        mine = c.fetchone()[0]
    with db_app.cursor() as c:
        c.execute("BEGIN")
        c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(acme),))
        c.execute("SELECT count(*), count(*) FILTER (WHERE tenant_id <> %s)"
                  " FROM kb_articles", (acme,))
        assert c.fetchone() == (mine, 0)
        c.execute("SELECT count(*) FROM kb_articles WHERE tenant_id <> %s"
                  " AND tsv @@ websearch_to_tsquery('kb_english', 'email')", (acme,))
        assert c.fetchone()[0] == 0
        c.execute("ROLLBACK")
        c.execute("SELECT count(*) FROM kb_articles")     # no tenant: nothing
        assert c.fetchone()[0] == 0
        # The app role cannot become the search role.
        with pytest.raises(psycopg2.Error):
            c.execute("SET ROLE mpanel_search")
        c.execute("SELECT pg_has_role('mpanel_search', 'MEMBER'),"
                  " rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert c.fetchone() == (False, False)


def test_search_role_and_function_are_locked_down(db_super):
    with db_super.cursor() as c:
        c.execute("SELECT rolbypassrls, rolcanlogin, rolsuper, rolcreaterole"
                  " FROM pg_roles WHERE rolname = 'mpanel_search'")
        assert c.fetchone() == (True, False, False, False)
        c.execute("SELECT prosecdef, pg_get_userbyid(proowner), proconfig,"
                  " provolatile, proacl::text[] FROM pg_proc"
                  " WHERE oid = %s::regprocedure", (FN,))
        secdef, owner, config, volatile, acl = c.fetchone()
        assert secdef and owner == "mpanel_search" and volatile == "s"
        assert "search_path=pg_catalog, public, pg_temp" in config
        # Only the app role (and the owner) may call it; not PUBLIC.
        grantees = sorted(a.split("=")[0] for a in acl)
        assert grantees == ["mpanel_app", "mpanel_search"]
        # It owns the search functions only, and may only read what
        # search needs.
        c.execute("SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid),"
                  " (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)"
                  " FROM pg_roles r WHERE rolname = 'mpanel_search'")
        assert c.fetchone() == (0, 3)
        # The others are "did you mean" (migration 0023) and the search
        # box's suggestions (0029), locked down alike.
        for other in ("mp_kb_didyoumean(text, text)",
                      "mp_kb_suggest(text, text, integer)"):
            c.execute("SELECT prosecdef, pg_get_userbyid(proowner), proconfig,"
                      " proacl::text[] FROM pg_proc"
                      " WHERE oid = %s::regprocedure", (other,))
            secdef, owner, config, acl = c.fetchone()
            assert secdef and owner == "mpanel_search", other
            assert "search_path=pg_catalog, public, pg_temp" in config, other
            assert sorted(a.split("=")[0] for a in acl) == \
                ["mpanel_app", "mpanel_search"], other
        for table in ("kb_articles", "kb_categories", "kb_sections", "tenants"):
            c.execute("SELECT has_table_privilege('mpanel_search', %s,"
                      " 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')", (table,))
            assert c.fetchone() == (False,), table
        # The tenant's cache generation, to check a memo against (0038):
        # read only, and only that.
        c.execute("SELECT has_table_privilege('mpanel_search', 'cache_gen',"
                  " 'INSERT, UPDATE, DELETE, TRUNCATE'),"
                  " has_column_privilege('mpanel_search', 'cache_gen', 'gen', 'SELECT'),"
                  " has_column_privilege('mpanel_search', 'cache_gen', 'changed_at',"
                  " 'SELECT')")
        assert c.fetchone() == (False, True, False)
        c.execute("SELECT has_column_privilege('mpanel_search', 'kb_articles', 'tsv',"
                  " 'SELECT'), has_column_privilege('mpanel_search', 'kb_articles',"
                  " 'body_html', 'SELECT'), has_schema_privilege('mpanel_search',"
                  " 'public', 'CREATE')")
        assert c.fetchone() == (True, False, False)


def test_ranking_covers_every_match_best_first(db_app, db_super):
    # Up to 30 matches every one gets the exact score (migration 0016):
    # the results are exactly the articles matching any of the query's
    # words, scores never rising.
    acme = tenant_id(db_super, "acme")
    # Words no seeded synonym group holds.
    for q in ("record", "mx record", "php version"):
        rows = search(db_app, acme, q)
        assert 0 < rows[0][2] <= 30, q
        words = q.split()
        with db_super.cursor() as c:
            c.execute("SELECT a.id, bool_and(a.tsv @@ plainto_tsquery('kb_english', w))"
                      " FROM kb_articles a, unnest(%s::text[]) w"
                      " WHERE a.tenant_id = %s AND a.status = 'published'"
                      " AND a.locale = 'en' AND EXISTS (SELECT 1 FROM unnest(%s::text[]) v"
                      " WHERE a.tsv @@ plainto_tsquery('kb_english', v)) GROUP BY a.id",
                      (words, acme, words))
            exact = dict(c.fetchall())
        assert len(rows) == len(exact) == rows[0][2], q
        assert {r[0] for r in rows} == set(exact), q
        assert all(a[1] >= b[1] for a, b in zip(rows, rows[1:])), q


def test_pages_within_the_best_k_match_the_whole_ranking(db_app, db_super):
    # A page inside the best k (10 or 30) sorts only those k (migration
    # 0036); a page reaching past them ranks every candidate.  Both must
    # give the same rows, scores and positions as one long page.
    acme = tenant_id(db_super, "acme")
    for q in ("record", "mx record", "php version", "email", "domain",
              "cancel my account", "website is slow", "dns records"):
        whole = search(db_app, acme, q, lim=60)
        assert whole, q
        for lim, off in ((10, 0), (10, 10), (10, 20), (5, 5), (3, 27), (30, 0)):
            assert search(db_app, acme, q, lim=lim, off=off) == \
                whole[off:off + lim], (q, lim, off)


def test_sections_are_stored_uncompressed_up_to_a_page(staff, https, db_super):
    # Every search ranks the sections of its hits (the snippet), so a
    # section is kept as it is up to a page (migration 0037): PostgreSQL
    # compressed every row past 2 KB, and read it back decompressed each
    # time.  A section of about 3.7 KB of text with a 3.4 KB vector stays
    # whole.
    import random
    rng = random.Random(37)
    vocab = ["%s%d" % (rng.choice(["host", "mail", "zone", "cert", "disk"]), i)
             for i in range(200)]
    text = " ".join(rng.choice(vocab) for _ in range(500))
    w = unique_word()
    a = create_article(staff, title="Sections %s" % w,
                       content="## Middle\n\n%s %s\n" % (w, text))
    j = https("acme").get("/api/kb/articles", params={"q": w}).json()
    assert [x["id"] for x in j["articles"]] == [a["id"]]
    with db_super.cursor() as c:
        c.execute("SELECT octet_length(s.body), pg_column_compression(s.body),"
                  " pg_column_size(s.tsv), pg_column_compression(s.tsv),"
                  " pg_column_size(s.tsv || ''::tsvector)"
                  " FROM kb_sections s JOIN kb_articles k ON k.id = s.article_id"
                  " WHERE k.public_id = %s AND s.heading = 'Middle'", (a["id"],))
        body, body_comp, tsv, tsv_comp, tsv_whole = c.fetchone()
    assert 3000 < body < 4500 and tsv > 3000
    assert body_comp is None and tsv_comp is None and tsv == tsv_whole


# ------------------------------------------------------- capped counting

@pytest.fixture(scope="module")
def big_tenant(stack):
    """A tenant with 1,005 published articles that have a word in the body,
    5 more with it in the title only, and one draft with it in both."""
    import helpers
    slug = "kbcap" + uuid.uuid4().hex[:8]
    word = unique_word()
    helpers.sh_stack("mpanelctl", "tenant", "create", slug, "KB Cap")
    conn = psycopg2.connect(host=stack["MP_PG_HOST"], port=stack["MP_PG_PORT"],
                            dbname=stack["MP_DB"], user=stack["MP_OWNER_ROLE"])
    with conn, conn.cursor() as c:
        c.execute("SELECT set_config('app.tenant_id', id::text, true)"
                  " FROM tenants WHERE slug = %s", (slug,))
        c.execute("INSERT INTO kb_articles (tenant_id, slug, title, body_text,"
                  " status, published_at) SELECT mp_tenant(), 'cap-' || g, 'Guide ' || g,"
                  " 'How to use ' || %s || ' number ' || g, 'published', now()"
                  " FROM generate_series(1, 1005) g", (word,))
        c.execute("INSERT INTO kb_articles (tenant_id, slug, title, body_text, status,"
                  " published_at) SELECT mp_tenant(), 'title-' || g, 'All about ' || %s"
                  " || ' ' || g, 'Body.', 'published', now() FROM generate_series(1, 5) g",
                  (word,))
        c.execute("INSERT INTO kb_articles (tenant_id, slug, title, body_text, status)"
                  " VALUES (mp_tenant(), 'cap-draft', %s, %s, 'draft') RETURNING id",
                  (word, word))
        draft = c.fetchone()[0]
        c.execute("SELECT mp_tenant()")
        tid = c.fetchone()[0]
    conn.close()
    return {"slug": slug, "word": word, "id": tid, "draft": draft}


def test_more_than_1000_matches_are_capped_and_said_so(big_tenant, https):
    client = https(big_tenant["slug"])
    j = client.get("/api/kb/articles", params={"q": big_tenant["word"]}).json()
    assert j["total"] == 1000 and j["total_capped"] is True
    # The title matches rank first, though 1,005 bodies match too.
    assert sorted(a["slug"] for a in j["articles"][:5]) == \
        ["title-%d" % g for g in range(1, 6)]
    r = client.get("/help/search", params={"q": big_tenant["word"]})
    assert r.status_code == 200
    assert "1,000+ results for" in r.text
    # Below the cap the count is exact, and says it is (a phrase is taken
    # as typed: every word, in order).
    j = client.get("/api/kb/articles", params={"q": '"Guide 1005"'}).json()
    assert j["total"] == 1 and j["total_capped"] is False
    r = client.get("/help/search", params={"q": '"Guide 1005"'})
    assert ">1 result for" in r.text
    # The last page of the capped list, and past it.
    assert len(client.get("/api/kb/articles", params={
        "q": big_tenant["word"], "limit": 100, "offset": 950}).json()["articles"]) == 50
    assert client.get("/api/kb/articles", params={
        "q": big_tenant["word"], "offset": 1000}).json()["articles"] == []


def test_pages_neither_repeat_nor_skip_and_ranks_never_rise(big_tenant, db_app):
    seen, scores = [], []
    for off in range(0, 1000, 90):
        rows = search(db_app, big_tenant["id"], big_tenant["word"], lim=90, off=off)
        assert [r[4] for r in rows] == list(range(off + 1, off + 1 + len(rows)))
        assert all(r[2] == 1000 and r[3] is True for r in rows)
        seen += [r[0] for r in rows]
        scores += [r[1] for r in rows]
    assert len(seen) == 1000 and len(set(seen)) == 1000
    assert big_tenant["draft"] not in seen
    # The first pages, inside the best 10 (a top-k sort), are the same.
    first = search(db_app, big_tenant["id"], big_tenant["word"], lim=10)
    assert first == search(db_app, big_tenant["id"], big_tenant["word"],
                           lim=90)[:10]
    assert [r[0] for r in first] == seen[:10]
    assert all(a >= b for a, b in zip(scores, scores[1:]))
    # Another tenant sees none of them, and no tenant sees nothing.
    assert search(db_app, None, big_tenant["word"]) == []


def test_lists_of_a_big_tenant_count_and_page_in_order(big_tenant, https, db_super):
    # The list without q reads the index kb_articles_list (migration 0030):
    # every published article once, in the list's order (boost, newest,
    # then id: these were published in the same instant), counted whole.
    with db_super.cursor() as c:
        c.execute("SELECT public_id FROM kb_articles WHERE tenant_id = %s"
                  " AND status = 'published'"
                  " ORDER BY boost DESC, published_at DESC NULLS LAST, id",
                  (big_tenant["id"],))
        want = [r[0] for r in c.fetchall()]
    assert len(want) == 1010
    client = https(big_tenant["slug"])
    got = []
    for off in range(0, 1100, 100):
        j = client.get("/api/kb/articles", params={"limit": 100, "offset": off}).json()
        if off < 1010:
            assert j["total"] == 1010, off
        got += [a["id"] for a in j["articles"]]
    assert got == want
    j = client.get("/api/kb/articles", params={"limit": 7, "offset": 1005}).json()
    assert [a["id"] for a in j["articles"]] == want[1005:]


def test_popular_list_of_a_big_tenant_ranks_every_published_article(big_tenant, stack,
                                                                     https, db_super):
    # /api/kb/popular is every published article ranked by 30-day views,
    # then newest, then id: the statement only looks at the best of each
    # (migration 0031).  A draft's views take no place; ties at the cut
    # and an empty top fall through to the newest.
    t = big_tenant["id"]
    with db_super.cursor() as c:
        c.execute("SELECT id FROM kb_articles WHERE tenant_id = %s AND status = 'published'"
                  " ORDER BY id", (t,))
        ids = [r[0] for r in c.fetchall()]
    views = {ids[500]: 900, ids[7]: 500, ids[900]: 500, ids[3]: 400, ids[1009]: 400,
             ids[600]: 400, big_tenant["draft"]: 10 ** 6}
    conn = psycopg2.connect(host=stack["MP_PG_HOST"], port=stack["MP_PG_PORT"],
                            dbname=stack["MP_DB"], user=stack["MP_OWNER_ROLE"])
    try:
        with conn, conn.cursor() as c:
            c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(t),))
            for a, n in views.items():
                c.execute("INSERT INTO kb_popular (tenant_id, article_id, views)"
                          " VALUES (%s, %s, %s)", (t, a, n))
        with db_super.cursor() as c:
            c.execute("SELECT a.public_id, coalesce(p.views, 0) FROM kb_articles a"
                      " LEFT JOIN kb_popular p ON p.tenant_id = a.tenant_id"
                      " AND p.article_id = a.id WHERE a.tenant_id = %s"
                      " AND a.status = 'published' ORDER BY coalesce(p.views, 0) DESC,"
                      " a.published_at DESC NULLS LAST, a.id", (t,))
            want = c.fetchall()
        client = https(big_tenant["slug"])
        for limit in (1, 2, 3, 4, 5, 6, 7, 10, 100):
            got = client.get("/api/kb/popular", params={"limit": limit},
                             headers={"X-Mpanel-No-Cache": "1"}).json()["articles"]
            assert [(a["id"], a["views_30d"]) for a in got] == want[:limit], limit
    finally:
        with conn, conn.cursor() as c:
            c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(t),))
            c.execute("DELETE FROM kb_popular WHERE tenant_id = %s", (t,))
        conn.close()
