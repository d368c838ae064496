<?cs # Backup code used to sign in (text part). ?>
Hello <?cs var:Mail.Name ?>,

Someone signed in to your <?cs var:Tenant.Name ?> account with a backup code instead of a code from your authenticator app (from IP address <?cs var:Mail.Ip ?>). Every other session of your account was ended.

Backup codes left: <?cs var:Mail.CodesLeft ?>.

If this was you and you lost your phone, turn two-factor sign-in off and set it up again: <?cs var:Mail.SecurityUrl ?>

If it was not you, change your password now and contact us.

-- <?cs var:Tenant.Name ?>
