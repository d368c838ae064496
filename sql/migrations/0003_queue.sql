-- The job queue and delivery records: job (short-lived work items claimed with
-- FOR UPDATE SKIP LOCKED), notification + notification_event (the lasting
-- history of every mail and SMS), email_analytics, suppressions and opt-outs,
-- per-tenant sender settings and the key that signs tracking and unsubscribe
-- links.
--
-- The worker acts across tenants only through the SECURITY DEFINER functions
-- below (claim, complete, fail, heartbeat, rescue, release, retention): they run
-- as the owner, which a permissive policy lets see every tenant's jobs.  The
-- app role itself only ever sees its own tenant's rows.

CREATE TABLE job (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    queue         text NOT NULL CHECK (queue IN ('tx', 'bulk')),
    kind          text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    priority      smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
    state         text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'completed', 'discarded', 'cancelled')),
    run_at        timestamptz NOT NULL DEFAULT now(),
    deadline      timestamptz,
    attempt       integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts  integer NOT NULL DEFAULT 12 CHECK (max_attempts >= 1),
    locked_by     text,
    lease_until   timestamptz,
    idem_key      text CHECK (length(idem_key) BETWEEN 1 AND 200),
    payload       jsonb NOT NULL DEFAULT '{}',
    errors        jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now(),
    attempted_at  timestamptz,
    finished_at   timestamptz,
    PRIMARY KEY (tenant_id, id)
) WITH (fillfactor = 80,
        autovacuum_vacuum_scale_factor = 0.01,
        autovacuum_vacuum_threshold = 1000,
        autovacuum_analyze_scale_factor = 0.02,
        autovacuum_vacuum_cost_delay = 0);
CREATE INDEX job_ready ON job (queue, priority, run_at, id) WHERE state = 'queued';
CREATE INDEX job_due ON job (run_at) WHERE state = 'queued';
CREATE INDEX job_lease ON job (lease_until) WHERE state = 'running';
CREATE INDEX job_finished ON job (finished_at) WHERE state IN ('completed', 'discarded', 'cancelled');
CREATE UNIQUE INDEX job_idem ON job (tenant_id, kind, idem_key) WHERE idem_key IS NOT NULL;
ALTER TABLE job ENABLE ROW LEVEL SECURITY;
ALTER TABLE job FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
-- The queue functions below run as the owner and work across tenants.
CREATE POLICY queue_functions ON job TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON job TO mpanel_app;

-- One row per recipient and channel: the business record, kept after the
-- job row is gone.
CREATE TABLE notification (
    tenant_id      bigint NOT NULL REFERENCES tenants (id),
    id             bigint GENERATED ALWAYS AS IDENTITY,
    public_id      text NOT NULL CHECK (public_id ~ '^[A-Za-z0-9_-]{16,32}$'),
    channel        text NOT NULL CHECK (channel IN ('email', 'sms')),
    category       text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_-]{0,31}$'),
    user_id        bigint,
    recipient      text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    recipient_name text CHECK (length(recipient_name) <= 200),
    from_name      text CHECK (length(from_name) <= 200),
    from_addr      text CHECK (length(from_addr) <= 254),
    reply_to       text CHECK (length(reply_to) <= 254),
    subject        text CHECK (length(subject) <= 998),
    template       text CHECK (length(template) <= 100),
    department     text CHECK (length(department) <= 64),
    body_html      text,
    body_text      text NOT NULL DEFAULT '',
    attachments    jsonb NOT NULL DEFAULT '[]',
    links          jsonb NOT NULL DEFAULT '[]',
    unsubscribe_url text,
    priority       smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
    state          text NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'bounced',
                                    'failed', 'suppressed', 'expired')),
    idem_key       text CHECK (length(idem_key) BETWEEN 1 AND 200),
    job_id         bigint,
    message_id     text NOT NULL,
    provider_id    text,
    provider_status text,
    last_reply     text,
    attempts       integer NOT NULL DEFAULT 0,
    run_at         timestamptz NOT NULL DEFAULT now(),
    deadline       timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id)
);
CREATE UNIQUE INDEX notification_idem ON notification (tenant_id, idem_key) WHERE idem_key IS NOT NULL;
CREATE INDEX notification_recent ON notification (tenant_id, created_at DESC);
CREATE INDEX notification_provider ON notification (tenant_id, provider_id) WHERE provider_id IS NOT NULL;
ALTER TABLE notification ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON notification TO mpanel_app;

