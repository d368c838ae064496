<?cs # Backup code used to sign in (HTML part). ?>
<!doctype html>
<html lang="en"><body>
<p>Hello <?cs var:Mail.Name ?>,</p>
<p>Someone signed in to your <?cs var:Tenant.Name ?> account with a backup code instead of a code from your authenticator app (from IP address <?cs var:Mail.Ip ?>). Every other session of your account was ended.</p>
<p>Backup codes left: <?cs var:Mail.CodesLeft ?>.</p>
<p>If this was you and you lost your phone, <a href="<?cs var:Mail.SecurityUrl ?>">turn two-factor sign-in off and set it up again</a>. If it was not you, change your password now and contact us.</p>
<p>— <?cs var:Tenant.Name ?></p>
</body></html>
