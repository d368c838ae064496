-- Demo sender of each demo tenant's mail (run once per tenant with app.tenant_id set).
INSERT INTO tenant_mail_settings (tenant_id, from_name, from_address, reply_to)
SELECT mp_tenant(), t.name, 'noreply@' || t.slug || '.example',
       'support@' || t.slug || '.example'
FROM tenants t WHERE t.id = mp_tenant()
ON CONFLICT (tenant_id) DO NOTHING;
