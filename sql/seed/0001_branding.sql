-- Demo branding for each demo tenant (run once per tenant with app.tenant_id set).
INSERT INTO tenant_branding (tenant_id, site_title, primary_color, accent_color, support_email, tagline)
SELECT mp_tenant(), t.name,
       CASE t.slug WHEN 'acme' THEN '#1f5fbf' ELSE '#6b3fa0' END,
       CASE t.slug WHEN 'acme' THEN '#0b7a53' ELSE '#b3541e' END,
       'support@' || t.slug || '.example',
       CASE t.slug WHEN 'acme' THEN 'Fast, friendly web hosting since 2009.'
                   ELSE 'Cloud servers and managed hosting for growing teams.' END
FROM tenants t WHERE t.id = mp_tenant()
ON CONFLICT (tenant_id) DO NOTHING;
