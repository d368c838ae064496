-- Foundation: the tenant registry, per-tenant branding, and the row-level security pattern.
--
-- Roles (created by the installer, see docs/operations.md):
--   the owner role runs migrations and owns every object;
--   mpanel_app is the login role of the pool and the worker: it owns
--   nothing, is not a superuser and cannot bypass row-level security.

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO mpanel_app;
GRANT SELECT ON schema_migrations TO mpanel_app;

-- The tenant the current transaction acts for, or NULL (fails closed).
-- Every policy compares tenant_id with this.
CREATE FUNCTION mp_tenant() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint $$;
GRANT EXECUTE ON FUNCTION mp_tenant() TO mpanel_app;

-- The registry of tenants.  Not tenant-owned data: the pool reads it to
-- resolve a Host before it knows the tenant, so it has no RLS, and the
-- pool may only read it.
CREATE TABLE tenants (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          text NOT NULL UNIQUE
                  CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    custom_domain text UNIQUE
                  CHECK (custom_domain = lower(custom_domain)
                         AND length(custom_domain) <= 253),
    plan          text NOT NULL DEFAULT 'standard'
                  CHECK (plan IN ('starter', 'standard', 'business', 'enterprise')),
    status        text NOT NULL DEFAULT 'active'
                  CHECK (status IN ('active', 'suspended', 'deleted')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT (id, slug, name, custom_domain, plan, status) ON tenants TO mpanel_app;

-- White-label branding, one row per tenant.
CREATE TABLE tenant_branding (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    site_title    text NOT NULL CHECK (length(site_title) BETWEEN 1 AND 200),
    primary_color text NOT NULL DEFAULT '#1f5fbf' CHECK (primary_color ~ '^#[0-9a-f]{6}$'),
    accent_color  text NOT NULL DEFAULT '#0b7a53' CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
    support_email text CHECK (length(support_email) <= 254),
    tagline       text CHECK (length(tagline) <= 300),
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);
ALTER TABLE tenant_branding ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_branding FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_branding
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON tenant_branding TO mpanel_app;
