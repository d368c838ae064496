-- Help center: categories, articles with stored renders and search vectors, revisions,
-- section rows for snippets, daily view and search rollups, votes and the "did you mean" word list.

-- Both extensions are trusted (PostgreSQL 13+): the database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- One text search configuration per language, accent-insensitive.  kb_simple
-- (no stemming) serves locales without a stemmer and the as-you-type title
-- index, where prefixes must match the words as typed.
CREATE TEXT SEARCH CONFIGURATION kb_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION kb_english
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION kb_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION kb_simple
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

-- The search configuration of a locale ('en' stems English, others do not).
CREATE FUNCTION mp_kb_config(locale text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN $1 LIKE 'en%' THEN 'kb_english'::regconfig
                      ELSE 'kb_simple'::regconfig END $$;
GRANT EXECUTE ON FUNCTION mp_kb_config(text) TO mpanel_app;

-- Tags as one text for the search vector (array_to_string is only STABLE,
-- but over text[] its result cannot change).
CREATE FUNCTION mp_kb_tags_text(tags text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_to_string($1, ' ') $$;
GRANT EXECUTE ON FUNCTION mp_kb_tags_text(text[]) TO mpanel_app;

CREATE TABLE kb_categories (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    slug        text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,78}[a-z0-9])?$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    parent_id   bigint,
    position    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, slug),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES kb_categories (tenant_id, id),
    CHECK (parent_id IS DISTINCT FROM id)
);

-- Categories nest one level: a parent must itself be top level, and a
-- category with children cannot become a child.
CREATE FUNCTION mp_kb_category_depth() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public
    AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND (
        EXISTS (SELECT 1 FROM kb_categories c WHERE c.tenant_id = NEW.tenant_id
                AND c.id = NEW.parent_id AND c.parent_id IS NOT NULL) OR
        EXISTS (SELECT 1 FROM kb_categories c WHERE c.tenant_id = NEW.tenant_id
                AND c.parent_id = NEW.id)) THEN
        RAISE EXCEPTION 'categories nest one level only'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER kb_category_depth BEFORE INSERT OR UPDATE OF parent_id
    ON kb_categories FOR EACH ROW EXECUTE FUNCTION mp_kb_category_depth();

CREATE TABLE kb_articles (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    -- Opaque id in URLs: 12 hex digits of a random UUID, never sequential.
    public_id        text NOT NULL
                     DEFAULT substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)
                     CHECK (public_id ~ '^[0-9a-z]{8,32}$'),
    slug             text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,78}[a-z0-9])?$'),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 500),
    body_md          text NOT NULL DEFAULT '' CHECK (octet_length(body_md) <= 262144),
    -- Written by the renderer (cmark-gfm, safe mode) on every save; NULL
    -- until the first render (seeded rows, see mpanelctl kb-render).
    body_html        text,
    body_text        text NOT NULL DEFAULT '',
    rendered_at      timestamptz,
    category_id      bigint,
    tags             text[] NOT NULL DEFAULT '{}'
                     CHECK (cardinality(tags) <= 20),
    status           text NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'published', 'archived')),
    author_id        bigint,
    author_name      text NOT NULL DEFAULT '' CHECK (length(author_name) <= 200),
    meta_title       text NOT NULL DEFAULT '' CHECK (length(meta_title) <= 200),
    meta_description text NOT NULL DEFAULT '' CHECK (length(meta_description) <= 300),
    locale           text NOT NULL DEFAULT 'en' CHECK (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    boost            real NOT NULL DEFAULT 1.0 CHECK (boost BETWEEN 0.1 AND 10),
    revision         integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    published_at     timestamptz,
    -- Title A, tags B, summary C, body D; stored so search never computes it.
    tsv              tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(mp_kb_config(locale), title), 'A') ||
        setweight(to_tsvector(mp_kb_config(locale), mp_kb_tags_text(tags)), 'B') ||
        setweight(to_tsvector(mp_kb_config(locale), summary), 'C') ||
        setweight(to_tsvector(mp_kb_config(locale), body_text), 'D')) STORED,
    -- Titles as typed, for as-you-type prefix suggestions.
    title_tsv        tsvector GENERATED ALWAYS AS (
        to_tsvector('kb_simple'::regconfig, title)) STORED,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id),
    UNIQUE (tenant_id, slug),
    FOREIGN KEY (tenant_id, category_id) REFERENCES kb_categories (tenant_id, id)
);
-- Row-level security keeps non-leakproof operators such as @@ out of index
-- conditions, so under the app role this index serves only when an operator
-- marks ts_match_vq LEAKPROOF (docs/operations.md); the tenant's rows are
-- found through the btree indexes below otherwise.
CREATE INDEX kb_articles_tsv ON kb_articles USING gin (tsv)
    WHERE status = 'published';
CREATE INDEX kb_articles_title_tsv ON kb_articles USING gin (title_tsv)
    WHERE status = 'published';
