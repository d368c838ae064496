<?cs # New sign-in alert (HTML part) with the "this wasn't me" link. ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Hello <?cs var:Mail.Name ?>,</p>
<p>Your <?cs var:Tenant.Name ?> account was just signed in to from a device and network we have not seen before:</p>
<ul>
<li><?cs var:Mail.Browser ?> <?cs var:Mail.Version ?> on <?cs var:Mail.Os ?></li>
<li>IP address <?cs var:Mail.Ip ?></li>
</ul>
<p>If this was you, there is nothing to do.</p>
<p>If it was not: <a href="<?cs var:Mail.NotMeUrl ?>">this wasn't me</a>. We will sign out every session of your account and send you a link to choose a new password.</p>
<p>— <?cs var:Tenant.Name ?></p>
<?cs call:mail_end() ?>
