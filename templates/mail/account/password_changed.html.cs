<?cs # "Your password was changed" security notice (HTML part). ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Hello <?cs var:Mail.Name ?>,</p>
<p>The password of your <?cs var:Tenant.Name ?> account was changed<?cs if:Mail.How == "reset" ?> with a reset link<?cs else ?> from your account page<?cs /if ?>.</p>
<ul>
<?cs if:Mail.How == "reset" ?><li>Every session of your account was ended: sign in again with the new password.</li>
<?cs elif:Mail.SessionsEnded == "1" ?><li>Every other session of your account was ended.</li>
<?cs /if ?><?cs if:Mail.TokensRevoked == "0" ?><li>Your account had no API tokens to revoke.</li>
<?cs elif:Mail.TokensRevoked == "1" ?><li>Its API token was revoked: create a new one for your scripts.</li>
<?cs else ?><li>Its <?cs var:Mail.TokensRevoked ?> API tokens were revoked: create new ones for your scripts.</li>
<?cs /if ?></ul>
<p>If you did not change it, someone else knows your password: <a href="<?cs var:Mail.ForgotUrl ?>">reset it now</a>.</p>
<p>— <?cs var:Tenant.Name ?></p>
<?cs call:mail_end() ?>
