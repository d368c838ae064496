-- The status page's version moves only when a statement changed what the
-- page shows.  status_touch (0005) fired on every statement against the
-- status tables: the worker's rollup every 30 seconds (which nearly always
-- writes no row) and each probe's bookkeeping (probe_last_at and friends)
-- moved the page's version and its public updated_at, dropped every
-- responder's kept copy and, through status_page, the tenant's page-cache
-- generation (0024).  Now each trigger reads its statement's transition
-- tables: nothing written, or an UPDATE that changed only the columns
-- named as the trigger's arguments, leaves the page as it is.

CREATE FUNCTION status_touch_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY INVOKER
    AS $$
DECLARE
    quiet text[] := coalesce(TG_ARGV, '{}');  -- NULL without arguments
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM added) THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM removed) THEN
            RETURN NULL;
        END IF;
    ELSIF NOT EXISTS (SELECT to_jsonb(n) - quiet FROM added n
                      EXCEPT ALL
                      SELECT to_jsonb(o) - quiet FROM removed o) THEN
        RETURN NULL;
    END IF;
    IF mp_tenant() IS NULL THEN
        -- The owner changing rows of any tenant: every page is stale.
        UPDATE status_page SET version = version + 1, updated_at = now();
    ELSE
        INSERT INTO status_page (tenant_id) VALUES (mp_tenant())
        ON CONFLICT (tenant_id) DO UPDATE
            SET version = status_page.version + 1, updated_at = now();
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('status_component',
            ARRAY['probe_last_at', 'probe_last_ok', 'probe_failures']),
        ('status_incident', ARRAY[]::text[]),
        ('status_incident_component', ARRAY[]::text[]),
        ('status_update', ARRAY[]::text[]),
        ('status_daily', ARRAY[]::text[])
    ) AS v (tbl, quiet) LOOP
        EXECUTE format('DROP TRIGGER status_touch ON %I', t.tbl);
        EXECUTE format('CREATE TRIGGER status_touch_ins AFTER INSERT ON %I'
            ' REFERENCING NEW TABLE AS added FOR EACH STATEMENT'
            ' EXECUTE FUNCTION status_touch_changed()', t.tbl);
        EXECUTE format('CREATE TRIGGER status_touch_del AFTER DELETE ON %I'
            ' REFERENCING OLD TABLE AS removed FOR EACH STATEMENT'
            ' EXECUTE FUNCTION status_touch_changed()', t.tbl);
        EXECUTE format('CREATE TRIGGER status_touch_upd AFTER UPDATE ON %I'
            ' REFERENCING OLD TABLE AS removed NEW TABLE AS added'
            ' FOR EACH STATEMENT EXECUTE FUNCTION status_touch_changed(%s)',
            t.tbl, (SELECT coalesce(string_agg(format('%L', q), ', '), '')
                      FROM unnest(t.quiet) q));
    END LOOP;
END $$;

DROP FUNCTION status_touch();
