<?cs # Asked for by POST /api/marketing/unsubscribe: the one-click link to end the subscription (HTML part). ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Someone (we hope you) asked to stop the <?cs var:Tenant.Name ?> newsletter at this address.</p>
<p><a href="<?cs var:Mail.UnsubscribeUrl ?>">Unsubscribe</a></p>
<p>If you want to keep it, ignore this message.</p>
<?cs call:mail_end() ?>
