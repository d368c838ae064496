-- Status page: components in groups, status intervals and daily rollups,
-- incidents and maintenance with their updates, templates, subscribers,
-- probes.  Every table is tenant-owned and behind row-level security.

-- A 12-character opaque public id (lowercase letters and digits) from the
-- random bytes of a v4 UUID, skipping the two bytes that carry its version
-- and variant bits.
CREATE FUNCTION status_public_id() RETURNS text
    LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$
    SELECT string_agg(substr('abcdefghijklmnopqrstuvwxyz0123456789',
                             get_byte(b, i) % 36 + 1, 1), '' ORDER BY i)
    FROM (SELECT uuid_send(gen_random_uuid()) AS b) s,
         unnest(ARRAY[0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13]) AS i
    $$;
GRANT EXECUTE ON FUNCTION status_public_id() TO mpanel_app;

-- ISO 8601 with an explicit offset in the page's time zone, e.g.
-- 2026-03-01T14:05:09.120+01:00.
CREATE FUNCTION status_iso(ts timestamptz, tz text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN ts IS NULL THEN NULL ELSE
        to_char(ts AT TIME ZONE tz, 'YYYY-MM-DD"T"HH24:MI:SS.MS') ||
        (SELECT CASE WHEN o < interval '0' THEN '-' ELSE '+' END ||
                to_char(abs(extract(epoch FROM o))::int / 3600, 'FM00') || ':' ||
                to_char(abs(extract(epoch FROM o))::int % 3600 / 60, 'FM00')
         FROM (SELECT (ts AT TIME ZONE tz) - (ts AT TIME ZONE 'UTC') AS o) x)
    END
    $$;
GRANT EXECUTE ON FUNCTION status_iso(timestamptz, text) TO mpanel_app;

-- The status of an incident or maintenance as of now: auto-transition
-- maintenance follows its window even when the worker lags.
CREATE FUNCTION status_eff(kind text, status text, auto boolean,
                           sfor timestamptz, suntil timestamptz) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN kind = 'maintenance' AND auto
                     AND status IN ('scheduled', 'in_progress') THEN
                CASE WHEN now() >= suntil THEN 'completed'
                     WHEN now() >= sfor THEN 'in_progress'
                     ELSE 'scheduled' END
           ELSE status END
    $$;
GRANT EXECUTE ON FUNCTION status_eff(text, text, boolean, timestamptz, timestamptz) TO mpanel_app;

-- One row per tenant: the page's id, time zone, and a version bumped by
-- every change to the page's data (responders keep a rendering per
-- version).
CREATE TABLE status_page (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    public_id   text NOT NULL DEFAULT status_public_id()
                CHECK (public_id ~ '^[a-z0-9]{12}$'),
    time_zone   text NOT NULL DEFAULT 'Etc/UTC'
                CHECK (length(time_zone) BETWEEN 1 AND 64),
    version     bigint NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id),
    UNIQUE (tenant_id, public_id)
);