-- The timeline of a notification: append-only.
CREATE TABLE notification_event (
    tenant_id       bigint NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    notification_id bigint NOT NULL,
    kind            text NOT NULL
                    CHECK (kind IN ('queued', 'attempt', 'sent', 'retry', 'delivered', 'bounced',
                                    'failed', 'suppressed', 'expired', 'paused', 'sms_callback',
                                    'open', 'click', 'unsubscribe', 'requeued')),
    detail          text CHECK (length(detail) <= 2000),
    data            jsonb,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notification (tenant_id, id)
);
CREATE INDEX notification_event_of ON notification_event (tenant_id, notification_id, id);
ALTER TABLE notification_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_event FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_event
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT ON notification_event TO mpanel_app;

-- Opens and clicks per email, fed by /t/o/{token} and /t/c/{token}.
CREATE TABLE email_analytics (
    tenant_id        bigint NOT NULL,
    notification_id  bigint NOT NULL,
    opens            integer NOT NULL DEFAULT 0,
    clicks           integer NOT NULL DEFAULT 0,
    first_opened_at  timestamptz,
    last_opened_at   timestamptz,
    first_clicked_at timestamptz,
    last_clicked_at  timestamptz,
    bounced          boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, notification_id),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notification (tenant_id, id)
);
ALTER TABLE email_analytics ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_analytics FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON email_analytics
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON email_analytics TO mpanel_app;

-- Addresses that must not be sent to at all (hard bounce, complaint, STOP).
CREATE TABLE notification_suppression (
    tenant_id   bigint NOT NULL,
    channel     text NOT NULL CHECK (channel IN ('email', 'sms')),
    address     text NOT NULL CHECK (address = lower(address) AND length(address) <= 254),
    reason      text NOT NULL CHECK (reason IN ('bounce', 'complaint', 'stop', 'admin')),
    detail      text CHECK (length(detail) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, channel, address),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id)
);
ALTER TABLE notification_suppression ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_suppression FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_suppression
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_suppression TO mpanel_app;

-- Opt-outs per address and category, with their evidence.
CREATE TABLE notification_optout (
    tenant_id   bigint NOT NULL,
    channel     text NOT NULL CHECK (channel IN ('email', 'sms')),
    address     text NOT NULL CHECK (address = lower(address) AND length(address) <= 254),
    category    text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_-]{0,31}$'),
    source      text NOT NULL
                CHECK (source IN ('one-click', 'page', 'mailto', 'bounce', 'complaint', 'admin')),
    message_id  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, channel, address, category),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id)
);
ALTER TABLE notification_optout ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_optout FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_optout
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_optout TO mpanel_app;

-- The sender of a tenant's mail; without a row, the tenant's name and the
-- configured smtp_from address are used.
CREATE TABLE tenant_mail_settings (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    from_name     text NOT NULL CHECK (length(from_name) BETWEEN 1 AND 200),
    from_address  text NOT NULL CHECK (from_address ~ '^[^@\s<>]+@[^@\s<>]+$'),
    reply_to      text CHECK (reply_to ~ '^[^@\s<>]+@[^@\s<>]+$'),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);
ALTER TABLE tenant_mail_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_mail_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_mail_settings
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON tenant_mail_settings TO mpanel_app;

