<?cs # New sign-in alert (text part). ?>
Hello <?cs var:Mail.Name ?>,

Your <?cs var:Tenant.Name ?> account was just signed in to from a device and network we have not seen before:

  <?cs var:Mail.Browser ?> <?cs var:Mail.Version ?> on <?cs var:Mail.Os ?>
  IP address <?cs var:Mail.Ip ?>

If this was you, there is nothing to do.

If it was not, open this link: <?cs var:Mail.NotMeUrl ?>
We will sign out every session of your account and send you a link to choose a new password.

-- <?cs var:Tenant.Name ?>
