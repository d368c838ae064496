<?cs # Password reset mail (text part); Mail.Secured: sent after "this wasn't me". ?>
Hello <?cs var:Mail.Name ?>,

<?cs if:Mail.Secured ?>You told us a sign-in to your <?cs var:Tenant.Name ?> account was not you, so we ended every session of your account<?cs if:Mail.TokensRevoked != "0" ?> and revoked its <?cs var:Mail.TokensRevoked ?> API token<?cs if:Mail.TokensRevoked != "1" ?>s<?cs /if ?><?cs /if ?>. Choose a new password now: whoever signed in may know the old one.<?cs else ?>Someone (we hope you) asked to reset the password of your <?cs var:Tenant.Name ?> account.<?cs /if ?>

Choose a new password: <?cs var:Mail.ResetUrl ?>

The link works once, for one hour.<?cs if:!Mail.Secured ?> If you did not ask for it, ignore this message: your password stays as it is.<?cs /if ?>

-- <?cs var:Tenant.Name ?>
