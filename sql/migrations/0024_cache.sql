-- The public-page cache: a generation per tenant that every change of what
-- anonymous pages show moves forward, in the change's own transaction.
-- nginx keys its FastCGI cache on it (docs/operations.md, "The public-page
-- cache"): a new generation is a new set of keys, so no old copy is served.

CREATE TABLE cache_gen (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    gen         bigint NOT NULL DEFAULT 1 CHECK (gen > 0),
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id)
);
CREATE INDEX cache_gen_changed ON cache_gen (changed_at);
ALTER TABLE cache_gen ENABLE ROW LEVEL SECURITY;
ALTER TABLE cache_gen FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cache_gen
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
-- The functions below run as the owner: the trigger also fires for changes
-- mpanelctl makes without a tenant bound, and the worker's sync reads
-- every tenant.
CREATE POLICY cache_functions ON cache_gen TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT ON cache_gen TO mpanel_app;

-- Move tenant t's generation forward, once per transaction however many
-- rows it changes.
CREATE FUNCTION mp_cache_bump(t bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    done text := coalesce(current_setting('mpanel.cache_bumped', true), '');
BEGIN
    IF t IS NULL OR position(',' || t || ',' IN done) > 0 THEN
        RETURN;
    END IF;
    -- Microseconds of the clock, or one more than before: a generation
    -- never repeats an earlier one, even after the database was restored
    -- from a backup (nginx's links only move forward).
    INSERT INTO cache_gen AS c (tenant_id, gen)
    VALUES (t, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (tenant_id) DO UPDATE
        SET gen = greatest(c.gen + 1,
                (extract(epoch FROM clock_timestamp()) * 1000000)::bigint),
            changed_at = clock_timestamp();
    PERFORM set_config('mpanel.cache_bumped',
        CASE WHEN done = '' THEN ',' ELSE done END || t || ',', true);
    -- Wakes the worker at COMMIT: a change made outside the pool (psql,
    -- mpanelctl, a job) reaches nginx's links in milliseconds, not a tick.
    PERFORM pg_notify('mp_cache', t::text);
END $$;
REVOKE ALL ON FUNCTION mp_cache_bump(bigint) FROM PUBLIC;

-- Row trigger: TG_ARGV[0] names the tenant column, the other arguments
-- name columns whose change alone shows nowhere public (probe bookkeeping,
-- timestamps), so such an UPDATE keeps the cache.
CREATE FUNCTION mp_cache_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    col text := TG_ARGV[0];
    quiet text[] := TG_ARGV[1:];
    o jsonb;
    n jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        o := to_jsonb(OLD);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        n := to_jsonb(NEW);
    END IF;
    IF TG_OP = 'UPDATE' AND (o - quiet) = (n - quiet) THEN
        RETURN NULL;
    END IF;
    PERFORM mp_cache_bump((o ->> col)::bigint);
    PERFORM mp_cache_bump((n ->> col)::bigint);
    RETURN NULL;
END $$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('tenants', 'id', ARRAY['created_at']),
        ('tenant_branding', 'tenant_id', ARRAY['updated_at']),
        ('brand_asset', 'tenant_id', ARRAY[]::text[]),
        ('brand_domain', 'tenant_id', ARRAY['checked_at', 'detail']),
        ('kb_categories', 'tenant_id', ARRAY[]::text[]),
        ('kb_articles', 'tenant_id', ARRAY[]::text[]),
        ('kb_slug_history', 'tenant_id', ARRAY[]::text[]),
        ('kb_sections', 'tenant_id', ARRAY[]::text[]),
        ('kb_related', 'tenant_id', ARRAY[]::text[]),
        ('kb_synonyms', 'tenant_id', ARRAY[]::text[]),
        ('status_page', 'tenant_id', ARRAY[]::text[]),
        ('status_component', 'tenant_id',
            ARRAY['probe_last_at', 'probe_last_ok', 'probe_failures']),
        ('status_incident', 'tenant_id', ARRAY[]::text[]),
        ('status_incident_component', 'tenant_id', ARRAY[]::text[]),
        ('status_update', 'tenant_id', ARRAY[]::text[])
    ) AS v (tbl, col, quiet) LOOP
        IF to_regclass(t.tbl) IS NULL THEN
            CONTINUE;
        END IF;
        EXECUTE format('CREATE TRIGGER mp_cache_changed AFTER INSERT OR UPDATE'
            ' OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION'
            ' mp_cache_changed(%L%s)', t.tbl, t.col,
            (SELECT coalesce(string_agg(format(', %L', q), ''), '')
               FROM unnest(t.quiet) q));
    END LOOP;
END $$;

-- The worker's tick, on the host of nginx: tenants whose generation moved
-- after p_gen_since (every tenant when it is NULL), with each host name
-- that reaches them.  Maintenance windows that started or ended after
-- p_maint_since move their tenant's generation first: the status page
-- changes with the clock there, without any write.
CREATE FUNCTION mp_cache_sync(p_gen_since timestamptz, p_maint_since timestamptz,
    p_base_domain text)
RETURNS TABLE (tenant_id bigint, gen bigint, hosts text[], slug text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    tn record;
BEGIN
    -- Row-level security applies to the owner too: one tenant at a time.
    FOR tn IN SELECT id FROM tenants WHERE status = 'active' LOOP
        PERFORM set_config('app.tenant_id', tn.id::text, true);
        IF EXISTS (SELECT 1 FROM status_incident i
            WHERE i.tenant_id = tn.id AND i.kind = 'maintenance' AND i.auto_transition
              AND ((i.scheduled_for > p_maint_since AND i.scheduled_for <= now())
                OR (i.scheduled_until > p_maint_since AND i.scheduled_until <= now())))
        THEN
            PERFORM mp_cache_bump(tn.id);
        END IF;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
    RETURN QUERY
    SELECT t.id, coalesce(c.gen, 1),
           array_remove(ARRAY[t.slug || '.' || p_base_domain, t.custom_domain], NULL),
           t.slug
      FROM tenants t LEFT JOIN cache_gen c ON c.tenant_id = t.id
     WHERE p_gen_since IS NULL OR c.changed_at > p_gen_since
     ORDER BY t.id;
END $$;
REVOKE ALL ON FUNCTION mp_cache_sync(timestamptz, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mp_cache_sync(timestamptz, timestamptz, text) TO mpanel_app;
