<?cs # The welcome mail after a newsletter subscription is confirmed (HTML part). ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Welcome<?cs if:News.Name ?>, <?cs var:News.Name ?><?cs /if ?>!</p>
<p>You are subscribed to the <?cs var:Tenant.Name ?> newsletter. Every issue has a link to unsubscribe in one click.</p>
<p style="font-size:12px;color:#5b6472"><a href="<?cs var:Mail.UnsubscribeUrl ?>">Unsubscribe</a></p>
<?cs call:mail_end() ?>
