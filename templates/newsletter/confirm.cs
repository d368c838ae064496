<?cs # Newsletter double opt-in: GET /newsletter/confirm/{token} shows a button (GET changes nothing); after the POST, the subscription is confirmed. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<?cs if:News.Done == "confirmed" ?>
<h1>You are subscribed</h1>
<p>The <?cs var:Tenant.Name ?> newsletter will come to <strong><?cs var:News.Email ?></strong>. A welcome message is on its way; every issue has a link to unsubscribe.</p>
<?cs else ?>
<h1>Confirm your subscription</h1>
<p>Send the <?cs var:Tenant.Name ?> newsletter to <strong><?cs var:News.Email ?></strong>?</p>
<form method="post" action="<?cs var:News.Action ?>">
  <?cs call:csrf_field() ?>
  <button type="submit">Confirm my subscription</button>
</form>
<p class="muted">If you did not ask for this, close this page: nothing will be sent.</p>
<?cs /if ?>
<?cs call:page_end() ?>
