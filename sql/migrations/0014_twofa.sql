-- Two-factor sign-in: each user's TOTP secret (sealed) and backup codes (hashed), the pending second step of a sign-in, its failures, and the tenant's policy for staff.

-- One row per user who has set up, or is setting up, two-factor sign-in.
-- Secrets are sealed (AES-256-GCM, "<key id>.<base64url>") by the portal,
-- never stored in the clear.  last_step is the newest TOTP step accepted:
-- a code is accepted only for a later step (no replay).  remember_epoch
-- is in every remember-this-device cookie; raising it voids them all.
CREATE TABLE user_twofa (
    tenant_id       bigint NOT NULL REFERENCES tenants (id),
    user_id         bigint NOT NULL,
    secret_sealed   text CHECK (length(secret_sealed) <= 200),
    enabled_at      timestamptz,
    pending_sealed  text CHECK (length(pending_sealed) <= 200),
    pending_at      timestamptz,
    last_step       bigint NOT NULL DEFAULT 0,
    remember_epoch  bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    CHECK ((secret_sealed IS NULL) = (enabled_at IS NULL)),
    CHECK ((pending_sealed IS NULL) = (pending_at IS NULL))
);

-- Ten single-use recovery codes per user: SHA-256 of tenant, user and code.
CREATE TABLE twofa_backup_codes (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    user_id     bigint NOT NULL,
    code_hash   text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id, code_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

-- A sign-in whose password was right and whose second step is due: not a
-- session.  Only SHA-256 of the cookie's token is stored; it lives minutes.
CREATE TABLE twofa_pending (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    token_hash   text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id      bigint NOT NULL,
    next         text NOT NULL CHECK (length(next) <= 2000),
    enroll       boolean NOT NULL DEFAULT false,
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX twofa_pending_expiry ON twofa_pending (expires_at);

-- Wrong second-step codes, for throttling per account and per device
-- (SHA-256 of the device cookie, or of the address without one).
CREATE TABLE twofa_failures (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    user_id      bigint NOT NULL,
    device_hash  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX twofa_failures_user ON twofa_failures (tenant_id, user_id, created_at);
CREATE INDEX twofa_failures_device ON twofa_failures (tenant_id, device_hash, created_at);

-- The tenant's rule for staff (support and admin): required from
-- grace_until on; before it, staff without 2FA are sent to set it up.
CREATE TABLE tenant_twofa_policy (
    tenant_id       bigint NOT NULL REFERENCES tenants (id),
    staff_required  boolean NOT NULL DEFAULT false,
    grace_until     timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['user_twofa', 'twofa_backup_codes', 'twofa_pending',
                             'twofa_failures', 'tenant_twofa_policy']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I'
                       ' USING (tenant_id = (SELECT mp_tenant()))'
                       ' WITH CHECK (tenant_id = (SELECT mp_tenant()))', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON user_twofa, twofa_backup_codes, twofa_pending,
    twofa_failures TO mpanel_app;
GRANT SELECT, INSERT, UPDATE ON tenant_twofa_policy TO mpanel_app;

-- Remembered devices end with the sessions: when a user's session is
-- ended for any reason but signing out, rotation or expiry (ended by the
-- user, "sign out everywhere", a password change or reset, "this wasn't
-- me", an administrator), every remember-this-device cookie of the user
-- stops working.  A trigger, so no path that ends sessions can forget it.
CREATE FUNCTION mp_twofa_sessions_ended() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_twofa SET remember_epoch = remember_epoch + 1, updated_at = now()
     WHERE tenant_id = NEW.tenant_id AND user_id = NEW.user_id;
    RETURN NULL;
END $$;
CREATE TRIGGER twofa_sessions_ended
    AFTER UPDATE OF revoked_at ON user_sessions
    FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
          AND NEW.revoked_reason NOT IN ('signed_out', 'rotated', 'expired'))
    EXECUTE FUNCTION mp_twofa_sessions_ended();

-- The security log learns one kind for all of this feature's events; the
-- action is in detail ({"action": "enabled"}, "disabled", "backup_codes",
-- "recovery", "reset", "throttled").
ALTER TABLE security_events DROP CONSTRAINT security_events_kind_check;
ALTER TABLE security_events ADD CONSTRAINT security_events_kind_check
    CHECK (kind IN ('new_sign_in', 'not_me', 'password_changed', 'password_reset',
                    'sessions_ended', 'token_created', 'token_revoked', 'throttled',
                    'twofa'));