-- The HMAC key of tracking and unsubscribe tokens (kid is in every token, so
-- a new key can be added and the old one kept for verification).  Random
-- from gen_random_uuid(), which uses the server's strong random source.
CREATE TABLE mp_signing_key (
    kid         smallint PRIMARY KEY CHECK (kid BETWEEN 1 AND 255),
    secret      bytea NOT NULL CHECK (length(secret) >= 16),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO mp_signing_key (kid, secret)
VALUES (1, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
GRANT SELECT ON mp_signing_key TO mpanel_app;

-- Sending paused after an authentication or TLS failure (one row per channel).
CREATE TABLE job_pause (
    channel       text PRIMARY KEY CHECK (channel IN ('email', 'sms')),
    paused_until  timestamptz NOT NULL,
    reason        text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON job_pause TO mpanel_app;

-- Whether a message of category on channel may go to address now.  The one
-- check every sender uses, at enqueue and again when the job is claimed.
-- Suppressed addresses get nothing; opt-outs stop their category, except
-- transactional and security mail, which cannot be switched off.
CREATE FUNCTION mp_should_notify(p_channel text, p_address text, p_category text)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM notification_suppression s
                        WHERE s.tenant_id = mp_tenant() AND s.channel = p_channel
                          AND s.address = lower(p_address))
       AND (p_category IN ('transactional', 'security')
            OR NOT EXISTS (SELECT 1 FROM notification_optout o
                            WHERE o.tenant_id = mp_tenant() AND o.channel = p_channel
                              AND o.address = lower(p_address)
                              AND o.category IN (p_category, 'all')))
$$;
GRANT EXECUTE ON FUNCTION mp_should_notify(text, text, text) TO mpanel_app;

-- Enqueue one job for the current tenant in the caller's transaction.  An
-- idempotency key already present returns the existing job (o_new false).
-- The first new job of a queue in a transaction sends one pg_notify.
CREATE FUNCTION mp_job_insert(p_queue text, p_kind text, p_priority integer,
    p_run_at timestamptz, p_deadline timestamptz, p_idem text, p_payload jsonb,
    p_max_attempts integer, OUT o_id bigint, OUT o_new boolean)
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job (tenant_id, queue, kind, priority, run_at, deadline, idem_key,
                     payload, max_attempts)
    VALUES (mp_tenant(), p_queue, p_kind, p_priority, coalesce(p_run_at, now()),
            p_deadline, p_idem, coalesce(p_payload, '{}'), p_max_attempts)
    ON CONFLICT (tenant_id, kind, idem_key) WHERE idem_key IS NOT NULL DO NOTHING
    RETURNING id INTO o_id;
    IF o_id IS NULL THEN
        SELECT j.id INTO o_id FROM job j
         WHERE j.tenant_id = mp_tenant() AND j.kind = p_kind AND j.idem_key = p_idem;
        o_new := false;
        RETURN;
    END IF;
    o_new := true;
    IF current_setting('mp.notified_' || p_queue, true) IS DISTINCT FROM 'on' THEN
        PERFORM pg_notify('mp_jobs', p_queue);
        PERFORM set_config('mp.notified_' || p_queue, 'on', true);
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION mp_job_insert(text, text, integer, timestamptz, timestamptz,
    text, jsonb, integer) TO mpanel_app;

-- Claim up to p_limit ready jobs of a queue for worker p_worker, best first.
CREATE FUNCTION mp_job_claim(p_queue text, p_limit integer, p_worker text, p_lease integer)
RETURNS TABLE (r_tenant_id bigint, r_id bigint, r_kind text, r_priority smallint,
               r_attempt integer, r_max_attempts integer, r_payload jsonb,
               r_expired boolean, r_run_at timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH c AS (
        SELECT j.tenant_id, j.id FROM job j
         WHERE j.state = 'queued' AND j.queue = p_queue AND j.run_at <= now()
         ORDER BY j.priority, j.run_at, j.id
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    ), u AS (
        UPDATE job j SET state = 'running', attempt = j.attempt + 1,
               locked_by = p_worker, attempted_at = now(),
               lease_until = now() + make_interval(secs => p_lease)
          FROM c WHERE j.tenant_id = c.tenant_id AND j.id = c.id
        RETURNING j.tenant_id, j.id, j.kind, j.priority, j.attempt, j.max_attempts,
                  j.payload, j.deadline IS NOT NULL AND j.deadline <= now(), j.run_at
    )
    SELECT * FROM u ORDER BY 4, 9, 2
$$;

-- Complete a batch of jobs; fenced on attempt and owner.  Returns how many.
CREATE FUNCTION mp_job_complete(p_tenants bigint[], p_ids bigint[], p_attempts integer[],
    p_worker text)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE job j SET state = 'completed', finished_at = now(), locked_by = NULL,
               lease_until = NULL
          FROM unnest(p_tenants, p_ids, p_attempts) AS x(t, i, a)
         WHERE j.tenant_id = x.t AND j.id = x.i AND j.attempt = x.a
           AND j.state = 'running' AND j.locked_by = p_worker
        RETURNING 1
    )
    SELECT count(*)::integer FROM u
$$;

-- Fail one job (fenced).  Back to queued after p_delay seconds (never past
-- its deadline, where the next claim expires it), or discarded when
-- permanent or out of attempts.  p_spend false gives the attempt back
-- (paused sender, over budget).  Returns the new state, NULL when fenced out.
CREATE FUNCTION mp_job_fail(p_tenant bigint, p_id bigint, p_attempt integer, p_worker text,
    p_error text, p_delay double precision, p_permanent boolean, p_spend boolean)
RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE job j SET
           state = CASE WHEN p_permanent OR (p_spend AND j.attempt >= j.max_attempts)
                        THEN 'discarded' ELSE 'queued' END,
           attempt = CASE WHEN p_spend THEN j.attempt ELSE j.attempt - 1 END,
           run_at = least(now() + make_interval(secs => p_delay),
                          coalesce(j.deadline, 'infinity')),
           finished_at = CASE WHEN p_permanent OR (p_spend AND j.attempt >= j.max_attempts)
                              THEN now() END,
           locked_by = NULL, lease_until = NULL,
           errors = (SELECT coalesce(jsonb_agg(e), '[]') FROM (
                        SELECT e FROM jsonb_array_elements(
                            jsonb_build_array(jsonb_build_object('at', now(),
                                'attempt', j.attempt, 'error', left(p_error, 500)))
                            || j.errors) AS e LIMIT 10) AS last10)
     WHERE j.tenant_id = p_tenant AND j.id = p_id AND j.attempt = p_attempt
       AND j.state = 'running' AND j.locked_by = p_worker
    RETURNING j.state
$$;

-- A scheduled job done: queue it again p_every seconds from now (fenced).
CREATE FUNCTION mp_job_reschedule(p_tenant bigint, p_id bigint, p_attempt integer,
    p_worker text, p_every integer)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE job j SET state = 'queued', attempt = 0, locked_by = NULL,
               lease_until = NULL, finished_at = now(),
               run_at = now() + make_interval(secs => p_every)
         WHERE j.tenant_id = p_tenant AND j.id = p_id AND j.attempt = p_attempt
           AND j.state = 'running' AND j.locked_by = p_worker
        RETURNING 1
    )
    SELECT count(*) = 1 FROM u
$$;

-- Extend the lease of every job a worker holds.
CREATE FUNCTION mp_job_heartbeat(p_worker text, p_lease integer)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE job SET lease_until = now() + make_interval(secs => p_lease)
         WHERE state = 'running' AND locked_by = p_worker
        RETURNING 1
    )
    SELECT count(*)::integer FROM u
