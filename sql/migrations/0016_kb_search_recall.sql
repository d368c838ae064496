-- Help-center search that finds what people mean (issue 15): section
-- headings weigh like tags, a per-tenant synonym table, queries expanded into
-- concepts (synonyms, compound and hyphen variants) and ranked by how many
-- of them an article covers, contact requests from failed searches, and the
-- reasons readers give after "What could be better?" kept readable.

-- The H2/H3 headings of an article, one per line, written at render time.
-- They join the small head vector (weight B, like tags): a section called
-- "Change the PHP version" says more than a mention in the body.
ALTER TABLE kb_articles ADD COLUMN headings text NOT NULL DEFAULT ''
    CHECK (length(headings) <= 4000);

-- Both vectors again with the headings (a generated column's expression
-- cannot change in place).  The head vector stays the start of the full one.
ALTER TABLE kb_articles DROP COLUMN head_tsv, DROP COLUMN tsv;
ALTER TABLE kb_articles ADD COLUMN head_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(mp_kb_config(locale), title), 'A') ||
    setweight(to_tsvector(mp_kb_config(locale), mp_kb_tags_text(tags)), 'B') ||
    setweight(to_tsvector(mp_kb_config(locale), headings), 'B') ||
    setweight(to_tsvector(mp_kb_config(locale), summary), 'C')) STORED;
ALTER TABLE kb_articles ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(mp_kb_config(locale), title), 'A') ||
    setweight(to_tsvector(mp_kb_config(locale), mp_kb_tags_text(tags)), 'B') ||
    setweight(to_tsvector(mp_kb_config(locale), headings), 'B') ||
    setweight(to_tsvector(mp_kb_config(locale), summary), 'C') ||
    setweight(to_tsvector(mp_kb_config(locale), body_text), 'D')) STORED;
CREATE INDEX kb_articles_tenant_tsv ON kb_articles
    USING gin (tenant_id, tsv) WITH (fastupdate = off)
    WHERE status = 'published';
CREATE INDEX kb_articles_tenant_head ON kb_articles
    USING gin (tenant_id, head_tsv) WITH (fastupdate = off)
    WHERE status = 'published';
GRANT SELECT (tsv, head_tsv) ON kb_articles TO mpanel_search;

-- The headings of the articles there are, from their section rows, tenant
-- by tenant (row-level security binds this role too); an article with more
-- than 4,000 characters of them gets them at its next render, cut there.
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        UPDATE kb_articles a
           SET headings = h.txt
          FROM (SELECT s.article_id, string_agg(s.heading, E'\n'
                                                ORDER BY s.pos) AS txt
                  FROM kb_sections s WHERE s.level > 1
                 GROUP BY s.article_id) h
         WHERE h.article_id = a.id AND length(h.txt) <= 4000;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

-- "Did you mean" words and the compound variants of search: hyphenated
-- words too ("e-mail", "wi-fi"), from now on (kb/store.c) and for the
-- published articles there are.
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO kb_words (tenant_id, word)
        SELECT DISTINCT a.tenant_id, w FROM kb_articles a,
               unnest(tsvector_to_array(to_tsvector('kb_simple',
                      a.title || ' ' || a.body_text))) w
         WHERE a.status = 'published' AND strpos(w, '-') > 0
           AND length(w) BETWEEN 3 AND 40
           AND w ~ '^[[:alpha:]]+-[[:alpha:]]+$'
        ON CONFLICT DO NOTHING;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

