<?cs # A daily or weekly digest (text part). ?>
Your <?cs var:Digest.Period ?> digest: <?cs var:Digest.Label ?>
<?cs var:Digest.Count ?> message(s) since <?cs var:Digest.Since ?>.
<?cs each:i = Digest.Items ?>

== <?cs var:i.subject ?> (<?cs var:i.at ?> UTC)
<?cs var:i.text ?><?cs /each ?>
<?cs if:Digest.More ?>
And <?cs var:Digest.More ?> more.<?cs /if ?>

Unsubscribe or change how often: <?cs var:Mail.UnsubscribeUrl ?>
