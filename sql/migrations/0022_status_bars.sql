-- The 90-day bars of the status page kept ready: one row per component
-- holding its rolled-up days as the text the page reads, rebuilt by the
-- statements that change status_daily.  The overview reads ten short rows
-- instead of ~900 rollups turned into text at every rendering.

-- days: "n[,major,partial,degraded,maint,observed];..." in day order, n the
-- day's distance from since; a day of 86,400 seconds observed without
-- downtime, degradation or maintenance (most days) is its number alone.
-- since is 100 days before the day of the rebuild, so the page's 90 days
-- (in any time zone) are inside it; last is the newest day rolled up.
CREATE TABLE status_bars (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    component_id  bigint NOT NULL,
    since         date NOT NULL,
    last          date NOT NULL,
    days          text NOT NULL,
    PRIMARY KEY (tenant_id, component_id),
    FOREIGN KEY (tenant_id, component_id)
        REFERENCES status_component (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE status_bars ENABLE ROW LEVEL SECURITY;
ALTER TABLE status_bars FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON status_bars
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON status_bars TO mpanel_app;

-- The bars of the components in the list, from their rollups.
CREATE FUNCTION status_bars_build(comps bigint[]) RETURNS void
    LANGUAGE sql SECURITY INVOKER
    AS $$
    DELETE FROM status_bars WHERE component_id = ANY (comps);
    INSERT INTO status_bars (tenant_id, component_id, since, last, days)
    SELECT d.tenant_id, d.component_id, s.since, max(d.day),
           string_agg(CASE WHEN d.major_s = 0 AND d.partial_s = 0
                AND d.degraded_s = 0 AND d.maint_s = 0
                AND d.observed_s = 86400 THEN (d.day - s.since)::text
                ELSE concat_ws(',', d.day - s.since, d.major_s, d.partial_s,
                     d.degraded_s, d.maint_s, d.observed_s) END,
                ';' ORDER BY d.day)
    FROM status_daily d, (SELECT current_date - 100 AS since) s
    WHERE d.component_id = ANY (comps) AND d.day >= s.since
    GROUP BY d.tenant_id, d.component_id, s.since;
    $$;
GRANT EXECUTE ON FUNCTION status_bars_build(bigint[]) TO mpanel_app;

-- Rebuild the bars of the components whose rollups a statement changed
-- (its transition table, "changed"); nothing when it changed none, as
-- most of the worker's rollups every 30 seconds do.
CREATE FUNCTION status_bars_rebuild() RETURNS trigger
    LANGUAGE plpgsql SECURITY INVOKER
    AS $$
BEGIN
    PERFORM status_bars_build(array_agg(DISTINCT component_id))
       FROM changed HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER status_bars_ins AFTER INSERT ON status_daily
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION status_bars_rebuild();
CREATE TRIGGER status_bars_upd AFTER UPDATE ON status_daily
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION status_bars_rebuild();
CREATE TRIGGER status_bars_del AFTER DELETE ON status_daily
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION status_bars_rebuild();

-- The bars of the rollups there are, tenant by tenant (row-level
-- security binds this role too).
DO $$
DECLARE t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        PERFORM status_bars_build(array_agg(id)) FROM status_component;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
