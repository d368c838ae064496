<?cs # One issue of the newsletter (text part): the markdown source reads as text. ?>
<?cs var:News.BodyText ?>

You get this because you subscribed to the <?cs var:Tenant.Name ?> newsletter.
Unsubscribe: <?cs var:Mail.UnsubscribeUrl ?>
