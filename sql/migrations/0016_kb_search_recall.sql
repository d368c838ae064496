-- Help-center search that finds what people mean (issue 15): section
-- headings weigh like tags, a per-tenant synonym table, queries expanded into
-- concepts (synonyms, compound and hyphen variants) and ranked by how many
-- of them an article covers, contact requests from failed searches, and the
-- reasons readers give after "What could be better?" kept readable.

-- The H2/H3 headings of an article, one per line, written at render time.
-- They join the small head vector (weight B, like tags): a section called
-- "Change the PHP version" says more than a mention in the body.
ALTER TABLE kb_articles ADD COLUMN headings text NOT NULL DEFAULT ''
    CHECK (length(headings) <= 20000);

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
-- by tenant (row-level security binds this role too).
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
         WHERE h.article_id = a.id AND left(h.txt, 20000) = h.txt;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

-- Synonyms, managed by the tenant's staff: each row is a group of terms
-- (words or short phrases) that mean the same to a reader, e.g. {cancel,
-- refund, close account}.  A query that contains one term also finds the
-- articles that use another.
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
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE kb_synonyms ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_synonyms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_synonyms
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON kb_synonyms TO mpanel_app;
GRANT SELECT (tenant_id, id, locale, terms, tsv) ON kb_synonyms TO mpanel_search;
GRANT SELECT (tenant_id, word) ON kb_words TO mpanel_search;

