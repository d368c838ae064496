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
            -- Written as one (when the articles have it so) and apart.
            w := regexp_replace(raw[i], '[-._'']', '', 'g');
            IF EXISTS (SELECT 1 FROM public.kb_words kw
                        WHERE kw.tenant_id = t AND kw.word = w) THEN
                x := x || plainto_tsquery(cfg, w);
            END IF;
            w := regexp_replace(raw[i], '[-._'']', ' ', 'g');
            IF to_tsvector(cfg, w) <> ''::tsvector THEN
                x := x || phraseto_tsquery(cfg, w);
            END IF;
        ELSIF raw[i] ~ '^[[:alpha:]]{4,30}$' THEN
            -- Split in two where the articles have the halves as one
            -- hyphenated word ("wi-fi", "e-mail"), or as two words ("name
            -- servers"; the second may be a stop word: "set up", "log in").
            -- Only such splits: every variant costs on every candidate.
            FOR w IN
                SELECT kw.word FROM public.kb_words kw
                 WHERE kw.tenant_id = t AND kw.word IN (
                       SELECT left(raw[i], g) || '-' || substr(raw[i], g + 1)
                         FROM generate_series(1, length(raw[i]) - 1) g)
            LOOP
                -- The hyphenated lexeme itself, not parsed into its parts.
                SELECT string_agg(quote_literal(e), ' | ') INTO l
                  FROM unnest(tsvector_to_array(to_tsvector(cfg, w))) e
                 WHERE strpos(e, '-') > 0;
                IF l IS NOT NULL THEN
                    x := x || l::tsquery;
                END IF;
            END LOOP;
            FOR p IN
                SELECT g FROM generate_series(3, length(raw[i]) - 2) g
                 WHERE EXISTS (SELECT 1 FROM public.kb_words kw
                                WHERE kw.tenant_id = t
                                  AND kw.word = left(raw[i], g))
                   AND (to_tsvector(cfg, substr(raw[i], g + 1)) = ''::tsvector
                        OR EXISTS (SELECT 1 FROM public.kb_words kw
                                    WHERE kw.tenant_id = t
                                      AND kw.word = substr(raw[i], g + 1)))
            LOOP
                x := x || phraseto_tsquery(cfg, left(raw[i], p) || ' ' ||
                                                substr(raw[i], p + 1));
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
           AND length(w) <= 40 AND EXISTS (SELECT 1 FROM public.kb_words kw
                                            WHERE kw.tenant_id = t
                                              AND kw.word = w) THEN
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
-- 200).  A concept found in the head vector (title, tags, headings,
-- summary) counts 1, in the body only 0.5; each concept weighs by how rare it is
-- among the candidates, ln(1 + candidates / (1 + those with it)): a word
-- every article has says little.  The cheap first order uses the head
-- vector alone (and F's known body matches); the best 30 of it get the
-- exact coverage and a weighted ts_rank over the whole article (title 1,
-- tags and headings 0.5, summary 0.3, body 0.1).  Their score is
-- (coverage + 0.3 * rank / (rank + 0.1)) * boost; the rest follow in the
-- cheap order, scores capped so they never rise down the list.
--
-- The query is written out for the number of concepts (one expression per
-- concept instead of a subquery per row: a thousand candidates cost a few
-- milliseconds, not tens) and planned with the call's values.
DROP FUNCTION mp_kb_search(text, text, text, text, integer, integer);
CREATE FUNCTION mp_kb_search(q text, loc text, tag text, cat text,
    lim integer, off integer)
    RETURNS TABLE (article_id bigint, score real, matches integer,
                   capped boolean, pos integer, coverage real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 10
    SET search_path = pg_catalog, public, pg_temp
    SET enable_seqscan = off
    SET jit = off
    AS $$
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
    hcol   text := '';
    wcol   text := '';
    pre    text := '';
    cov    text := '';
    wsum   text := '';
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
    -- Per concept i: hI, whether it is in the head; wI, its weight; its
    -- share of the cheap and of the exact coverage.
    FOR i IN 1 .. nc LOOP
        hcol := hcol || format(', c.head_tsv @@ $1[%1$s] AS h%1$s', i);
        wcol := wcol || format(', ln(1 + count(*)::float8 / (1 + count(*)'
            ' FILTER (WHERE m.h%1$s OR m.full))) AS w%1$s', i);
        pre := pre || format(' + CASE WHEN m.h%1$s THEN 1'
            ' WHEN m.full THEN 0.5 ELSE 0 END * wt.w%1$s', i);
        cov := cov || format(' + CASE WHEN x.h%1$s THEN 1'
            ' WHEN x.v @@ $1[%1$s] THEN 0.5 ELSE 0 END * wt.w%1$s', i);
        wsum := wsum || format(' + wt.w%s', i);
    END LOOP;
    RETURN QUERY EXECUTE format($q$
    WITH f AS (
        SELECT a.id, a.boost, a.head_tsv FROM public.kb_articles a
         WHERE a.tenant_id = $4 AND a.status = 'published' AND a.locale = $5
           AND a.tsv @@ $3
           AND ($6::text IS NULL OR a.tags @> ARRAY[$6::text])
           AND ($7::bigint[] IS NULL OR a.category_id = ANY ($7))
         LIMIT 1001),
    h AS (
        SELECT a.id, a.boost, a.head_tsv FROM public.kb_articles a
         WHERE a.tenant_id = $4 AND a.status = 'published' AND a.locale = $5
           AND a.head_tsv @@ $2 AND (NOT $8 OR a.tsv @@ $3)
           AND ($6::text IS NULL OR a.tags @> ARRAY[$6::text])
           AND ($7::bigint[] IS NULL OR a.category_id = ANY ($7))
         LIMIT 1001),
    fh AS (
        SELECT h.id, h.boost, h.head_tsv, f.id IS NOT NULL AS full
          FROM h LEFT JOIN f ON f.id = h.id
        UNION ALL
        SELECT f.id, f.boost, f.head_tsv, true FROM f
         WHERE f.id NOT IN (SELECT h.id FROM h)),
    b AS (
        SELECT a.id, a.boost, a.head_tsv, false AS full
          FROM public.kb_articles a
         WHERE NOT $9 AND (SELECT count(*) FROM fh) < 50
           AND a.tenant_id = $4 AND a.status = 'published' AND a.locale = $5
           AND a.tsv @@ $2 AND NOT a.head_tsv @@ $2 AND NOT a.tsv @@ $3
           AND ($6::text IS NULL OR a.tags @> ARRAY[$6::text])
           AND ($7::bigint[] IS NULL OR a.category_id = ANY ($7))
         LIMIT 200),
    m AS MATERIALIZED (
        SELECT c.id, c.boost, c.full %1$s
          FROM (SELECT * FROM fh UNION ALL SELECT * FROM b) c),
    wt AS (
        SELECT count(*) AS total %2$s FROM m),
    top AS (
        SELECT m.*, wt.total, (0 %3$s) / (0 %5$s) AS pre,
               row_number() OVER (ORDER BY (0 %3$s) * m.boost DESC, m.id) AS n
          FROM m, wt),
    -- Only the best 30 read the whole vector, once each (unpacked here,
    -- not in every test of it).
    x AS MATERIALIZED (
        SELECT top.*, a.tsv || ''::tsvector AS v
          FROM top JOIN public.kb_articles a
            ON a.tenant_id = $4 AND a.id = top.id
         WHERE top.n <= 30),
    r AS MATERIALIZED (
        SELECT x.id, x.pre, x.total, x.n, x.boost,
               (0 %4$s) / (0 %5$s) AS cov,
               ts_rank('{0.1, 0.3, 0.5, 1.0}', x.v, $2) AS rk
          FROM x, wt
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
     WHERE fin.n > $10 AND fin.n <= least($10 + $11, 1000)
     ORDER BY fin.n
    $q$, hcol, wcol, pre, cov, wsum)
    USING cs, anyq, allq, t, loc, tag, catids, neg, typed, off, lim;
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