$$;

-- Give back the jobs a worker holds: p_spent false when it never started
-- them (graceful stop), true when it died with them (the attempt counts).
CREATE FUNCTION mp_job_release(p_worker text, p_spent boolean, p_reason text)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE job j SET
               state = CASE WHEN p_spent AND j.attempt >= j.max_attempts
                            THEN 'discarded' ELSE 'queued' END,
               attempt = CASE WHEN p_spent THEN j.attempt ELSE j.attempt - 1 END,
               run_at = now(), locked_by = NULL, lease_until = NULL,
               errors = CASE WHEN p_spent THEN jsonb_build_array(jsonb_build_object(
                            'at', now(), 'attempt', j.attempt, 'error', p_reason))
                            || j.errors ELSE j.errors END
         WHERE j.state = 'running' AND j.locked_by = p_worker
        RETURNING 1
    )
    SELECT count(*)::integer FROM u
$$;

-- Workers with running jobs whose lock names host p_host (for the start-up
-- check of dead pids on this host).
CREATE FUNCTION mp_job_lockers(p_host text)
RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT DISTINCT locked_by FROM job
     WHERE state = 'running' AND split_part(locked_by, ':', 1) = p_host
$$;

-- The rescuer: re-queue running jobs whose lease ran out.  One worker at a
-- time (advisory lock); returns how many, or -1 when another holds the lock.
CREATE FUNCTION mp_job_rescue()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('mp_job_rescue')) THEN
        RETURN -1;
    END IF;
    WITH u AS (
        UPDATE job j SET
               state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'queued' END,
               finished_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
               run_at = now(), locked_by = NULL, lease_until = NULL,
               errors = jsonb_build_array(jsonb_build_object('at', now(),
                            'attempt', j.attempt, 'error', 'lease expired (' ||
                            coalesce(j.locked_by, '?') || ')')) || j.errors
         WHERE j.state = 'running' AND j.lease_until < now()
        RETURNING 1
    )
    SELECT count(*) INTO n FROM u;
    RETURN n;
