<?cs # Confirmation of a status subscription (HTML part). ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Someone (we hope you) asked for status updates from <?cs var:Tenant.Name ?> at this address.</p>
<p><a href="<?cs var:Status.ConfirmUrl ?>">Confirm the subscription</a></p>
<p>The link works for seven days. If you did not ask for this, ignore this message and you will get nothing more.</p>
<p><a href="<?cs var:Status.PageUrl ?>">System status</a> · <a href="<?cs var:Status.UnsubscribeUrl ?>">Unsubscribe</a></p>
<?cs call:mail_end() ?>