-- Synonyms, managed by the tenant's staff: each row is a group of terms
-- (words or short phrases) that mean the same to a reader, e.g. {cancel,
-- refund, close account}.  A query that contains one term also finds the
-- articles that use another.
-- The words of a text as search compares them: each word (letters and
-- digits, with inner - . _ ') that is not a stop word, as its lexemes
-- joined by a blank, the words joined by '|'.  "Closing my e-mail" gives
-- 'close|e e-mail mail' in English.  One text per term.
CREATE FUNCTION mp_kb_term_keys(cfg regconfig, terms text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT ARRAY(
        SELECT coalesce((SELECT string_agg(array_to_string(tsvector_to_array(
                   to_tsvector(cfg, m[1])), ' '), '|' ORDER BY o)
                 FROM regexp_matches(lower(u.t),
                      '[[:alnum:]]+(?:[-._''][[:alnum:]]+)*', 'g')
                      WITH ORDINALITY z(m, o)
                WHERE to_tsvector(cfg, m[1]) <> ''::tsvector), '')
          FROM unnest(terms) WITH ORDINALITY u(t, n) ORDER BY u.n)
$$;
GRANT EXECUTE ON FUNCTION mp_kb_term_keys(regconfig, text[]) TO mpanel_app;

-- Each term as a tsquery (all its words; not a phrase: a phrase makes the
-- index recheck every candidate's whole vector), NULL for stop words only.
CREATE FUNCTION mp_kb_term_queries(cfg regconfig, terms text[])
    RETURNS tsquery[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT ARRAY(
        SELECT CASE WHEN to_tsvector(cfg, u.t) <> ''::tsvector
                    THEN plainto_tsquery(cfg, u.t) END
          FROM unnest(terms) WITH ORDINALITY u(t, n) ORDER BY u.n)
$$;
GRANT EXECUTE ON FUNCTION mp_kb_term_queries(regconfig, text[]) TO mpanel_app;

CREATE TABLE kb_synonyms (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    locale     text NOT NULL DEFAULT 'en' CHECK (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    terms      text[] NOT NULL CHECK (cardinality(terms) BETWEEN 2 AND 12
                   AND array_position(terms, NULL) IS NULL),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Every lexeme of every term: a cheap filter for the groups a query
    -- may fire.
    tsv        tsvector GENERATED ALWAYS AS (
        to_tsvector(mp_kb_config(locale), mp_kb_tags_text(terms))) STORED,
    -- Per term, its words' lexemes (see mp_kb_term_keys) and its tsquery,
    -- worked out once here instead of on every search.
    keys       text[] GENERATED ALWAYS AS (
        mp_kb_term_keys(mp_kb_config(locale), terms)) STORED,
    queries    tsquery[] GENERATED ALWAYS AS (
        mp_kb_term_queries(mp_kb_config(locale), terms)) STORED,
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE kb_synonyms ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_synonyms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_synonyms
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON kb_synonyms TO mpanel_app;
GRANT SELECT (tenant_id, id, locale, terms, tsv, keys, queries) ON kb_synonyms
    TO mpanel_search;
GRANT SELECT (tenant_id, word) ON kb_words TO mpanel_search;

-- A search's concepts: one per word of the query that is not a stop word,
-- each a tsquery that matches the word or any of its variants: the
-- synonyms of a group it belongs to (alone or as part of a phrase of the
-- query), the word written as one with its neighbour ("name servers" ->
-- nameservers), a hyphenated or dotted word written as one or apart
-- ("e-mail" -> email, e mail), and a word split in two ("email" -> e-mail,
-- "setup" -> set up).  Variants that join or split words are only those
-- the tenant's published articles use (kb_words), so a query carries no
-- alternatives that cannot match.  At most 8 words count.
--
-- Queries with web-search syntax ("a phrase", or, -word) are taken as
-- typed: one concept, the websearch_to_tsquery of the whole query.
--
-- Also returns the ids of the synonym groups that fired and whether the
-- query was taken as typed (strict).  Runs as its caller: the app role
-- (row-level security) or the search function's owner (which bypasses it),
-- so the tenant is always written out.  No row for a query of stop words.
CREATE FUNCTION mp_kb_expand(q text, loc text)
    RETURNS TABLE (concepts tsquery[], fired bigint[], as_typed boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    t     bigint := public.mp_tenant();
    cfg   regconfig := public.mp_kb_config(loc);
    raw   text[];          -- every word, stop words too
    toks  text[] := '{}';  -- the words that count
    keys  text[] := '{}';  -- their lexemes, as one text each
    at    int[] := '{}';   -- each raw word's concept (0: none)
    cand  text[] := '{}';  -- spellings to look up in the articles' words
    known text[];
    cs    tsquery[];
    ids   bigint[] := '{}';
    x     tsquery;
    v     tsvector;
    w     text;
    l     text;
    s     record;
    tk    text[];
    n     int := 0;
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
        toks := toks || raw[i];
        keys := keys || array_to_string(tsvector_to_array(v), ' ');
        cs[n] := plainto_tsquery(cfg, raw[i]);
        -- The spellings its variants need: written as one, and the
        -- halves of each split (with a hyphen, and apart).
        IF raw[i] ~ '[-._'']' THEN
            cand := cand || regexp_replace(raw[i], '[-._'']', '', 'g');
        ELSIF raw[i] ~ '^[[:alpha:]]{4,30}$' THEN
            cand := cand || raw[i] || ARRAY(
                SELECT e FROM generate_series(1, length(raw[i]) - 1) g,
                       LATERAL (VALUES (left(raw[i], g) || '-' ||
                                        substr(raw[i], g + 1)),
                                       (left(raw[i], g)),
                                       (substr(raw[i], g + 1))) y(e)
                 WHERE length(e) >= 3);
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
    known := ARRAY(SELECT kw.word FROM public.kb_words kw
                    WHERE kw.tenant_id = t AND kw.word = ANY (cand));
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
            ELSIF raw[i] ~ '^[[:alpha:]]{4,30}$' THEN
                -- Split in two where the articles write the halves as one
                -- hyphenated word ("wi-fi", "e-mail"), or as two words
                -- ("name servers"; the second may be a stop word: "set up",
                -- "log in").
                FOR p IN 1 .. length(raw[i]) - 1 LOOP
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
    FOR s IN SELECT g.id, g.keys, g.queries FROM public.kb_synonyms g
              WHERE g.tenant_id = t AND g.locale = loc
                AND g.tsv @@ x
              ORDER BY g.id LIMIT 50 LOOP
        FOR k IN 1 .. cardinality(s.keys) LOOP
            tk := string_to_array(s.keys[k], '|');
            IF s.keys[k] = '' OR cardinality(tk) > n THEN
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
    fired := ARRAY(SELECT DISTINCT e FROM unnest(ids) e ORDER BY e);
    as_typed := false;
    RETURN NEXT;
END $$;
GRANT EXECUTE ON FUNCTION mp_kb_expand(text, text) TO mpanel_app, mpanel_search;

-- The search itself: mp_kb_search() of 0006 with recall first.  The same
-- arguments and bounds; two more columns: coverage (0..1), how much of the
-- query the article covers, and fired, the synonym groups the query fired
-- (the same on every row).
--
-- Candidates come from the GIN indexes, as before: the articles that match
-- every concept (F, at most 1,001), those that match any concept in the
-- title, tags, headings or summary (H, at most 1,001), and, when those are
-- fewer than 50, those that match any concept in the body only (B, at most
-- 200); all of them are counted, and 300 of F and H (those in both first,
-- then H) plus B are weighed.  A concept found in the head vector (title, tags, headings,
-- summary) counts 1, in the body only 0.5; each concept weighs by how rare
-- it is among the candidates, ln(1 + candidates / (1 + those with it)): a
-- word every article has says little.  The cheap first order uses the head
-- vector alone (and F's known body matches); the best 30 of it get the
-- exact coverage and a weighted ts_rank over the whole article (title 1,
-- tags and headings 0.5, summary 0.3, body 0.1).  Their score is
-- (coverage + 0.3 * rank / (rank + 0.1)) * boost; the rest follow in the
-- cheap order, scores capped so they never rise down the list.
--
-- The query has one expression per concept, for up to 8 (mp_kb_expand's
-- limit), instead of a subquery per candidate: a thousand candidates cost
-- a few milliseconds, not tens; and it stays one cached generic plan.
DROP FUNCTION mp_kb_search(text, text, text, text, integer, integer);
CREATE FUNCTION mp_kb_search(q text, loc text, tag text, cat text,
    lim integer, off integer)
    RETURNS TABLE (article_id bigint, score real, matches integer,
                   capped boolean, pos integer, coverage real, fired bigint[])
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
    WITH f AS (
        SELECT a.id, a.boost, a.head_tsv FROM public.kb_articles a
         WHERE a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.tsv @@ allq
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 1001),
    h AS (
        SELECT a.id, a.boost, a.head_tsv FROM public.kb_articles a
         WHERE a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.head_tsv @@ anyq AND (NOT neg OR a.tsv @@ allq)
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 1001),
    -- (IN, not a join: a generic plan guesses one row per CTE and would
    -- rescan F for every row of H.)
    fh AS (
        SELECT h.id, h.boost, h.head_tsv, h.id IN (SELECT f.id FROM f) AS full,
               true AS inh
          FROM h
        UNION ALL
        SELECT f.id, f.boost, f.head_tsv, true, false FROM f
         WHERE f.id NOT IN (SELECT h.id FROM h)),
    -- The 300 likeliest are weighed: every concept and one in the head,
    -- then one in the head, then every concept in the body.
    fho AS MATERIALIZED (
        SELECT fh.*, row_number() OVER (ORDER BY fh.full AND fh.inh DESC,
               fh.inh DESC, fh.id) AS k
          FROM fh),
    fhp AS (
        SELECT fho.id, fho.boost, fho.head_tsv, fho.full FROM fho
         WHERE fho.k <= 300),
    -- Matches in the body only, when the others are few.
    b AS (
        SELECT a.id, a.boost, a.head_tsv, false AS full
          FROM public.kb_articles a
         WHERE NOT typed AND (SELECT count(*) FROM fh) < 50
           AND a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.tsv @@ anyq AND NOT a.head_tsv @@ anyq AND NOT a.tsv @@ allq
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 200),
    -- hK: concept K is in the head.
    m AS MATERIALIZED (
        SELECT c.id, c.boost, c.full,
               coalesce(c.head_tsv @@ cs[1], false) AS h1,
               coalesce(c.head_tsv @@ cs[2], false) AS h2,
               coalesce(c.head_tsv @@ cs[3], false) AS h3,
               coalesce(c.head_tsv @@ cs[4], false) AS h4,
               coalesce(c.head_tsv @@ cs[5], false) AS h5,
               coalesce(c.head_tsv @@ cs[6], false) AS h6,
               coalesce(c.head_tsv @@ cs[7], false) AS h7,
               coalesce(c.head_tsv @@ cs[8], false) AS h8
          FROM (SELECT * FROM fhp UNION ALL SELECT * FROM b) c),
    -- wK: concept K's weight (0 past the last concept).
    wt AS (
        SELECT (SELECT count(*) FROM fh) + (SELECT count(*) FROM b) AS total,
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
    top AS (
        SELECT m.id, m.boost, m.h1, m.h2, m.h3, m.h4, m.h5, m.h6, m.h7,
               m.h8, wt.total, p.pre,
               row_number() OVER (ORDER BY p.pre * m.boost DESC, m.id) AS n
          FROM m CROSS JOIN wt CROSS JOIN LATERAL (SELECT
               (CASE WHEN m.h1 THEN 1 WHEN m.full THEN 0.5 ELSE 0 END * wt.w1
                + CASE WHEN m.h2 THEN 1 WHEN m.full THEN 0.5 ELSE 0 END * wt.w2
                + CASE WHEN m.h3 THEN 1 WHEN m.full THEN 0.5 ELSE 0 END * wt.w3
                + CASE WHEN m.h4 THEN 1 WHEN m.full THEN 0.5 ELSE 0 END * wt.w4
                + CASE WHEN m.h5 THEN 1 WHEN m.full THEN 0.5 ELSE 0 END * wt.w5
                + CASE WHEN m.h6 THEN 1 WHEN m.full THEN 0.5 ELSE 0 END * wt.w6
                + CASE WHEN m.h7 THEN 1 WHEN m.full THEN 0.5 ELSE 0 END * wt.w7
                + CASE WHEN m.h8 THEN 1 WHEN m.full THEN 0.5 ELSE 0 END * wt.w8)
               / (wt.w1 + wt.w2 + wt.w3 + wt.w4 + wt.w5 + wt.w6 + wt.w7 + wt.w8) AS pre) p),
    -- Those not weighed follow, in the order they were picked.
    rest AS (
        SELECT fho.id, fho.boost, wt.total, 0::float8 AS pre,
               (SELECT count(*) FROM m) + fho.k - 300 AS n
          FROM fho CROSS JOIN wt WHERE fho.k > 300),
    -- Only the best 30 read the whole vector, each unpacked once (here,
    -- not in every test of it).
    x AS MATERIALIZED (
        SELECT top.*, a.tsv || ''::tsvector AS v
          FROM top JOIN public.kb_articles a
            ON a.tenant_id = t AND a.id = top.id
         WHERE top.n <= 30),
    r AS MATERIALIZED (
        SELECT x.id, x.pre, x.total, x.n, x.boost,
               (CASE WHEN x.h1 THEN 1 WHEN coalesce(x.v @@ cs[1], false) THEN 0.5
                      ELSE 0 END * wt.w1
                + CASE WHEN x.h2 THEN 1 WHEN coalesce(x.v @@ cs[2], false) THEN 0.5
                      ELSE 0 END * wt.w2
                + CASE WHEN x.h3 THEN 1 WHEN coalesce(x.v @@ cs[3], false) THEN 0.5
                      ELSE 0 END * wt.w3
                + CASE WHEN x.h4 THEN 1 WHEN coalesce(x.v @@ cs[4], false) THEN 0.5
                      ELSE 0 END * wt.w4
                + CASE WHEN x.h5 THEN 1 WHEN coalesce(x.v @@ cs[5], false) THEN 0.5
                      ELSE 0 END * wt.w5
                + CASE WHEN x.h6 THEN 1 WHEN coalesce(x.v @@ cs[6], false) THEN 0.5
                      ELSE 0 END * wt.w6
                + CASE WHEN x.h7 THEN 1 WHEN coalesce(x.v @@ cs[7], false) THEN 0.5
                      ELSE 0 END * wt.w7
                + CASE WHEN x.h8 THEN 1 WHEN coalesce(x.v @@ cs[8], false) THEN 0.5
                      ELSE 0 END * wt.w8)
               / (wt.w1 + wt.w2 + wt.w3 + wt.w4 + wt.w5 + wt.w6 + wt.w7 + wt.w8) AS cov,
               ts_rank('{0.1, 0.3, 0.5, 1.0}', x.v, anyq) AS rk
          FROM x CROSS JOIN wt
        UNION ALL
        SELECT top.id, top.pre, top.total, top.n, top.boost, NULL, NULL
          FROM top WHERE top.n > 30
        UNION ALL
        SELECT rest.id, rest.pre, rest.total, rest.n, rest.boost, NULL, NULL
          FROM rest),
    o AS (
        SELECT r.id, r.total, coalesce(r.cov, r.pre) AS cov,
               coalesce((r.cov + 0.3 * r.rk / (r.rk + 0.1)) * r.boost,
                        least(r.pre * r.boost, min((r.cov + 0.3 * r.rk /
                              (r.rk + 0.1)) * r.boost) OVER ())) AS score,
               r.n AS pre_n
          FROM r),
    fin AS (
        SELECT o.id, o.total, o.cov, o.score,
               row_number() OVER (ORDER BY o.pre_n > 30, o.score DESC, o.id)
                   AS n
          FROM o)
    SELECT fin.id, fin.score::real, least(fin.total, 1000)::integer,
           fin.total > 1000, fin.n::integer, fin.cov::real, fids
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

-- "Contact support" from a search that found nothing: the request as the
-- reader sent it, the search that failed (as typed and as the search
-- report counts it, normalised), and the mail to the tenant's support
-- address (NULL when the tenant has none; the request is kept anyway).
CREATE TABLE kb_contact_requests (
    tenant_id       bigint NOT NULL REFERENCES tenants (id),
    id              bigint GENERATED ALWAYS AS IDENTITY,
    public_id       text NOT NULL
                    DEFAULT substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)
                    CHECK (public_id ~ '^[0-9a-z]{8,32}$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    message         text NOT NULL CHECK (length(message) BETWEEN 1 AND 5000),
    query           text NOT NULL DEFAULT '' CHECK (length(query) <= 200),
    query_norm      text NOT NULL DEFAULT '' CHECK (length(query_norm) <= 200),
    notification_id text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id)
);
CREATE INDEX kb_contact_requests_query ON kb_contact_requests
    (tenant_id, query_norm, created_at DESC);
CREATE INDEX kb_contact_requests_recent ON kb_contact_requests
    (tenant_id, created_at DESC);
ALTER TABLE kb_contact_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_contact_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_contact_requests
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON kb_contact_requests TO mpanel_app;
