<?cs # Asked for by POST /api/marketing/unsubscribe: the one-click link to end the subscription (text part). ?>
Someone (we hope you) asked to stop the <?cs var:Tenant.Name ?> newsletter at this address.

Unsubscribe: <?cs var:Mail.UnsubscribeUrl ?>

If you want to keep it, ignore this message.
