<?cs # Newsletter double opt-in: the confirmation link (text part). ?>
Someone (we hope you) asked for the <?cs var:Tenant.Name ?> newsletter at this address.

Confirm the subscription: <?cs var:News.ConfirmUrl ?>

The link works for seven days. If you did not ask for this, ignore this message: nothing more will be sent.
