<?cs # Confirmation of a status subscription (text part). ?>
Someone (we hope you) asked for status updates from <?cs var:Tenant.Name ?> at this address.

Confirm the subscription: <?cs var:Status.ConfirmUrl ?>

The link works for seven days. If you did not ask for this, ignore this message and you will get nothing more.

Unsubscribe: <?cs var:Status.UnsubscribeUrl ?>
