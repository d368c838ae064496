-- Help-center search that the GIN index can serve under row-level security:
-- one SECURITY DEFINER function, owned by the NOLOGIN role mpanel_search
-- (BYPASSRLS), that filters the caller's tenant explicitly and returns only
-- ids and ranks of that tenant's published articles.
--
-- Why: with FORCE ROW LEVEL SECURITY the planner keeps the text-search match
-- (@@, ts_match_vq, not LEAKPROOF) out of index conditions, so every search
-- read and matched all of a tenant's articles (about 40 ms a search at
-- 10,000 articles).  Inside this function row-level security does not apply,
-- the GIN index on (tenant_id, tsv) finds the matches, and the tenant filter
-- is written out instead.  The caller then reads the articles themselves
-- through row-level security as before.
--
-- The installer creates mpanel_search as the superuser and grants it to the
-- owner role (scripts/lib.sh, docs/operations.md): only a superuser may give
-- a role BYPASSRLS.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mpanel_search'
                   AND rolbypassrls AND NOT rolcanlogin AND NOT rolsuper) THEN
        RAISE EXCEPTION 'role mpanel_search (NOLOGIN BYPASSRLS) is missing'
            USING HINT = 'Create it as the superuser: see "Database" in '
                         'docs/operations.md.';
    END IF;
    IF NOT pg_has_role(current_user, 'mpanel_search', 'MEMBER') THEN
        RAISE EXCEPTION '% must be a member of mpanel_search', current_user
            USING HINT = 'As the superuser: GRANT mpanel_search TO '
                         || current_user || ';';
    END IF;
    -- The app role must never act as the search role.
    IF pg_has_role('mpanel_app', 'mpanel_search', 'MEMBER') THEN
        RAISE EXCEPTION 'mpanel_app must not be a member of mpanel_search';
    END IF;
END $$;

-- btree_gin is trusted: the database owner may create it.  It lets one GIN
-- index hold the tenant next to the search vector.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Title A, tags B, summary C: a small vector (about 100 bytes, never
-- TOASTed) for the cheap first ranking of the candidates.
ALTER TABLE kb_articles ADD COLUMN head_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(mp_kb_config(locale), title), 'A') ||
    setweight(to_tsvector(mp_kb_config(locale), mp_kb_tags_text(tags)), 'B') ||
    setweight(to_tsvector(mp_kb_config(locale), summary), 'C')) STORED;

-- A tenant's matches straight from the index, whatever the other tenants
-- hold.  No pending list (fastupdate off): articles are saved seldom and
-- searched often, and a long pending list is read by every search.
DROP INDEX kb_articles_tsv;
CREATE INDEX kb_articles_tenant_tsv ON kb_articles
    USING gin (tenant_id, tsv) WITH (fastupdate = off)
    WHERE status = 'published';
CREATE INDEX kb_articles_tenant_head ON kb_articles
    USING gin (tenant_id, head_tsv) WITH (fastupdate = off)
    WHERE status = 'published';

GRANT USAGE ON SCHEMA public TO mpanel_search;
GRANT SELECT (tenant_id, id, status, locale, tags, category_id, boost, tsv,
    head_tsv) ON kb_articles TO mpanel_search;
GRANT SELECT (tenant_id, id, slug, parent_id) ON kb_categories TO mpanel_search;
GRANT EXECUTE ON FUNCTION mp_tenant(), mp_kb_config(text) TO mpanel_search;

-- The published articles of the caller's tenant (app.tenant_id; unset: no
-- rows) in locale loc matching the web-search query q, optionally with tag
-- and in category cat (a slug, with its subcategories).  One row per result
-- of the page (lim rows from offset off), best first (pos 1, 2, ...), each
-- with its rank, the number of matches and whether that number was capped.
--
-- Work is bounded: at most 1,000 matches are ranked (matches says 1000
-- and capped is true when there are more), those matching in the title,
-- tags or summary first, so body-only matches never push one of those out
-- (past 1,000 of those, which ones is arbitrary).  They are first ranked
-- by the small head vector times the boost, and only the best 30 (three
-- pages) get the full ts_rank_cd over the whole article (about 15 us each,
-- half of it reading the TOASTed vector).  The rest follow in the cheap
-- order, their rank capped at the lowest full rank so ranks never increase
-- down the list.  With 30 matches or fewer the order is exactly the full
-- rank.  The order is the same whatever the page, so pages neither repeat
-- nor skip a result.
--
-- ROWS 10 (a page): with the default guess of 1,000 rows a cached generic
-- plan of the caller hashes all of the tenant's articles to join ten ids.
-- enable_seqscan off: for a common word the planner would rather read the
-- table until it has enough matches, unpacking every article's vector to
-- test it (6 ms at 10,000), than take the index's exact list (3 ms).
CREATE FUNCTION mp_kb_search(q text, loc text, tag text, cat text,
    lim integer, off integer)
    RETURNS TABLE (article_id bigint, score real, matches integer,
                   capped boolean, pos integer)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 10
    SET search_path = pg_catalog, public, pg_temp
    SET enable_seqscan = off
    AS $$
