-- Help-center search: the query's expansion (synonyms, spellings,
-- compound and hyphen variants: mp_kb_expand) can be handed back in.
--
-- The expansion is a third of a search's PostgreSQL time on the demo
-- tenant (pgbench, one backend, "renew ssl certificate": 1,034 us a call
-- with it, 658 without), and it depends only on the query, the locale and
-- the tenant's articles and synonyms.  mp_kb_search() now returns, when
-- it expanded the query itself, the expansion and the tenant's cache
-- generation (0024; every change of articles, sections or synonyms moves
-- it, in the change's own transaction).  The pool keeps them per query
-- (kb/memo.c) and passes them with the next search of the same query; the
-- function uses them only while the generation is still the tenant's,
-- and expands afresh otherwise.  The ranking, the scans and everything
-- else are those of 0036, unchanged.
--
-- The memo columns (gen, concepts, as_typed) are NULL on a search that
-- used the memo, and when the tenant has no generation yet (nothing to
-- check a memo against: none is kept).

GRANT SELECT (tenant_id, gen) ON cache_gen TO mpanel_search;

DROP FUNCTION mp_kb_search(text, text, text, text, integer, integer);
CREATE FUNCTION mp_kb_search(q text, loc text, tag text, cat text,
    lim integer, off integer, memo_gen bigint DEFAULT NULL,
    memo_concepts tsquery[] DEFAULT NULL, memo_typed boolean DEFAULT NULL,
    memo_fired bigint[] DEFAULT NULL, memo_hq tsquery DEFAULT NULL)
    RETURNS TABLE (article_id bigint, score real, matches integer,
                   capped boolean, pos integer, coverage real, fired bigint[],
                   hq tsquery, gen bigint, concepts tsquery[],
                   as_typed boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 10
    SET search_path = pg_catalog, public, pg_temp
    SET enable_seqscan = off
    SET plan_cache_mode = force_generic_plan
    AS $$
#variable_conflict use_column
DECLARE
    t      bigint := public.mp_tenant();
    cs     tsquery[];
    anyq   tsquery;
    allq   tsquery;
    hlq    tsquery;
    neg    boolean;
    typed  boolean;
    fids   bigint[];
    nc     integer;
    catids bigint[];
    i      integer;
    g      bigint;
    fresh  boolean;
BEGIN
    IF t IS NULL OR q IS NULL OR loc IS NULL OR lim IS NULL OR off IS NULL
        OR lim < 1 OR off < 0 OR off >= 1000 THEN
        RETURN;
    END IF;
    -- The caller's memo of this query's expansion serves while the
    -- tenant's generation is the one it was made in: every change of
    -- articles, sections or synonyms moves it (0024).
    g := (SELECT c.gen FROM public.cache_gen c WHERE c.tenant_id = t);
    fresh := memo_gen IS NULL OR g IS NULL OR memo_gen <> g
             OR memo_concepts IS NULL OR memo_typed IS NULL
             OR memo_hq IS NULL;
    IF fresh THEN
        SELECT e.concepts, e.as_typed, e.fired INTO cs, typed, fids
          FROM public.mp_kb_expand(q, loc) e;
    ELSE
        cs := memo_concepts;
        typed := memo_typed;
        fids := memo_fired;
        hlq := memo_hq;
    END IF;
    IF cs IS NULL THEN
        RETURN;    -- stop words only
    END IF;
    nc := least(cardinality(cs), 8);
    anyq := cs[1];
    allq := cs[1];
    FOR i IN 2 .. nc LOOP
        anyq := anyq || cs[i];
        allq := allq && cs[i];
    END LOOP;
    -- Every lexeme of the expanded query, OR'd: what the snippet marks.
    -- (A negated word is one too; the snippet never shows an article that
    -- has it, so marking it costs nothing.)
    IF fresh THEN
        hlq := (SELECT string_agg(DISTINCT m[1], ' | ')
                  FROM regexp_matches(anyq::text, '''(?:[^'']|'''')+''', 'g') m)::tsquery;
    END IF;
    -- A head match is a match unless the query excludes a word ("-word")
    -- that the body has.
    neg := strpos(allq::text, '!') > 0;
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
    WITH f AS MATERIALIZED (
        SELECT a.id, a.boost, true AS full,
               coalesce(a.head_tsv @@ cs[1], false) AS h1,
               coalesce(a.head_tsv @@ cs[2], false) AS h2,
               coalesce(a.head_tsv @@ cs[3], false) AS h3,
               coalesce(a.head_tsv @@ cs[4], false) AS h4,
               coalesce(a.head_tsv @@ cs[5], false) AS h5,
               coalesce(a.head_tsv @@ cs[6], false) AS h6,
               coalesce(a.head_tsv @@ cs[7], false) AS h7,
               coalesce(a.head_tsv @@ cs[8], false) AS h8,
               ts_rank('{0.1, 0.3, 0.5, 1.0}', a.head_tsv, anyq) AS hr
          FROM public.kb_articles a
         WHERE a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.tsv @@ allq
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 1001),
    nf AS MATERIALIZED (SELECT count(*) AS n FROM f),
    -- More than 1,000 full matches: which 1,001 F holds is arbitrary, so
    -- those with a concept in the head (the likeliest best) join, up to
    -- 300 more.
    fx AS MATERIALIZED (
        SELECT a.id, a.boost, true AS full,
               coalesce(a.head_tsv @@ cs[1], false) AS h1,
               coalesce(a.head_tsv @@ cs[2], false) AS h2,
               coalesce(a.head_tsv @@ cs[3], false) AS h3,
               coalesce(a.head_tsv @@ cs[4], false) AS h4,
               coalesce(a.head_tsv @@ cs[5], false) AS h5,
               coalesce(a.head_tsv @@ cs[6], false) AS h6,
               coalesce(a.head_tsv @@ cs[7], false) AS h7,
               coalesce(a.head_tsv @@ cs[8], false) AS h8,
               ts_rank('{0.1, 0.3, 0.5, 1.0}', a.head_tsv, anyq) AS hr
          FROM public.kb_articles a
         WHERE (SELECT nf.n FROM nf) > 1000
           AND a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.head_tsv @@ anyq AND a.tsv @@ allq
           AND a.id NOT IN (SELECT f.id FROM f)
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 300),
    -- Partial matches in the head, when the full ones are few.  (NOT IN
    -- a hashed F, not a join: a generic plan guesses one row per CTE.)
    h AS MATERIALIZED (
        SELECT a.id, a.boost, false AS full,
               coalesce(a.head_tsv @@ cs[1], false) AS h1,
               coalesce(a.head_tsv @@ cs[2], false) AS h2,
               coalesce(a.head_tsv @@ cs[3], false) AS h3,
               coalesce(a.head_tsv @@ cs[4], false) AS h4,
               coalesce(a.head_tsv @@ cs[5], false) AS h5,
               coalesce(a.head_tsv @@ cs[6], false) AS h6,
               coalesce(a.head_tsv @@ cs[7], false) AS h7,
               coalesce(a.head_tsv @@ cs[8], false) AS h8,
               ts_rank('{0.1, 0.3, 0.5, 1.0}', a.head_tsv, anyq) AS hr
          FROM public.kb_articles a
         WHERE NOT typed AND (SELECT nf.n FROM nf) < 30
           AND a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.head_tsv @@ anyq AND a.id NOT IN (SELECT f.id FROM f)
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 300),
    -- Partial matches in the body only, when the others are fewer still.
    b AS (
        SELECT a.id, a.boost, false AS full,
               coalesce(a.head_tsv @@ cs[1], false) AS h1,
               coalesce(a.head_tsv @@ cs[2], false) AS h2,
               coalesce(a.head_tsv @@ cs[3], false) AS h3,
               coalesce(a.head_tsv @@ cs[4], false) AS h4,
               coalesce(a.head_tsv @@ cs[5], false) AS h5,
               coalesce(a.head_tsv @@ cs[6], false) AS h6,
               coalesce(a.head_tsv @@ cs[7], false) AS h7,
               coalesce(a.head_tsv @@ cs[8], false) AS h8,
               ts_rank('{0.1, 0.3, 0.5, 1.0}', a.head_tsv, anyq) AS hr
          FROM public.kb_articles a
         WHERE NOT typed
           AND (SELECT nf.n FROM nf) + (SELECT count(*) FROM h) < 50
           AND a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.tsv @@ anyq AND NOT a.head_tsv @@ anyq
           AND a.id NOT IN (SELECT f.id FROM f)
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 200),
    -- hK: concept K is in the head (worked out in the scans, so the head
    -- vector is never copied); hr: the weighted rank of the head.
    m AS MATERIALIZED (
        SELECT * FROM f UNION ALL SELECT * FROM fx
        UNION ALL SELECT * FROM h UNION ALL SELECT * FROM b),
    -- wK: concept K's weight (0 past the last concept); k: how many of
    -- the best read the whole vector.
    wt AS (
        SELECT count(*) AS total,
               CASE WHEN count(*) >= 30 AND bool_and(m.full) THEN 10 ELSE 30
               END AS k,
               CASE WHEN nc >= 1 THEN ln(1 + count(*)::float8 /
                   (1 + count(*) FILTER (WHERE m.h1 OR m.full))) ELSE 0 END AS w1,
               CASE WHEN nc >= 2 THEN ln(1 + count(*)::float8 /
                   (1 + count(*) FILTER (WHERE m.h2 OR m.full))) ELSE 0 END AS w2,
               CASE WHEN nc >= 3 THEN ln(1 + count(*)::float8 /
                   (1 + count(*) FILTER (WHERE m.h3 OR m.full))) ELSE 0 END AS w3,
               CASE WHEN nc >= 4 THEN ln(1 + count(*)::float8 /
                   (1 + count(*) FILTER (WHERE m.h4 OR m.full))) ELSE 0 END AS w4,
               CASE WHEN nc >= 5 THEN ln(1 + count(*)::float8 /
                   (1 + count(*) FILTER (WHERE m.h5 OR m.full))) ELSE 0 END AS w5,
               CASE WHEN nc >= 6 THEN ln(1 + count(*)::float8 /
                   (1 + count(*) FILTER (WHERE m.h6 OR m.full))) ELSE 0 END AS w6,
               CASE WHEN nc >= 7 THEN ln(1 + count(*)::float8 /
                   (1 + count(*) FILTER (WHERE m.h7 OR m.full))) ELSE 0 END AS w7,
               CASE WHEN nc >= 8 THEN ln(1 + count(*)::float8 /
                   (1 + count(*) FILTER (WHERE m.h8 OR m.full))) ELSE 0 END AS w8
          FROM m),
    -- The cheap order: the head vector, and for a full match the body
    -- for what the head lacks (exact), 0 for a partial one (a floor).
    -- Only its best k when the page lies within them (a top-k sort):
    -- the rest could only follow them.
    top AS MATERIALIZED (
        SELECT s.id, s.boost, s.full, s.h1, s.h2, s.h3, s.h4, s.h5, s.h6,
               s.h7, s.h8, s.total, s.k, s.pre,
               row_number() OVER (ORDER BY s.o DESC, s.hr DESC, s.id) AS n
          FROM (SELECT m.id, m.boost, m.full, m.h1, m.h2, m.h3, m.h4, m.h5,
               m.h6, m.h7, m.h8, m.hr, wt.total, wt.k, p.pre,
               p.pre * m.boost AS o
                FROM m CROSS JOIN wt CROSS JOIN LATERAL (SELECT
                     (CASE WHEN m.h1 THEN 1::float8 WHEN m.full THEN 0.5::float8 ELSE 0::float8 END * wt.w1
                      + CASE WHEN m.h2 THEN 1::float8 WHEN m.full THEN 0.5::float8 ELSE 0::float8 END * wt.w2
                      + CASE WHEN m.h3 THEN 1::float8 WHEN m.full THEN 0.5::float8 ELSE 0::float8 END * wt.w3
                      + CASE WHEN m.h4 THEN 1::float8 WHEN m.full THEN 0.5::float8 ELSE 0::float8 END * wt.w4
                      + CASE WHEN m.h5 THEN 1::float8 WHEN m.full THEN 0.5::float8 ELSE 0::float8 END * wt.w5
                      + CASE WHEN m.h6 THEN 1::float8 WHEN m.full THEN 0.5::float8 ELSE 0::float8 END * wt.w6
                      + CASE WHEN m.h7 THEN 1::float8 WHEN m.full THEN 0.5::float8 ELSE 0::float8 END * wt.w7
                      + CASE WHEN m.h8 THEN 1::float8 WHEN m.full THEN 0.5::float8 ELSE 0::float8 END * wt.w8)
                     / (wt.w1 + wt.w2 + wt.w3 + wt.w4 + wt.w5 + wt.w6 + wt.w7 + wt.w8) AS pre) p
                 ORDER BY p.pre * m.boost DESC, m.hr DESC, m.id
                 LIMIT CASE WHEN off + lim <= (SELECT wt.k FROM wt)
                            THEN (SELECT wt.k FROM wt) END) s),
    -- Only the best k read the whole vector: a full match once (for the
    -- rank), a partial one several times, so that one is unpacked here.
    x AS MATERIALIZED (
        SELECT top.*, CASE WHEN top.full THEN a.tsv
                           ELSE a.tsv || ''::tsvector END AS v
          FROM top JOIN public.kb_articles a
            ON a.tenant_id = t AND a.id = top.id
         WHERE top.n <= top.k),
    r AS MATERIALIZED (
        SELECT x.id, x.pre, x.total, x.k, x.n, x.boost,
               CASE WHEN x.full THEN x.pre ELSE
               (CASE WHEN x.h1 THEN 1::float8
                      WHEN coalesce(x.v @@ cs[1], false) THEN 0.5::float8
                      ELSE 0::float8 END * wt.w1
                + CASE WHEN x.h2 THEN 1::float8
                      WHEN coalesce(x.v @@ cs[2], false) THEN 0.5::float8
                      ELSE 0::float8 END * wt.w2
                + CASE WHEN x.h3 THEN 1::float8
                      WHEN coalesce(x.v @@ cs[3], false) THEN 0.5::float8
                      ELSE 0::float8 END * wt.w3
                + CASE WHEN x.h4 THEN 1::float8
                      WHEN coalesce(x.v @@ cs[4], false) THEN 0.5::float8
                      ELSE 0::float8 END * wt.w4
                + CASE WHEN x.h5 THEN 1::float8
                      WHEN coalesce(x.v @@ cs[5], false) THEN 0.5::float8
                      ELSE 0::float8 END * wt.w5
                + CASE WHEN x.h6 THEN 1::float8
                      WHEN coalesce(x.v @@ cs[6], false) THEN 0.5::float8
                      ELSE 0::float8 END * wt.w6
                + CASE WHEN x.h7 THEN 1::float8
                      WHEN coalesce(x.v @@ cs[7], false) THEN 0.5::float8
                      ELSE 0::float8 END * wt.w7
                + CASE WHEN x.h8 THEN 1::float8
                      WHEN coalesce(x.v @@ cs[8], false) THEN 0.5::float8
                      ELSE 0::float8 END * wt.w8)
               / (wt.w1 + wt.w2 + wt.w3 + wt.w4 + wt.w5 + wt.w6 + wt.w7 + wt.w8)
               END AS cov,
               ts_rank('{0.1, 0.3, 0.5, 1.0}', x.v, anyq) AS rk
          FROM x CROSS JOIN wt
        UNION ALL
        SELECT top.id, top.pre, top.total, top.k, top.n, top.boost, NULL, NULL
          FROM top WHERE top.n > top.k),
    o AS (
        SELECT r.id, r.total, r.k, coalesce(r.cov, r.pre) AS cov,
               coalesce((r.cov + 0.3 * r.rk / (r.rk + 0.1)) * r.boost,
                        least(r.pre * r.boost, min((r.cov + 0.3 * r.rk /
                              (r.rk + 0.1)) * r.boost) OVER ())) AS score,
               r.n AS pre_n
          FROM r),
    fin AS (
        SELECT o.id, o.total, o.cov, o.score,
               row_number() OVER (ORDER BY o.pre_n > o.k, o.score DESC, o.id)
                   AS n
          FROM o)
    SELECT fin.id, fin.score::real, least(fin.total, 1000)::integer,
           fin.total > 1000, fin.n::integer, fin.cov::real, fids, hlq,
           CASE WHEN fresh THEN g END, CASE WHEN fresh THEN cs END,
           CASE WHEN fresh THEN typed END
      FROM fin
     WHERE fin.n > off AND fin.n <= least(off + lim, 1000)
     ORDER BY fin.n;
END $$;

-- Owned by mpanel_search, so that row-level security does not apply inside
-- (see 0006).
GRANT CREATE ON SCHEMA public TO mpanel_search;
ALTER FUNCTION mp_kb_search(text, text, text, text, integer, integer, bigint, tsquery[], boolean,
    bigint[], tsquery)
    OWNER TO mpanel_search;
REVOKE CREATE ON SCHEMA public FROM mpanel_search;
REVOKE ALL ON FUNCTION mp_kb_search(text, text, text, text, integer, integer, bigint, tsquery[], boolean,
    bigint[], tsquery)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mp_kb_search(text, text, text, text, integer, integer, bigint, tsquery[], boolean,
    bigint[], tsquery)
    TO mpanel_app;
