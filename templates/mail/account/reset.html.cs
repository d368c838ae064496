<?cs # Password reset mail (HTML part). ?>
<!doctype html>
<html lang="en"><body>
<p>Hello <?cs var:Mail.Name ?>,</p>
<p>Someone (we hope you) asked to reset the password of your <?cs var:Tenant.Name ?> account.</p>
<p><a href="<?cs var:Mail.ResetUrl ?>">Choose a new password</a></p>
<p>The link works once, for one hour. If you did not ask for it, ignore this message: your password stays as it is.</p>
<p>— <?cs var:Tenant.Name ?></p>
</body></html>
