-- The help center's popular list (/help, /api/kb/popular) read from a
-- small table instead of summing 30 days of kb_views at every request:
-- kb_views holds a row per article, day and responder slot, so the sum
-- grew with a tenant's articles times 30 times 8.  The kb.popular job
-- (every 5 minutes, per tenant) rewrites the rows whose total changed.
CREATE TABLE kb_popular (
    tenant_id  bigint NOT NULL,
    article_id bigint NOT NULL,
    views      bigint NOT NULL CHECK (views >= 0),
    PRIMARY KEY (tenant_id, article_id),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX kb_popular_views ON kb_popular (tenant_id, views DESC);

ALTER TABLE kb_popular ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_popular FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_popular
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));

GRANT SELECT, INSERT, UPDATE, DELETE ON kb_popular TO mpanel_app;

-- Filled once here, so the list is right before the job first runs
-- (row-level security applies to the owner too: one tenant at a time).
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO kb_popular (tenant_id, article_id, views)
        SELECT t, article_id, sum(views)
          FROM kb_views
         WHERE day > current_date - 30
         GROUP BY article_id
        HAVING sum(views) > 0;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
