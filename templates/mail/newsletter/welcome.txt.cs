<?cs # The welcome mail after a newsletter subscription is confirmed (text part). ?>
Welcome<?cs if:News.Name ?>, <?cs var:News.Name ?><?cs /if ?>!

You are subscribed to the <?cs var:Tenant.Name ?> newsletter. Every issue has a link to unsubscribe in one click.

Unsubscribe: <?cs var:Mail.UnsubscribeUrl ?>
