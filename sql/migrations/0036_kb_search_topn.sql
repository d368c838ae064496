-- Help-center search: the first page no longer sorts and scores every
-- candidate (issue 16's search rows), and the query expansion makes fewer
-- statements.  The same answers as 0023 for every query, page and tenant.
--
-- mp_kb_search() of 0023 numbered all its candidates (up to 1,300) in the
-- cheap order with a window function, which sorts them all, then carried
-- every one past the best k through the final score, its window and a
-- second sort, although a page inside the best k (the first page, the
-- common case) can only hold some of those k: the rest follow in the
-- cheap order after them.  Now, when off + lim <= k, the cheap order
-- keeps only its best k (a top-k sort) and nothing past them is scored.
-- A page past k is computed exactly as before.  Measured on the 2,000-
-- article data set (the bench's 8 queries, one backend calling the
-- function in a loop, three rounds): 2,516 / 2,408 / 2,308 -> 1,908 /
-- 1,933 / 1,808 us of PostgreSQL CPU a search.
DROP FUNCTION mp_kb_search(text, text, text, text, integer, integer);
CREATE FUNCTION mp_kb_search(q text, loc text, tag text, cat text,
    lim integer, off integer)
    RETURNS TABLE (article_id bigint, score real, matches integer,
                   capped boolean, pos integer, coverage real, fired bigint[],
                   hq tsquery)
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
BEGIN
    IF t IS NULL OR q IS NULL OR loc IS NULL OR lim IS NULL OR off IS NULL
        OR lim < 1 OR off < 0 OR off >= 1000 THEN
        RETURN;
    END IF;
    SELECT e.concepts, e.as_typed, e.fired INTO cs, typed, fids
      FROM public.mp_kb_expand(q, loc) e;
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
    hlq := (SELECT string_agg(DISTINCT m[1], ' | ')
              FROM regexp_matches(anyq::text, '''(?:[^'']|'''')+''', 'g') m)::tsquery;
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
           fin.total > 1000, fin.n::integer, fin.cov::real, fids, hlq
      FROM fin
     WHERE fin.n > off AND fin.n <= least(off + lim, 1000)
     ORDER BY fin.n;
END $$;

-- Owned by mpanel_search, so that row-level security does not apply inside
-- (see 0006).
GRANT CREATE ON SCHEMA public TO mpanel_search;
ALTER FUNCTION mp_kb_search(text, text, text, text, integer, integer)
    OWNER TO mpanel_search;
REVOKE CREATE ON SCHEMA public FROM mpanel_search;
REVOKE ALL ON FUNCTION mp_kb_search(text, text, text, text, integer, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mp_kb_search(text, text, text, text, integer, integer)
    TO mpanel_app;

-- mp_kb_expand() of 0023 with the same answers and fewer statements.  It
-- made one statement per word for the spellings of its splits, and tried
-- every split of every word (three expressions each; "nameservers" has
-- ten) although only a split whose halves an article uses can add a
-- variant.  Now one statement looks up every spelling and also returns
-- the splits worth trying ("64 * word + split", in order), and the loop
-- tries only those; a query that fires no synonym group skips sorting
-- none.  About 10 % of the expansion's time (pgbench: 308 -> 277, 283 ->
-- 254, 242 -> 223 us), answers compared on 277 queries in four tenants.
CREATE OR REPLACE FUNCTION mp_kb_expand(q text, loc text)
    RETURNS TABLE (concepts tsquery[], fired bigint[], as_typed boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    SET plan_cache_mode = force_generic_plan
    AS $$
DECLARE
    t     bigint := public.mp_tenant();
    cfg   regconfig := public.mp_kb_config(loc);
    raw   text[];          -- every word, stop words too
    keys  text[] := '{}';  -- the counted words' lexemes, as one text each
    at    int[] := '{}';   -- each raw word's concept (0: none)
    cand  text[] := '{}';  -- spellings to look up in the articles' words
    sw    int[] := '{}';   -- the raw words that may be two written as one
    known text[];
    sp    int[];           -- (word, split) pairs worth trying: 64 * i + p
    cs    tsquery[];
    ids   bigint[] := '{}';
    x     tsquery;
    v     tsvector;
    w     text;
    l     text;
    s     record;
    tk    text[];
    tw    text[];
    n     int := 0;
    c     int := 1;
    i     int;
    j     int;
    k     int;
    p     int;
BEGIN
    IF t IS NULL OR q IS NULL OR loc IS NULL THEN
        RETURN;
    END IF;
    IF strpos(q, '"') > 0 OR q ~* '(^|[[:space:]])(or[[:space:]]|-[^[:space:]])' THEN
        x := websearch_to_tsquery(cfg, q);
        IF numnode(x) = 0 THEN
            RETURN;
        END IF;
        concepts := ARRAY[x];
        fired := '{}';
        as_typed := true;
        RETURN NEXT;
        RETURN;
    END IF;
    raw := ARRAY(SELECT m[1] FROM regexp_matches(lower(public.unaccent(q)),
                 '[[:alnum:]]+(?:[-._''][[:alnum:]]+)*', 'g') m LIMIT 24);
    FOR i IN 1 .. coalesce(cardinality(raw), 0) LOOP
        v := to_tsvector(cfg, raw[i]);
        IF v = ''::tsvector OR n >= 8 THEN
            at := at || 0;
            CONTINUE;
        END IF;
        n := n + 1;
        at := at || n;
        keys := keys || array_to_string(tsvector_to_array(v), ' ');
        cs[n] := plainto_tsquery(cfg, raw[i]);
        -- The spellings its variants need: written as one, and (below)
        -- the halves of each split, with a hyphen and apart.
        IF raw[i] ~ '[-._'']' THEN
            cand := cand || regexp_replace(raw[i], '[-._'']', '', 'g');
        ELSIF raw[i] ~ '^[[:alpha:]]{4,30}$' THEN
            cand := cand || raw[i];
            sw := sw || i;
        END IF;
        IF i < cardinality(raw) AND raw[i] ~ '^[[:alpha:]]+$'
           AND raw[i + 1] ~ '^[[:alpha:]]+$' THEN
            cand := cand || (raw[i] || raw[i + 1]);
        END IF;
    END LOOP;
    IF n = 0 THEN
        RETURN;
    END IF;
    -- One look-up for every spelling: only variants the articles use.
    -- With them, the splits of each word that can give a variant (the
    -- hyphenated form is a known word, or the first half is one): the
    -- loop below tries only those.
    WITH r AS (SELECT raw[e] AS w, e AS i FROM unnest(sw) e),
    h AS (SELECT r.i, g, left(r.w, g) AS a, substr(r.w, g + 1) AS b
            FROM r, generate_series(1, length(r.w) - 1) g),
    kn AS MATERIALIZED (SELECT kw.word FROM public.kb_words kw
          WHERE kw.tenant_id = t AND kw.word = ANY (cand || ARRAY(
                SELECT e FROM h, LATERAL (VALUES (h.a || '-' || h.b), (h.a),
                                                 (h.b)) y(e)
                 WHERE length(e) >= 3)))
    SELECT ARRAY(SELECT kn.word FROM kn),
           ARRAY(SELECT 64 * h.i + h.g FROM h
                  WHERE h.a || '-' || h.b IN (SELECT kn.word FROM kn)
                     OR (h.g >= 3 AND h.a IN (SELECT kn.word FROM kn))
                  ORDER BY 1)
      INTO known, sp;
    FOR i IN 1 .. cardinality(raw) LOOP
        j := at[i];
        IF j > 0 THEN
            IF raw[i] ~ '[-._'']' THEN
                -- Written as one (as the articles have it) and apart.
                w := regexp_replace(raw[i], '[-._'']', '', 'g');
                IF w = ANY (known) THEN
                    cs[j] := cs[j] || plainto_tsquery(cfg, w);
                END IF;
                w := regexp_replace(raw[i], '[-._'']', ' ', 'g');
                IF to_tsvector(cfg, w) <> ''::tsvector THEN
                    cs[j] := cs[j] || plainto_tsquery(cfg, w);
                END IF;
            ELSE
                -- Split in two where the articles write the halves as one
                -- hyphenated word ("wi-fi", "e-mail"), or as two words
                -- ("name servers"; the second may be a stop word: "set up",
                -- "log in").
                WHILE c <= cardinality(sp) AND sp[c] / 64 = i LOOP
                    p := sp[c] % 64;
                    c := c + 1;
                    w := left(raw[i], p) || '-' || substr(raw[i], p + 1);
                    IF w = ANY (known) THEN
                        -- The hyphenated lexeme, not parsed into its parts.
                        SELECT string_agg(quote_literal(e), ' | ') INTO l
                          FROM unnest(tsvector_to_array(to_tsvector(cfg, w))) e
                         WHERE strpos(e, '-') > 0;
                        IF l IS NOT NULL THEN
                            cs[j] := cs[j] || l::tsquery;
                        END IF;
                    END IF;
                    IF p >= 3 AND left(raw[i], p) = ANY (known)
                       AND (substr(raw[i], p + 1) = ANY (known) OR
                            to_tsvector(cfg, substr(raw[i], p + 1)) =
                            ''::tsvector) THEN
                        cs[j] := cs[j] || plainto_tsquery(cfg,
                            left(raw[i], p) || ' ' || substr(raw[i], p + 1));
                    END IF;
                END LOOP;
            END IF;
        END IF;
        -- Two neighbouring words written as one ("set up" -> setup): a
        -- match covers both.
        IF i < cardinality(raw) AND (raw[i] || raw[i + 1]) = ANY (known) THEN
            x := plainto_tsquery(cfg, raw[i] || raw[i + 1]);
            IF at[i] > 0 THEN
                cs[at[i]] := cs[at[i]] || x;
            END IF;
            IF at[i + 1] > 0 THEN
                cs[at[i + 1]] := cs[at[i + 1]] || x;
            END IF;
        END IF;
    END LOOP;
    -- Synonyms: a group fires when one of its terms is a run of the query's
    -- words (compared by lexeme, stop words aside); every word of the run
    -- then also matches the group's other terms.
    x := cs[1];
    FOR i IN 2 .. n LOOP
        x := x || cs[i];
    END LOOP;
    FOR s IN SELECT g.id, g.terms, g.keys, g.queries FROM public.kb_synonyms g
              WHERE g.tenant_id = t AND g.locale = loc
                AND g.tsv @@ x
              ORDER BY g.id LIMIT 50 LOOP
        FOR k IN 1 .. cardinality(s.keys) LOOP
            tk := string_to_array(s.keys[k], '|');
            IF s.keys[k] = '' OR cardinality(tk) > n THEN
                CONTINUE;
            END IF;
            -- A term with a stop word in it ("back up", "log in") is a
            -- phrase: its other word alone ("get my money back") does
            -- not fire it.
            tw := ARRAY(SELECT m[1] FROM regexp_matches(lower(
                        public.unaccent(s.terms[k])),
                        '[[:alnum:]]+(?:[-._''][[:alnum:]]+)*', 'g') m);
            IF cardinality(tw) > cardinality(tk) AND strpos(
                   ' ' || array_to_string(raw, ' ') || ' ',
                   ' ' || array_to_string(tw, ' ') || ' ') = 0 THEN
                CONTINUE;
            END IF;
            FOR i IN 1 .. n - cardinality(tk) + 1 LOOP
                IF keys[i:i + cardinality(tk) - 1] = tk THEN
                    ids := ids || s.id;
                    FOR j IN i .. i + cardinality(tk) - 1 LOOP
                        FOR p IN 1 .. cardinality(s.queries) LOOP
                            IF p <> k AND s.queries[p] IS NOT NULL THEN
                                cs[j] := cs[j] || s.queries[p];
                            END IF;
                        END LOOP;
                    END LOOP;
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
    concepts := cs;
    IF cardinality(ids) = 0 THEN
        fired := '{}';
    ELSE
        fired := ARRAY(SELECT DISTINCT e FROM unnest(ids) e ORDER BY e);
    END IF;
    as_typed := false;
    RETURN NEXT;
END $$;
