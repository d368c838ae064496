<?cs # Password reset mail (HTML part); Mail.Secured: sent after "this wasn't me". ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Hello <?cs var:Mail.Name ?>,</p>
<?cs if:Mail.Secured ?><p>You told us a sign-in to your <?cs var:Tenant.Name ?> account was not you, so we ended every session of your account<?cs if:Mail.TokensRevoked != "0" ?> and revoked its <?cs var:Mail.TokensRevoked ?> API token<?cs if:Mail.TokensRevoked != "1" ?>s<?cs /if ?><?cs /if ?>. Choose a new password now: whoever signed in may know the old one.</p>
<?cs else ?><p>Someone (we hope you) asked to reset the password of your <?cs var:Tenant.Name ?> account.</p>
<?cs /if ?><p><a href="<?cs var:Mail.ResetUrl ?>">Choose a new password</a></p>
<p>The link works once, for one hour.<?cs if:!Mail.Secured ?> If you did not ask for it, ignore this message: your password stays as it is.<?cs /if ?></p>
<p>— <?cs var:Tenant.Name ?></p>
<?cs call:mail_end() ?>
