<?cs # "Your password was changed" security notice (text part). ?>
Hello <?cs var:Mail.Name ?>,

The password of your <?cs var:Tenant.Name ?> account was changed<?cs if:Mail.How == "reset" ?> with a reset link<?cs else ?> from your account page<?cs /if ?>.
<?cs if:Mail.How == "reset" ?>
- Every session of your account was ended: sign in again with the new password.<?cs elif:Mail.SessionsEnded == "1" ?>
- Every other session of your account was ended.<?cs /if ?><?cs if:Mail.TokensRevoked == "0" ?>
- Your account had no API tokens to revoke.<?cs elif:Mail.TokensRevoked == "1" ?>
- Its API token was revoked: create a new one for your scripts.<?cs else ?>
- Its <?cs var:Mail.TokensRevoked ?> API tokens were revoked: create new ones for your scripts.<?cs /if ?>

If you did not change it, someone else knows your password. Reset it now: <?cs var:Mail.ForgotUrl ?>

-- <?cs var:Tenant.Name ?>