-- A search's concepts: one per word of the query that is not a stop word,
-- each a tsquery that matches the word or any of its variants: the
-- synonyms of a group it belongs to (alone or as part of a phrase of the
-- query), the word written as one with its neighbour ("name servers" ->
-- nameservers), a hyphenated or dotted word written as one or apart
-- ("e-mail" -> email, e mail), and a long word split in two ("setup" ->
-- set up, set-up).  At most 8 words count.
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
    stop  boolean[];
    toks  text[];          -- the words that count
    keys  text[];          -- their lexemes, as one text each
    at    int[];           -- each raw word's concept (0: none)
    cs    tsquery[];
    ids   bigint[] := '{}';
    x     tsquery;
    v     tsvector;
    w     text;
    l     text;
    r     text;
    s     record;
    term  text;
    tk    text[];
    n     int;
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
    n := 0;
    stop := '{}';
    at := '{}';
    FOR i IN 1 .. coalesce(cardinality(raw), 0) LOOP
        v := to_tsvector(cfg, raw[i]);
        stop := stop || (v = ''::tsvector);
        IF v = ''::tsvector OR n >= 8 THEN
            at := at || 0;
            CONTINUE;
        END IF;
        n := n + 1;
        at := at || n;
        toks[n] := raw[i];
        keys[n] := array_to_string(tsvector_to_array(v), ' ');
        x := plainto_tsquery(cfg, raw[i]);
        IF raw[i] ~ '[-._'']' THEN
            -- Written as one and written apart.
            w := regexp_replace(raw[i], '[-._'']', '', 'g');
            IF to_tsvector(cfg, w) <> ''::tsvector THEN
                x := x || plainto_tsquery(cfg, w);
            END IF;
            w := regexp_replace(raw[i], '[-._'']', ' ', 'g');
            IF to_tsvector(cfg, w) <> ''::tsvector THEN
                x := x || phraseto_tsquery(cfg, w);
            END IF;
        ELSIF raw[i] ~ '^[[:alpha:]]{5,20}$' THEN
            -- Split in two: hyphenated always (the parser keeps "wi-fi"
            -- whole), apart when both halves are words of the articles
            -- (or the second a stop word: "set up", "log in").
            FOR p IN 1 .. length(raw[i]) - 2 LOOP
                l := left(raw[i], p);
                r := substr(raw[i], p + 1);
                -- The lexeme as it is, not parsed again into its parts.
                SELECT string_agg(quote_literal(e), ' | ') INTO w
                  FROM unnest(tsvector_to_array(to_tsvector(cfg,
                       l || '-' || r))) e WHERE strpos(e, '-') > 0;
                IF w IS NOT NULL THEN
                    x := x || w::tsquery;
                END IF;
                IF p >= 3 AND EXISTS (SELECT 1 FROM public.kb_words kw
                        WHERE kw.tenant_id = t AND kw.word = l)
                   AND (to_tsvector(cfg, r) = ''::tsvector OR
                        (length(r) >= 3 AND EXISTS (SELECT 1
                         FROM public.kb_words kw
                         WHERE kw.tenant_id = t AND kw.word = r))) THEN
                    x := x || phraseto_tsquery(cfg, l || ' ' || r);
                END IF;
            END LOOP;
        END IF;
        cs[n] := x;
    END LOOP;
    IF n = 0 THEN
        RETURN;
    END IF;
    -- Two neighbouring words written as one ("set up" -> setup): a match
    -- covers both.
    FOR i IN 1 .. cardinality(raw) - 1 LOOP
        w := raw[i] || raw[i + 1];
        IF raw[i] ~ '^[[:alpha:]]+$' AND raw[i + 1] ~ '^[[:alpha:]]+$'
           AND length(w) <= 30 AND to_tsvector(cfg, w) <> ''::tsvector THEN
            x := plainto_tsquery(cfg, w);
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
    x := NULL;
    FOR i IN 1 .. n LOOP
        x := CASE WHEN x IS NULL THEN plainto_tsquery(cfg, toks[i])
                  ELSE x || plainto_tsquery(cfg, toks[i]) END;
    END LOOP;
    FOR s IN SELECT g.id, g.terms FROM public.kb_synonyms g
              WHERE g.tenant_id = t AND g.locale = loc AND g.tsv @@ x
              ORDER BY g.id LIMIT 50 LOOP
        FOREACH term IN ARRAY s.terms LOOP
            tk := ARRAY(SELECT array_to_string(tsvector_to_array(
                        to_tsvector(cfg, m[1])), ' ')
                        FROM regexp_matches(lower(public.unaccent(term)),
                        '[[:alnum:]]+(?:[-._''][[:alnum:]]+)*', 'g')
                        WITH ORDINALITY AS z(m, o)
                        WHERE to_tsvector(cfg, m[1]) <> ''::tsvector
                        ORDER BY o);
            k := cardinality(tk);
            IF k = 0 OR k > n THEN
                CONTINUE;
            END IF;
            FOR i IN 1 .. n - k + 1 LOOP
                IF keys[i:i + k - 1] = tk THEN
                    ids := ids || s.id;
                    FOR j IN i .. i + k - 1 LOOP
                        FOREACH w IN ARRAY s.terms LOOP
                            IF w <> term AND to_tsvector(cfg, w) <> ''::tsvector THEN
                                cs[j] := cs[j] || phraseto_tsquery(cfg, w);
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
-- arguments and bounds; one more column, coverage (0..1): how much of the
-- query the article covers.
--
-- Candidates come from the GIN indexes, as before: the articles that match
-- every concept (F, at most 1,001), those that match any concept in the
-- title, tags, headings or summary (H, at most 1,001), and, when those are
-- fewer than 50, those that match any concept in the body only (B, at most
-- 200).  A concept found in the head vector counts 1, one found in the
-- body only counts 0.5; each concept weighs by how rare it is among the
-- candidates (a word every article has says little).  The cheap first
-- order uses the head vector alone (and F's known body matches); the best
-- 30 of it get the exact coverage and a weighted ts_rank over the whole
-- article (title 1, tags and headings 0.5, summary 0.3, body 0.1).  Their
-- score is (coverage + 0.3 * rank / (rank + 0.1)) * boost; the rest follow
-- in the cheap order, scores capped so they never rise down the list.
-- With one concept, F is the old exact set and the order is as before
-- except for the rank's weights.
DROP FUNCTION mp_kb_search(text, text, text, text, integer, integer);
CREATE FUNCTION mp_kb_search(q text, loc text, tag text, cat text,
    lim integer, off integer)
    RETURNS TABLE (article_id bigint, score real, matches integer,
                   capped boolean, pos integer, coverage real)
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
    nc     integer;
    catids bigint[];
    i      integer;
BEGIN
    IF t IS NULL OR q IS NULL OR loc IS NULL OR lim IS NULL OR off IS NULL
        OR lim < 1 OR off < 0 OR off >= 1000 THEN
        RETURN;
    END IF;
    SELECT e.concepts, e.as_typed INTO cs, typed
      FROM public.mp_kb_expand(q, loc) e;
    IF cs IS NULL THEN
        RETURN;    -- stop words only
    END IF;
    nc := cardinality(cs);
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
        SELECT a.id FROM public.kb_articles a
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
    fh AS (
        SELECT h.id, h.boost, h.head_tsv, f.id IS NOT NULL AS full
          FROM h LEFT JOIN f ON f.id = h.id
        UNION ALL
        SELECT a.id, a.boost, a.head_tsv, true FROM f
          JOIN public.kb_articles a ON a.tenant_id = t AND a.id = f.id
         WHERE NOT EXISTS (SELECT 1 FROM h WHERE h.id = f.id)),
    b AS (
        SELECT a.id, a.boost, a.head_tsv, false AS full
          FROM public.kb_articles a
         WHERE NOT typed AND (SELECT count(*) FROM fh) < 50
           AND a.tenant_id = t AND a.status = 'published' AND a.locale = loc
           AND a.tsv @@ anyq AND NOT a.head_tsv @@ anyq AND NOT a.tsv @@ allq
           AND (tag IS NULL OR a.tags @> ARRAY[tag])
           AND (catids IS NULL OR a.category_id = ANY (catids))
         LIMIT 200),
    m AS MATERIALIZED (
        SELECT c.id, c.boost, c.full,
               ARRAY(SELECT CASE WHEN c.head_tsv @@ cs[i] THEN
                            CASE WHEN ts_filter(c.head_tsv, '{a,b}') @@ cs[i]
                                 THEN 1.0 ELSE 0.8 END
                            ELSE 0 END
                       FROM generate_series(1, nc) i ORDER BY i) AS inhead
          FROM (SELECT * FROM fh UNION ALL SELECT * FROM b) c),
    -- How rare each concept is among the candidates (head matches and
    -- known body matches): weight ln(1 + candidates / (1 + matches)).
    wt AS (
        SELECT array_agg(ln(1 + tot::float8 / (1 + hits)) ORDER BY i) AS w,
               max(tot) AS total
          FROM (SELECT i, count(*) FILTER (WHERE m.inhead[i] > 0 OR m.full) AS hits,
                       count(*) AS tot
                  FROM m, generate_series(1, nc) i GROUP BY i) z),
    p AS (
        SELECT m.id, m.boost, m.inhead,
               (SELECT sum(CASE WHEN m.inhead[i] > 0 THEN m.inhead[i]
                                WHEN m.full THEN 0.5 ELSE 0 END * wt.w[i])
                       / sum(wt.w[i])
                  FROM generate_series(1, nc) i) AS pre,
               wt.total
          FROM m, wt),
    top AS (
        SELECT p.id, p.pre, p.total, p.inhead, p.boost,
               row_number() OVER (ORDER BY p.pre * p.boost DESC, p.id) AS n
          FROM p),
    -- Only the best 30 read the whole vector.
    r AS MATERIALIZED (
        SELECT top.id, top.pre, top.total, top.n, top.boost, x.cov, x.rk
          FROM top CROSS JOIN LATERAL (
               SELECT (SELECT sum(CASE WHEN top.inhead[i] > 0 THEN top.inhead[i]
                                       WHEN a.tsv @@ cs[i] THEN 0.5
                                       ELSE 0 END * wt.w[i]) / sum(wt.w[i])
                         FROM generate_series(1, nc) i) AS cov,
                      ts_rank('{0.1, 0.3, 0.5, 1.0}', a.tsv, anyq) AS rk
                 FROM public.kb_articles a, wt
                WHERE a.tenant_id = t AND a.id = top.id) x
         WHERE top.n <= 30
        UNION ALL
        SELECT top.id, top.pre, top.total, top.n, top.boost, NULL, NULL
          FROM top WHERE top.n > 30),
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
           fin.total > 1000, fin.n::integer, fin.cov::real
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