END
$$;

-- Retention: completed jobs after 24 hours, discarded and cancelled after 14
-- days, at most p_limit rows per call (the caller repeats while it is full).
CREATE FUNCTION mp_job_retention(p_limit integer)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH d AS (
        DELETE FROM job j USING (
            SELECT tenant_id, id FROM job
             WHERE (state = 'completed' AND finished_at < now() - interval '24 hours')
                OR (state IN ('discarded', 'cancelled') AND finished_at < now() - interval '14 days')
             LIMIT p_limit) AS old
         WHERE j.tenant_id = old.tenant_id AND j.id = old.id
        RETURNING 1
    )
    SELECT count(*)::integer FROM d
$$;

-- Scheduled work: one self-rescheduling job of kind per active tenant.
CREATE FUNCTION mp_job_ensure_schedule(p_kind text, p_queue text, p_first_in integer)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH i AS (
        INSERT INTO job (tenant_id, queue, kind, priority, run_at, idem_key, max_attempts)
        SELECT t.id, p_queue, p_kind, 9, now() + make_interval(secs => p_first_in),
               'schedule', 1000000
          FROM tenants t WHERE t.status = 'active'
        ON CONFLICT (tenant_id, kind, idem_key) WHERE idem_key IS NOT NULL DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer FROM i
$$;

-- When the next queued job becomes ready (the worker's poll timeout).
CREATE FUNCTION mp_job_next_run()
RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT min(run_at) FROM job WHERE state = 'queued'
$$;

REVOKE ALL ON FUNCTION mp_job_claim(text, integer, text, integer),
    mp_job_complete(bigint[], bigint[], integer[], text),
    mp_job_fail(bigint, bigint, integer, text, text, double precision, boolean, boolean),
    mp_job_reschedule(bigint, bigint, integer, text, integer),
    mp_job_heartbeat(text, integer), mp_job_release(text, boolean, text),
    mp_job_lockers(text), mp_job_rescue(), mp_job_retention(integer),
    mp_job_ensure_schedule(text, text, integer), mp_job_next_run() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mp_job_claim(text, integer, text, integer),
    mp_job_complete(bigint[], bigint[], integer[], text),
    mp_job_fail(bigint, bigint, integer, text, text, double precision, boolean, boolean),
    mp_job_reschedule(bigint, bigint, integer, text, integer),
    mp_job_heartbeat(text, integer), mp_job_release(text, boolean, text),
    mp_job_lockers(text), mp_job_rescue(), mp_job_retention(integer),
    mp_job_ensure_schedule(text, text, integer), mp_job_next_run() TO mpanel_app;
