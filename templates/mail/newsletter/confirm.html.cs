<?cs # Newsletter double opt-in: the confirmation link (HTML part). ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Someone (we hope you) asked for the <?cs var:Tenant.Name ?> newsletter at this address.</p>
<p><a href="<?cs var:News.ConfirmUrl ?>">Confirm the subscription</a></p>
<p>The link works for seven days. If you did not ask for this, ignore this message: nothing more will be sent.</p>
<?cs call:mail_end() ?>
