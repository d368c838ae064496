<?cs # Password reset mail (text part). ?>
Hello <?cs var:Mail.Name ?>,

Someone (we hope you) asked to reset the password of your <?cs var:Tenant.Name ?> account.

Choose a new password: <?cs var:Mail.ResetUrl ?>

The link works once, for one hour. If you did not ask for it, ignore this message: your password stays as it is.

-- <?cs var:Tenant.Name ?>