CREATE INDEX kb_articles_tags ON kb_articles USING gin (tags)
    WHERE status = 'published';
CREATE INDEX kb_articles_category ON kb_articles (tenant_id, category_id, status);
CREATE INDEX kb_articles_recent ON kb_articles (tenant_id, status, published_at DESC NULLS LAST);
CREATE INDEX kb_articles_updated ON kb_articles (tenant_id, updated_at DESC);

-- Slugs an article had before: /api/kb/articles/{old slug} still finds it,
-- and no other article may take them.
CREATE TABLE kb_slug_history (
    tenant_id  bigint NOT NULL,
    slug       text NOT NULL,
    article_id bigint NOT NULL,
    retired_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, slug),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id)
        ON DELETE CASCADE
);

-- Every save keeps the version it replaced; a restore makes a new revision.
CREATE TABLE kb_revisions (
    tenant_id        bigint NOT NULL,
    article_id       bigint NOT NULL,
    revision         integer NOT NULL,
    title            text NOT NULL,
    slug             text NOT NULL,
    summary          text NOT NULL,
    body_md          text NOT NULL,
    category_id      bigint,
    tags             text[] NOT NULL,
    status           text NOT NULL,
    meta_title       text NOT NULL,
    meta_description text NOT NULL,
    author_id        bigint,
    author_name      text NOT NULL,
    saved_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, article_id, revision),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id)
        ON DELETE CASCADE
);

-- One row per H2/H3 section (plus the lead before the first heading), built
-- at render time: snippets headline the best section, not the whole body.
CREATE TABLE kb_sections (
    tenant_id  bigint NOT NULL,
    article_id bigint NOT NULL,
    pos        integer NOT NULL,
    level      smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    anchor     text NOT NULL,
    heading    text NOT NULL,
    body       text NOT NULL,
    config     regconfig NOT NULL DEFAULT 'kb_english',
    tsv        tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(config, heading), 'A') ||
        setweight(to_tsvector(config, body), 'D')) STORED,
    PRIMARY KEY (tenant_id, article_id, pos),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id)
        ON DELETE CASCADE
);

-- Views: a daily rollup row per article, never a row per view.  The row is
-- split by responder slot (pid % 8) so concurrent views of one article do
-- not queue on one row lock; readers sum the slots.
CREATE TABLE kb_views (
    tenant_id  bigint NOT NULL,
    article_id bigint NOT NULL,
    day        date NOT NULL,
    slot       smallint NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 7),
    views      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, article_id, day, slot),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX kb_views_day ON kb_views (tenant_id, day);

-- "Was this helpful?": one vote per visitor per article per day.  The
-- visitor is SHA-256 of a random cookie value, never an address.
CREATE TABLE kb_votes (
    tenant_id    bigint NOT NULL,
    article_id   bigint NOT NULL,
    day          date NOT NULL,
    visitor_hash text NOT NULL CHECK (visitor_hash ~ '^[0-9a-f]{64}$'),
    helpful      boolean NOT NULL,
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, article_id, day, visitor_hash),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id)
        ON DELETE CASCADE
);

-- Final searches (not keystrokes) per normalised query per day, split by
-- responder slot like kb_views.
CREATE TABLE kb_searches (
    tenant_id bigint NOT NULL,
    day       date NOT NULL,
    query     text NOT NULL CHECK (length(query) BETWEEN 1 AND 200),
    slot      smallint NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 7),
    searches  integer NOT NULL DEFAULT 0,
    results   integer NOT NULL DEFAULT 0,
    clicks    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, query, slot)
);

-- Words of published articles, for "did you mean" (trigram similarity).
CREATE TABLE kb_words (
    tenant_id bigint NOT NULL,
    word      text NOT NULL CHECK (length(word) BETWEEN 3 AND 40),
    PRIMARY KEY (tenant_id, word)
);
CREATE INDEX kb_words_trgm ON kb_words USING gist (word gist_trgm_ops);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['kb_categories', 'kb_articles', 'kb_slug_history',
        'kb_revisions', 'kb_sections', 'kb_views', 'kb_votes', 'kb_searches',
        'kb_words'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I'
            ' USING (tenant_id = (SELECT mp_tenant()))'
            ' WITH CHECK (tenant_id = (SELECT mp_tenant()))', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON kb_categories TO mpanel_app;
GRANT SELECT, INSERT, UPDATE ON kb_articles TO mpanel_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON kb_slug_history TO mpanel_app;
GRANT SELECT, INSERT ON kb_revisions TO mpanel_app;
GRANT SELECT, INSERT, DELETE ON kb_sections TO mpanel_app;
GRANT SELECT, INSERT, UPDATE ON kb_views TO mpanel_app;
GRANT SELECT, INSERT ON kb_votes TO mpanel_app;
GRANT SELECT, INSERT, UPDATE ON kb_searches TO mpanel_app;
GRANT SELECT, INSERT ON kb_words TO mpanel_app;