-- Components and groups (a group is a component row with is_group; one
-- level only).  Probe settings live with the component.
CREATE TABLE status_component (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    public_id     text NOT NULL DEFAULT status_public_id()
                  CHECK (public_id ~ '^[a-z0-9]{12}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description   text CHECK (length(description) <= 500),
    status        text NOT NULL DEFAULT 'operational'
                  CHECK (status IN ('operational', 'degraded_performance',
                         'partial_outage', 'major_outage', 'under_maintenance')),
    position      integer NOT NULL DEFAULT 0,
    is_group      boolean NOT NULL DEFAULT false,
    group_id      bigint,
    showcase      boolean NOT NULL DEFAULT true,
    only_show_if_degraded boolean NOT NULL DEFAULT false,
    start_date    date,
    probe_kind    text NOT NULL DEFAULT 'none'
                  CHECK (probe_kind IN ('none', 'http', 'tcp')),
    probe_target  text CHECK (length(probe_target) <= 500),
    probe_expect  integer NOT NULL DEFAULT 200
                  CHECK (probe_expect BETWEEN 100 AND 599),
    probe_timeout_ms integer NOT NULL DEFAULT 5000
                  CHECK (probe_timeout_ms BETWEEN 100 AND 30000),
    probe_interval_s integer NOT NULL DEFAULT 60
                  CHECK (probe_interval_s BETWEEN 10 AND 86400),
    probe_threshold integer NOT NULL DEFAULT 3
                  CHECK (probe_threshold BETWEEN 1 AND 100),
    probe_action  text NOT NULL DEFAULT 'none'
                  CHECK (probe_action IN ('none', 'degraded_performance',
                         'partial_outage', 'major_outage')),
    probe_open_incident boolean NOT NULL DEFAULT false,
    probe_failures integer NOT NULL DEFAULT 0,
    probe_last_at timestamptz,
    probe_last_ok boolean,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES status_component (tenant_id, id)
        ON DELETE SET NULL (group_id),
    CHECK (NOT (is_group AND group_id IS NOT NULL)),
    CHECK (probe_kind = 'none' OR probe_target IS NOT NULL)
);

-- The status-change log: one row per period a component spent in one
-- status; ended_at NULL for the current one.  Kept by triggers.
CREATE TABLE status_interval (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    component_id  bigint NOT NULL,
    status        text NOT NULL
                  CHECK (status IN ('operational', 'degraded_performance',
                         'partial_outage', 'major_outage', 'under_maintenance')),
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz CHECK (ended_at >= started_at),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, component_id)
        REFERENCES status_component (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX status_interval_comp ON status_interval (tenant_id, component_id, started_at);
CREATE UNIQUE INDEX status_interval_open ON status_interval (tenant_id, component_id)
    WHERE ended_at IS NULL;

-- Daily rollups of the intervals: seconds per state and seconds with
-- data, per component and day (in the page's time zone).
CREATE TABLE status_daily (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    component_id  bigint NOT NULL,
    day           date NOT NULL,
    major_s       integer NOT NULL DEFAULT 0,
    partial_s     integer NOT NULL DEFAULT 0,
    degraded_s    integer NOT NULL DEFAULT 0,
    maint_s       integer NOT NULL DEFAULT 0,
    observed_s    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, component_id, day),
    FOREIGN KEY (tenant_id, component_id)
        REFERENCES status_component (tenant_id, id) ON DELETE CASCADE
);

-- Incidents and scheduled maintenance (kind).  Maintenance status may be
-- derived from its times at read time; the worker also moves it.
CREATE TABLE status_incident (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    public_id     text NOT NULL DEFAULT status_public_id()
                  CHECK (public_id ~ '^[a-z0-9]{12}$'),
    kind          text NOT NULL DEFAULT 'incident'
                  CHECK (kind IN ('incident', 'maintenance')),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status        text NOT NULL
                  CHECK (status IN ('investigating', 'identified', 'monitoring',
                         'resolved', 'postmortem', 'scheduled', 'in_progress',
                         'verifying', 'completed')),
    impact        text NOT NULL DEFAULT 'none'
                  CHECK (impact IN ('none', 'minor', 'major', 'critical')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    monitoring_at timestamptz,
    resolved_at   timestamptz,
    scheduled_for   timestamptz,
    scheduled_until timestamptz,
    auto_transition boolean NOT NULL DEFAULT true,
    postmortem_body text CHECK (length(postmortem_body) <= 20000),
    postmortem_at timestamptz,
    opened_by_probe boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id),
    CHECK (kind = 'incident' OR (scheduled_for IS NOT NULL AND
           scheduled_until IS NOT NULL AND scheduled_until > scheduled_for)),
    CHECK ((kind = 'incident') = (status IN ('investigating', 'identified',
           'monitoring', 'resolved', 'postmortem')))
);
CREATE INDEX status_incident_recent ON status_incident (tenant_id, started_at DESC);

CREATE TABLE status_incident_component (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    incident_id   bigint NOT NULL,
    component_id  bigint NOT NULL,
    PRIMARY KEY (tenant_id, incident_id, component_id),
    FOREIGN KEY (tenant_id, incident_id)
        REFERENCES status_incident (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, component_id)
        REFERENCES status_component (tenant_id, id) ON DELETE CASCADE
);

-- The timeline of an incident.  affected: [{code,name,old_status,new_status}].
CREATE TABLE status_update (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    public_id     text NOT NULL DEFAULT status_public_id()
                  CHECK (public_id ~ '^[a-z0-9]{12}$'),
    incident_id   bigint NOT NULL,
    status        text NOT NULL
                  CHECK (status IN ('investigating', 'identified', 'monitoring',
                         'resolved', 'postmortem', 'scheduled', 'in_progress',
                         'verifying', 'completed')),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    affected      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    display_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id),
    FOREIGN KEY (tenant_id, incident_id)
        REFERENCES status_incident (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX status_update_incident ON status_update (tenant_id, incident_id, display_at);

-- Ready-made incident texts for staff.
CREATE TABLE status_template (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    public_id     text NOT NULL DEFAULT status_public_id()
                  CHECK (public_id ~ '^[a-z0-9]{12}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    status        text NOT NULL DEFAULT 'investigating'
                  CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    impact        text NOT NULL DEFAULT 'minor'
                  CHECK (impact IN ('none', 'minor', 'major', 'critical')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id),
    UNIQUE (tenant_id, name)
);

-- Email subscribers: double opt-in (confirm token hash), everything or
-- chosen components.
CREATE TABLE status_subscriber (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    public_id     text NOT NULL DEFAULT status_public_id()
                  CHECK (public_id ~ '^[a-z0-9]{12}$'),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    all_components boolean NOT NULL DEFAULT true,
    confirm_hash  text CHECK (confirm_hash ~ '^[0-9a-f]{64}$'),
    confirm_sent_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at  timestamptz,
    pending_all   boolean NOT NULL DEFAULT true,
    pending_components bigint[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id),
    UNIQUE (tenant_id, email),
    UNIQUE (tenant_id, confirm_hash)
);

CREATE TABLE status_subscriber_component (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    subscriber_id bigint NOT NULL,
    component_id  bigint NOT NULL,
    PRIMARY KEY (tenant_id, subscriber_id, component_id),
    FOREIGN KEY (tenant_id, subscriber_id)
        REFERENCES status_subscriber (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, component_id)
        REFERENCES status_component (tenant_id, id) ON DELETE CASCADE
);

-- One row per notice sent to a subscriber (the record of the
-- notification), with the hash of the unsubscribe token its mail carries.
CREATE TABLE status_notice (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    subscriber_email text NOT NULL,
    subscriber_id bigint,
    incident_id   bigint,
    update_id     bigint,
    kind          text NOT NULL CHECK (kind IN ('confirm', 'update')),
    unsub_hash    text CHECK (unsub_hash ~ '^[0-9a-f]{64}$'),
    notification_id text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, unsub_hash),
    FOREIGN KEY (tenant_id, subscriber_id)
        REFERENCES status_subscriber (tenant_id, id) ON DELETE SET NULL (subscriber_id)
);

-- Probe results, for the second availability figure.
CREATE TABLE status_probe_result (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    component_id  bigint NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    ok            boolean NOT NULL,
    latency_ms    integer,
    detail        text CHECK (length(detail) <= 300),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, component_id)
        REFERENCES status_component (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX status_probe_result_comp ON status_probe_result (tenant_id, component_id, at);

-- Row-level security and grants, the same for every table.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['status_page', 'status_component', 'status_interval',
        'status_daily', 'status_incident', 'status_incident_component',
        'status_update', 'status_template', 'status_subscriber',
        'status_subscriber_component', 'status_notice', 'status_probe_result']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I'
            ' USING (tenant_id = (SELECT mp_tenant()))'
            ' WITH CHECK (tenant_id = (SELECT mp_tenant()))', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO mpanel_app', t);
    END LOOP;
END $$;

-- Keep the interval log: a new component opens an interval; a status
-- change closes the open one and opens the next.
CREATE FUNCTION status_component_log() RETURNS trigger
    LANGUAGE plpgsql SECURITY INVOKER
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO status_interval (tenant_id, component_id, status, started_at)
        VALUES (NEW.tenant_id, NEW.id, NEW.status, now());
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        UPDATE status_interval SET ended_at = greatest(now(), started_at)
         WHERE tenant_id = NEW.tenant_id AND component_id = NEW.id
           AND ended_at IS NULL;
        INSERT INTO status_interval (tenant_id, component_id, status, started_at)
        VALUES (NEW.tenant_id, NEW.id, NEW.status, now());
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER status_component_log AFTER INSERT OR UPDATE OF status
    ON status_component FOR EACH ROW
    WHEN (NOT NEW.is_group)
    EXECUTE FUNCTION status_component_log();

-- Bump the page version once per statement that changes what the page
-- shows, so cached renderings are replaced.
CREATE FUNCTION status_touch() RETURNS trigger
    LANGUAGE plpgsql SECURITY INVOKER
    AS $$
BEGIN
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
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['status_component', 'status_incident',
        'status_incident_component', 'status_update', 'status_daily']
    LOOP
        EXECUTE format('CREATE TRIGGER status_touch AFTER INSERT OR UPDATE'
            ' OR DELETE ON %I FOR EACH STATEMENT'
            ' EXECUTE FUNCTION status_touch()', t);
    END LOOP;
END $$;

-- Seconds per state and with data for every component and day in
-- [first, last], computed from the interval log (days in time zone tz,
-- today clipped to now).
CREATE FUNCTION status_days_live(first date, last date, tz text)
    RETURNS TABLE (component_id bigint, day date, major_s integer,
                   partial_s integer, degraded_s integer, maint_s integer,
                   observed_s integer)
    LANGUAGE sql STABLE SECURITY INVOKER
    AS $$
    WITH d AS (
        SELECT g::date AS day,
               (g::timestamp AT TIME ZONE tz) AS d0,
               least(((g + interval '1 day')::timestamp AT TIME ZONE tz), now()) AS d1
        FROM generate_series(first::timestamp, last::timestamp, interval '1 day') g
    ), o AS (
        SELECT i.component_id, d.day, i.status,
               extract(epoch FROM least(coalesce(i.ended_at, now()), d.d1)
                                 - greatest(i.started_at, d.d0)) AS s
        FROM d JOIN status_interval i
          ON i.started_at < d.d1 AND coalesce(i.ended_at, now()) > d.d0
        WHERE d.d1 > d.d0
    )
    SELECT component_id, day,
           sum(s) FILTER (WHERE status = 'major_outage')::integer,
           sum(s) FILTER (WHERE status = 'partial_outage')::integer,
           sum(s) FILTER (WHERE status = 'degraded_performance')::integer,
           sum(s) FILTER (WHERE status = 'under_maintenance')::integer,
           sum(s)::integer
    FROM o WHERE s > 0 GROUP BY component_id, day
    $$;
GRANT EXECUTE ON FUNCTION status_days_live(date, date, text) TO mpanel_app;

-- Write the rollups of the days in [first, last] that are over (before
-- today in tz); returns the number of rows written.
CREATE FUNCTION status_rollup(first date, last date, tz text) RETURNS integer
    LANGUAGE plpgsql SECURITY INVOKER
    AS $$
DECLARE n integer;
BEGIN
    last := least(last, (now() AT TIME ZONE tz)::date - 1);
    IF last < first THEN
        RETURN 0;
    END IF;
    INSERT INTO status_daily AS s (tenant_id, component_id, day, major_s,
        partial_s, degraded_s, maint_s, observed_s)
    SELECT mp_tenant(), l.component_id, l.day, coalesce(l.major_s, 0),
           coalesce(l.partial_s, 0), coalesce(l.degraded_s, 0),
           coalesce(l.maint_s, 0), l.observed_s
    FROM status_days_live(first, last, tz) l
    ON CONFLICT (tenant_id, component_id, day) DO UPDATE SET
        major_s = EXCLUDED.major_s, partial_s = EXCLUDED.partial_s,
        degraded_s = EXCLUDED.degraded_s, maint_s = EXCLUDED.maint_s,
        observed_s = EXCLUDED.observed_s
    WHERE (s.major_s, s.partial_s, s.degraded_s, s.maint_s, s.observed_s)
        IS DISTINCT FROM (EXCLUDED.major_s, EXCLUDED.partial_s,
        EXCLUDED.degraded_s, EXCLUDED.maint_s, EXCLUDED.observed_s);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
GRANT EXECUTE ON FUNCTION status_rollup(date, date, text) TO mpanel_app;

-- The bars: rolled-up days where they exist, the interval log for the
-- rest (today, and any day the worker has not rolled up yet).
CREATE FUNCTION status_days(first date, last date, tz text)
    RETURNS TABLE (component_id bigint, day date, major_s integer,
                   partial_s integer, degraded_s integer, maint_s integer,
                   observed_s integer)
    LANGUAGE sql STABLE SECURITY INVOKER
    AS $$
    SELECT component_id, day, major_s, partial_s, degraded_s, maint_s, observed_s
    FROM status_daily WHERE day BETWEEN first AND last
    UNION ALL
    SELECT l.component_id, l.day, coalesce(l.major_s, 0), coalesce(l.partial_s, 0),
           coalesce(l.degraded_s, 0), coalesce(l.maint_s, 0), l.observed_s
    FROM status_days_live(
            greatest(first, coalesce((SELECT max(day) + 1 FROM status_daily
                                      WHERE day BETWEEN first AND last), first)),
            last, tz) l
    $$;
GRANT EXECUTE ON FUNCTION status_days(date, date, text) TO mpanel_app;
