-- Demo white-label settings: acme and globex each get a look of their own.
UPDATE tenant_branding b SET
    company_name = CASE t.slug WHEN 'acme' THEN 'Acme Hosting Ltd' ELSE 'Globex Cloud Inc.' END,
    secondary_color = CASE t.slug WHEN 'acme' THEN '#0d2b57' ELSE '#2e1a47' END,
    email_from_name = CASE t.slug WHEN 'acme' THEN 'Acme Hosting' ELSE 'Globex Cloud' END,
    email_from_address = 'noreply@' || t.slug || '.example',
    welcome_message = CASE t.slug
        WHEN 'acme' THEN 'Welcome to Acme Hosting. Manage your sites, mail and domains in one place.'
        ELSE 'Welcome to Globex Cloud: servers, backups and support for growing teams.' END,
    support_phone = CASE t.slug WHEN 'acme' THEN '+1 555 0100' ELSE '+44 20 7946 0000' END,
    meta_description = CASE t.slug
        WHEN 'acme' THEN 'Acme Hosting customer portal: help center, system status and your account.'
        ELSE 'Globex Cloud customer portal: answers, service status and account settings.' END,
    footer_links = CASE t.slug
        WHEN 'acme' THEN '[{"label":"Terms","url":"https://acme.example/terms"},{"label":"Privacy","url":"https://acme.example/privacy"}]'::jsonb
        ELSE '[{"label":"Legal","url":"https://globex.example/legal"}]'::jsonb END,
    custom_css = CASE t.slug
        WHEN 'acme' THEN ''
        ELSE E'header.site {\n  border-bottom: 6px solid var(--brand-accent);\n}\n.hero h1 {\n  letter-spacing: .02em;\n}\n' END
FROM tenants t
WHERE t.id = mp_tenant() AND b.tenant_id = t.id AND b.company_name IS NULL;

-- The mail sender follows the brand's from-name and address.
UPDATE tenant_mail_settings m SET from_name = b.email_from_name,
    from_address = b.email_from_address, updated_at = now()
FROM tenant_branding b
WHERE m.tenant_id = mp_tenant() AND b.tenant_id = m.tenant_id
  AND b.email_from_name IS NOT NULL AND b.email_from_address IS NOT NULL;
