-- Accounts: users of a tenant, their sessions, API tokens, password resets, sign-in throttling and security events.

CREATE TABLE users (
    tenant_id           bigint NOT NULL REFERENCES tenants (id),
    id                  bigint GENERATED ALWAYS AS IDENTITY,
    public_id           text NOT NULL CHECK (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
    email               text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name                text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    password_hash       text NOT NULL,
    role                text NOT NULL DEFAULT 'customer'
                        CHECK (role IN ('customer', 'support', 'admin')),
    is_operator         boolean NOT NULL DEFAULT false,
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email),
    UNIQUE (tenant_id, public_id)
);

-- One row per signed-in device.  Only SHA-256(token) is stored.
CREATE TABLE user_sessions (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    public_id        text NOT NULL CHECK (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
    user_id          bigint NOT NULL,
    token_hash       text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    csrf_token       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    idle_timeout     interval NOT NULL,
    ip               inet,
    user_agent       text CHECK (length(user_agent) <= 512),
    browser          text NOT NULL DEFAULT '',
    browser_version  text NOT NULL DEFAULT '',
    os               text NOT NULL DEFAULT '',
    device_type      text NOT NULL DEFAULT 'desktop'
                     CHECK (device_type IN ('desktop', 'mobile', 'tablet', 'bot')),
    device_id_hash   text,
    revoked_at       timestamptz,
    revoked_reason   text CHECK (revoked_reason IN ('signed_out', 'ended_by_user',
                     'ended_others', 'password_changed', 'password_reset', 'admin',
                     'not_me', 'rotated', 'expired')),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    UNIQUE (tenant_id, public_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX user_sessions_user ON user_sessions (tenant_id, user_id, created_at DESC);
CREATE INDEX user_sessions_expiry ON user_sessions (expires_at) WHERE revoked_at IS NULL;

CREATE TABLE api_tokens (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    public_id    text NOT NULL CHECK (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
    user_id      bigint NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    prefix       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    UNIQUE (tenant_id, public_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE TABLE password_resets (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    user_id     bigint NOT NULL,
    token_hash  text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

-- Failed and successful sign-ins, for throttling per account and per IP.
-- The account is identified by SHA-256 of the lower-cased email, so
-- attempts on unknown accounts are counted the same way.
CREATE TABLE login_attempts (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    email_hash  text NOT NULL,
    ip          inet,
    succeeded   boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX login_attempts_email ON login_attempts (tenant_id, email_hash, created_at);
CREATE INDEX login_attempts_ip ON login_attempts (tenant_id, ip, created_at);

-- Devices a user has signed in from (hash of the long-lived device cookie).
CREATE TABLE known_devices (
    tenant_id      bigint NOT NULL REFERENCES tenants (id),
    user_id        bigint NOT NULL,
    device_id_hash text NOT NULL,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    last_alert_at  timestamptz,
    PRIMARY KEY (tenant_id, user_id, device_id_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE TABLE security_events (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    user_id     bigint,
    session_id  bigint,
    kind        text NOT NULL CHECK (kind IN ('new_sign_in', 'not_me', 'password_changed',
                'password_reset', 'sessions_ended', 'token_created', 'token_revoked',
                'throttled')),
    ip          inet,
    user_agent  text,
    detail      jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

-- "This wasn't me" links: one per alert, single use, hashed.
CREATE TABLE not_me_tokens (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    token_hash  text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id     bigint NOT NULL,
    session_id  bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES user_sessions (tenant_id, id)
        ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'user_sessions', 'api_tokens', 'password_resets',
                             'login_attempts', 'known_devices', 'security_events',
                             'not_me_tokens']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I'
                       ' USING (tenant_id = (SELECT mp_tenant()))'
                       ' WITH CHECK (tenant_id = (SELECT mp_tenant()))', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON users, user_sessions, api_tokens, password_resets,
    known_devices, not_me_tokens TO mpanel_app;
GRANT DELETE ON not_me_tokens TO mpanel_app;
GRANT SELECT, INSERT, DELETE ON login_attempts TO mpanel_app;
GRANT SELECT, INSERT ON security_events TO mpanel_app;
GRANT DELETE ON user_sessions, password_resets TO mpanel_app;
