<?cs # What a subscriber sees after subscribing, confirming or unsubscribing. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<?cs if:Sub.Done == "sent" ?>
<h1>Check your inbox</h1>
<p>If <strong><?cs var:Sub.Email ?></strong> can receive mail, a message with a confirmation link is on its way. Updates start once you confirm.</p>
<?cs elif:Sub.Done == "confirmed" ?>
<h1>You are subscribed</h1>
<p>Status updates will go to <strong><?cs var:Sub.Email ?></strong>. Every mail has a link to stop them.</p>
<?cs else ?>
<h1>Unsubscribed</h1>
<p><?cs if:Sub.Email ?><strong><?cs var:Sub.Email ?></strong> will<?cs else ?>This address will<?cs /if ?> not get status updates any more.</p>
<?cs /if ?>
<p><a href="/status">Back to the system status</a></p>
<?cs call:page_end() ?>