#variable_conflict use_column
DECLARE
    t      bigint := public.mp_tenant();
    tq     tsquery;
    neg    boolean;
    catids bigint[];
BEGIN
    IF t IS NULL OR q IS NULL OR loc IS NULL OR lim IS NULL OR off IS NULL
        OR lim < 1 OR off < 0 OR off >= 1000 THEN
        RETURN;
    END IF;
    tq := websearch_to_tsquery(public.mp_kb_config(loc), q);
    IF numnode(tq) = 0 THEN
        RETURN;    -- stop words only
    END IF;
    -- The head vector is the start of the full one (same configuration,
    -- same positions), so a head match is a match, unless the query
    -- excludes a word ("-word") that the body has.
    neg := strpos(tq::text, '!') > 0;
    IF cat IS NOT NULL THEN
        SELECT array_agg(k.id) INTO catids FROM public.kb_categories k
         WHERE k.tenant_id = t AND (k.slug = cat OR k.parent_id =
               (SELECT x.id FROM public.kb_categories x
                 WHERE x.tenant_id = t AND x.slug = cat));
        IF catids IS NULL THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY
    WITH h AS (
        SELECT a.id, a.boost, a.tsv, ts_rank(a.head_tsv, tq) * a.boost AS pr
          FROM public.kb_articles a
         WHERE a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.head_tsv @@ tq AND (NOT neg OR a.tsv @@ tq)
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 1001),
    -- Matches in the body only; not needed once the head gave 1,001.
    b AS (
        SELECT a.id, a.boost, a.tsv, 0::real AS pr
          FROM public.kb_articles a
         WHERE (SELECT count(*) FROM h) <= 1000
           AND a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.tsv @@ tq AND NOT a.head_tsv @@ tq
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 1001),
    m AS (
        SELECT h.id, h.boost, h.tsv, h.pr FROM h
        UNION ALL
        SELECT b.id, b.boost, b.tsv, b.pr FROM b),
    p AS (
        SELECT m.id, m.boost, m.tsv, m.pr,
               row_number() OVER (ORDER BY m.pr DESC, m.id) AS n,
               count(*) OVER () AS total
          FROM m),
    -- Materialized, or the planner copies ts_rank_cd into every use.
    r AS MATERIALIZED (
        SELECT p.id, p.pr, p.total, CASE WHEN p.n <= 30
               THEN ts_rank_cd(p.tsv, tq, 2) * p.boost END AS fr
          FROM p),
    o AS (
        SELECT r.id, coalesce(r.fr, least(r.pr, min(r.fr) OVER ())) AS rank,
               r.total, row_number() OVER (ORDER BY r.fr IS NULL,
               coalesce(r.fr, r.pr) DESC, r.id) AS n
          FROM r)
    SELECT o.id, o.rank::real, least(o.total, 1000)::integer, o.total > 1000,
           o.n::integer
      FROM o
     WHERE o.n > off AND o.n <= least(off + lim, 1000)
     ORDER BY o.n;
END $$;

-- Owned by mpanel_search, so that row-level security does not apply inside.
-- Changing the owner needs the new owner to have CREATE on the schema, for
-- this statement only.
GRANT CREATE ON SCHEMA public TO mpanel_search;
ALTER FUNCTION mp_kb_search(text, text, text, text, integer, integer)
    OWNER TO mpanel_search;
REVOKE CREATE ON SCHEMA public FROM mpanel_search;
REVOKE ALL ON FUNCTION mp_kb_search(text, text, text, text, integer, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mp_kb_search(text, text, text, text, integer, integer)
    TO mpanel_app;
