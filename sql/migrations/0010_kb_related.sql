-- Related articles worked out when articles change, not on every page view.
-- At 10,000 articles the page's own search for them cost 1-16 ms; now the
-- page reads five ids and joins them to the articles (so a renamed or
-- archived one shows its current state, or drops out, at once).  The
-- request that saves an article refreshes that article's list; the
-- kb.related job then refreshes the lists the change may enter or leave.
CREATE TABLE kb_related (
    tenant_id   bigint NOT NULL,
    article_id  bigint NOT NULL,
    ids         bigint[] NOT NULL DEFAULT '{}' CHECK (cardinality(ids) <= 5),
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, article_id),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX kb_related_ids ON kb_related USING gin (ids);

ALTER TABLE kb_related ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_related FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_related
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON kb_related TO mpanel_app;

-- The related articles of article p_id, best first: the five that share the
-- most tags (then the category, then the newest) among the 100 newest
-- published articles sharing a tag or the category.  Row-level security
-- keeps it to the caller's tenant.
CREATE FUNCTION mp_kb_related_ids(p_id bigint) RETURNS bigint[]
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
    SELECT coalesce(array_agg(c.id ORDER BY c.common DESC, c.same_cat DESC,
                              c.published_at DESC NULLS LAST, c.id), '{}')
      FROM (SELECT r.id, r.published_at,
                   cardinality(ARRAY(SELECT unnest(r.tags) INTERSECT
                                     SELECT unnest(a.tags))) AS common,
                   r.category_id IS NOT DISTINCT FROM a.category_id
                       AND r.category_id IS NOT NULL AS same_cat
              FROM kb_articles a,
                   LATERAL (SELECT r.id, r.tags, r.category_id, r.published_at
                              FROM kb_articles r
                             WHERE r.tenant_id = a.tenant_id
                               AND r.status = 'published' AND r.id <> a.id
                               AND (r.tags && a.tags
                                    OR r.category_id = a.category_id)
                             ORDER BY r.published_at DESC NULLS LAST, r.id DESC
                             LIMIT 100) r
             WHERE a.id = p_id
             ORDER BY common DESC, same_cat DESC, r.published_at DESC NULLS LAST,
                      r.id
             LIMIT 5) c
$$;
GRANT EXECUTE ON FUNCTION mp_kb_related_ids(bigint) TO mpanel_app;

-- The lists there are, tenant by tenant (row-level security binds this role).
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO kb_related (tenant_id, article_id, ids)
        SELECT a.tenant_id, a.id, mp_kb_related_ids(a.id)
          FROM kb_articles a WHERE a.status = 'published';
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
