-- White-label branding: the reseller's settings, uploaded images, and custom domain checks.

-- The settings beside the colours and title the foundation already has
-- (site_title is the portal title, primary_color and accent_color the
-- colours, version the number in the CSS file's name).
ALTER TABLE tenant_branding
    ADD COLUMN company_name       text CHECK (length(company_name) BETWEEN 1 AND 200),
    ADD COLUMN secondary_color    text NOT NULL DEFAULT '#39424e'
                                  CHECK (secondary_color ~ '^#[0-9a-f]{6}$'),
    ADD COLUMN logo_light         text CHECK (logo_light ~ '^[0-9a-f]{64}\.(png|jpg|webp|ico)$'),
    ADD COLUMN logo_dark          text CHECK (logo_dark ~ '^[0-9a-f]{64}\.(png|jpg|webp|ico)$'),
    ADD COLUMN favicon            text CHECK (favicon ~ '^[0-9a-f]{64}\.(png|jpg|webp|ico)$'),
    ADD COLUMN email_from_name    text CHECK (length(email_from_name) BETWEEN 1 AND 200),
    ADD COLUMN email_from_address text CHECK (email_from_address ~ '^[^@\s<>]+@[^@\s<>]+$'
                                              AND length(email_from_address) <= 254),
    ADD COLUMN welcome_message    text CHECK (length(welcome_message) <= 2000),
    ADD COLUMN support_phone      text CHECK (support_phone ~ '^[0-9A-Za-z +()./-]{3,40}$'),
    ADD COLUMN meta_description   text CHECK (length(meta_description) <= 300),
    ADD COLUMN footer_links       jsonb NOT NULL DEFAULT '[]'
                                  CHECK (jsonb_typeof(footer_links) = 'array'
                                         AND jsonb_array_length(footer_links) <= 8),
    ADD COLUMN custom_css         text NOT NULL DEFAULT ''
                                  CHECK (length(custom_css) <= 20000);

-- The version is the number in the CSS file's name: it only grows.
ALTER TABLE tenant_branding ADD CONSTRAINT tenant_branding_version_positive
    CHECK (version >= 1);

-- Images a tenant uploaded, by content hash (the file name under brand_dir).
-- The bytes are kept too, so a lost or new brand_dir fills itself again.
CREATE TABLE brand_asset (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    name        text NOT NULL CHECK (name ~ '^[0-9a-f]{64}\.(png|jpg|webp|ico)$'),
    kind        text NOT NULL CHECK (kind IN ('logo', 'logo_dark', 'favicon')),
    media_type  text NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg',
                                                    'image/webp', 'image/x-icon')),
    bytes       integer NOT NULL CHECK (bytes > 0),
    width       integer NOT NULL CHECK (width > 0),
    height      integer NOT NULL CHECK (height > 0),
    data        bytea NOT NULL CHECK (length(data) = bytes),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name, kind)
);
ALTER TABLE brand_asset ENABLE ROW LEVEL SECURITY;
ALTER TABLE brand_asset FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON brand_asset
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON brand_asset TO mpanel_app;

-- A custom domain waiting for (or past) its ownership check, one per
-- tenant.  The token is public by design (it is published on the
-- domain), so it is kept as it is.
CREATE TABLE brand_domain (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    domain       text NOT NULL CHECK (domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$'
                                      AND length(domain) <= 253),
    token        text NOT NULL CHECK (token ~ '^[A-Za-z0-9_-]{32,64}$'),
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'checking', 'verified', 'failed')),
    detail       text CHECK (length(detail) <= 500),
    checked_at   timestamptz,
    verified_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);
ALTER TABLE brand_domain ENABLE ROW LEVEL SECURITY;
ALTER TABLE brand_domain FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON brand_domain
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON brand_domain TO mpanel_app;

-- The pool may only read the tenant registry.  Once the worker has seen
-- the verification file, this makes the domain the current tenant's: it
-- acts only for mp_tenant() and only for the domain that tenant's own
-- check verified.  Returns false when there is nothing to apply; a
-- domain another tenant holds is a unique violation.
CREATE FUNCTION mp_brand_domain_apply(p_domain text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM brand_domain
                   WHERE tenant_id = mp_tenant() AND domain = p_domain
                     AND status = 'verified') THEN
        RETURN false;
    END IF;
    UPDATE tenants SET custom_domain = p_domain WHERE id = mp_tenant();
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION mp_brand_domain_apply(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mp_brand_domain_apply(text) TO mpanel_app;

-- Removing the custom domain (the tenant keeps <slug>.<base domain>).
CREATE FUNCTION mp_brand_domain_clear() RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE
    old text;
BEGIN
    SELECT custom_domain INTO old FROM tenants WHERE id = mp_tenant();
    UPDATE tenants SET custom_domain = NULL WHERE id = mp_tenant();
    DELETE FROM brand_domain WHERE tenant_id = mp_tenant();
    RETURN old;
END $$;
REVOKE ALL ON FUNCTION mp_brand_domain_clear() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mp_brand_domain_clear() TO mpanel_app;
