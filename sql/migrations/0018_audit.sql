-- Audit log: one append-only, hash-chained record per state-changing request, and signed checkpoints of each chain's head.
--
-- Each tenant has its own chain.  The BEFORE INSERT trigger takes the
-- tenant's chain lock (pg_advisory_xact_lock, held to the end of the
-- inserting transaction), reads the head, and sets seq = head.seq + 1,
-- prev_hash = head.row_hash (32 zero bytes for the first entry) and
-- row_hash = sha256(prev_hash || audit_canonical(entry)).  Whatever the
-- inserting statement says for those columns and for created_at is
-- replaced, so no writer (pool, worker, mpanelctl, psql) can forge a link.
-- sha256(bytea) is built into PostgreSQL (11 and later): no pgcrypto.

CREATE TABLE audit_logs (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    seq              bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- who: the signed-in actor (NULL: anonymous), as they were then
    user_id          bigint,
    actor_email      text CHECK (length(actor_email) <= 254),
    actor_role       text CHECK (actor_role IN ('customer', 'support', 'admin', 'system')),
    -- the user the event concerns (the account signed in to, the owner
    -- of the session ended), for the customer's own history
    subject_user_id  bigint,
    -- what
    action           text NOT NULL CHECK (action ~ '^[A-Z][A-Z0-9_]{1,63}$'),
    resource_type    text CHECK (length(resource_type) <= 64),
    resource_id      text CHECK (length(resource_id) <= 200),
    outcome          text NOT NULL CHECK (outcome IN ('success', 'denied', 'failed')),
    status           integer,
    severity         text NOT NULL DEFAULT 'info'
                     CHECK (severity IN ('debug', 'info', 'notice', 'warning', 'error',
                                         'critical')),
    method           text CHECK (length(method) <= 10),
    route            text CHECK (length(route) <= 200),
    changes          jsonb NOT NULL DEFAULT '{}',
    -- where from
    ip               inet,
    user_agent       text CHECK (length(user_agent) <= 512),
    request_id       text CHECK (length(request_id) <= 64),
    gdpr             boolean NOT NULL DEFAULT false,
    pci              boolean NOT NULL DEFAULT false,
    -- the chain
    prev_hash        bytea NOT NULL,
    row_hash         bytea NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_logs_time ON audit_logs (tenant_id, created_at);
CREATE INDEX audit_logs_user ON audit_logs (tenant_id, user_id, seq);
CREATE INDEX audit_logs_subject ON audit_logs (tenant_id, subject_user_id, seq)
    WHERE subject_user_id IS NOT NULL;
CREATE INDEX audit_logs_action ON audit_logs (tenant_id, action, seq);
CREATE INDEX audit_logs_resource ON audit_logs (tenant_id, resource_type, resource_id, seq);

-- One field of the canonical form: 4-byte big-endian length and the
-- UTF-8 bytes, or ff ff ff ff for NULL, so no two entries share a form.
CREATE FUNCTION audit_field(t text) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN t IS NULL THEN '\xffffffff'::bytea
                      ELSE int4send(octet_length(t)) || convert_to(t, 'UTF8') END $$;

-- The canonical form of an entry, in this fixed order (docs/api-audit.md
-- spells it out; tests recompute it independently).  Times are UTC with
-- microseconds; changes is jsonb's own text form (keys sorted, one space
-- after ':' and ','); ip is inet's text form.
CREATE FUNCTION audit_canonical(a audit_logs) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT convert_to('mpanel-audit-v1', 'UTF8')
        || audit_field(a.tenant_id::text)
        || audit_field(a.seq::text)
        || audit_field(to_char(a.created_at AT TIME ZONE 'UTC',
                               'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
        || audit_field(a.user_id::text)
        || audit_field(a.actor_email)
        || audit_field(a.actor_role)
        || audit_field(a.subject_user_id::text)
        || audit_field(a.action)
        || audit_field(a.resource_type)
        || audit_field(a.resource_id)
        || audit_field(a.outcome)
        || audit_field(a.status::text)
        || audit_field(a.severity)
        || audit_field(a.method)
        || audit_field(a.route)
        || audit_field(a.changes::text)
        || audit_field(a.ip::text)
        || audit_field(a.user_agent)
        || audit_field(a.request_id)
        || audit_field(a.gdpr::text)
        || audit_field(a.pci::text) $$;

-- Link a new entry into its tenant's chain (see the top of this file).
-- Runs as the inserting role, under row-level security: the head it reads
-- is its own tenant's.  Each statement of a volatile function takes a new
-- snapshot under read committed, so the head read after the lock is the
-- one the previous holder committed.
CREATE FUNCTION audit_chain() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_catalog
    AS $$
DECLARE
    head_seq  bigint;
    head_hash bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(1635083380, (NEW.tenant_id % 2147483647)::int);
    SELECT seq, row_hash INTO head_seq, head_hash FROM audit_logs
        WHERE tenant_id = NEW.tenant_id ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(head_seq, 0) + 1;
    NEW.prev_hash := coalesce(head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    NEW.created_at := clock_timestamp();
    NEW.row_hash := sha256(NEW.prev_hash || audit_canonical(NEW));
    RETURN NEW;
END $$;

-- Append-only: no role changes or removes an entry (the app role has no
-- UPDATE, DELETE or TRUNCATE privilege either; these stop the owner).
CREATE FUNCTION audit_refuse() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_chain();
CREATE TRIGGER audit_logs_no_change BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();

-- Signed checkpoints of each chain's head (the daily audit.checkpoint job):
-- payload is the exact text signed with Ed25519, signature its base64.
CREATE TABLE audit_checkpoints (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    seq              bigint NOT NULL,
    head_hash        bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    payload          text NOT NULL CHECK (length(payload) <= 4096),
    signature        text NOT NULL CHECK (length(signature) <= 512),
    key_id           text NOT NULL CHECK (length(key_id) <= 128),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_checkpoints_time ON audit_checkpoints (tenant_id, created_at);
CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audit_logs', 'audit_checkpoints']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I'
                       ' USING (tenant_id = (SELECT mp_tenant()))'
                       ' WITH CHECK (tenant_id = (SELECT mp_tenant()))', t);
    END LOOP;
END $$;

REVOKE ALL ON audit_logs, audit_checkpoints FROM mpanel_app;
GRANT SELECT, INSERT ON audit_logs, audit_checkpoints TO mpanel_app;
GRANT EXECUTE ON FUNCTION audit_field(text), audit_canonical(audit_logs) TO mpanel_app;
