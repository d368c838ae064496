<?cs # Mail layout macros: the tenant's brand at the top and its name at the foot; any mail template may use them. ?>
<?cs def:mail_start(title) ?><!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title><?cs var:title ?></title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1d2430">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:6px">
<tr><td style="padding:16px 24px;background:<?cs if:Tenant.PrimaryColor ?><?cs var:Tenant.PrimaryColor ?><?cs else ?>#1f5fbf<?cs /if ?>;color:#ffffff;font-size:18px;font-weight:bold;border-radius:6px 6px 0 0"><?cs if:Tenant.LogoUrl ?><img src="<?cs var:Tenant.LogoUrl ?>" alt="<?cs if:Tenant.SiteTitle ?><?cs var:Tenant.SiteTitle ?><?cs else ?><?cs var:Tenant.Name ?><?cs /if ?>" height="40" style="display:block;max-height:40px;border:0"><?cs elif:Tenant.SiteTitle ?><?cs var:Tenant.SiteTitle ?><?cs else ?><?cs var:Tenant.Name ?><?cs /if ?></td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.5">
<?cs /def ?>

<?cs def:mail_end() ?>
</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:#5b6472;border-top:1px solid #e3e6ea"><?cs if:Tenant.Company ?><?cs var:Tenant.Company ?><?cs else ?><?cs var:Tenant.Name ?><?cs /if ?><?cs if:Tenant.SupportEmail ?> · <a href="mailto:<?cs var:Tenant.SupportEmail ?>" style="color:#5b6472"><?cs var:Tenant.SupportEmail ?></a><?cs /if ?></td></tr>
</table>
</td></tr></table>
</body>
</html>
<?cs /def ?>
