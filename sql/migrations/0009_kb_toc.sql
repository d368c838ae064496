-- An article's contents ([[level, anchor, heading], ...] of its H2 and H3
-- sections, NULL when it has none), stored when the article is rendered
-- instead of gathered from kb_sections on every page view.
ALTER TABLE kb_articles ADD COLUMN toc json;

-- Filled for the articles there are, tenant by tenant (row-level security
-- binds this role too).
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        UPDATE kb_articles a
           SET toc = (SELECT json_agg(json_build_array(s.level, s.anchor,
                                                       s.heading)
                                      ORDER BY s.pos)
                        FROM kb_sections s
                       WHERE s.tenant_id = a.tenant_id
                         AND s.article_id = a.id AND s.level > 1);
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
