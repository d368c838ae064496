<?cs # The unsubscribe link's page: the visit changes nothing, the button unsubscribes. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Stop status updates</h1>
<p>Stop sending status updates to <strong><?cs var:Sub.Email ?></strong>?</p>
<form method="post" action="<?cs var:Sub.Action ?>">
  <?cs call:csrf_field() ?>
  <button type="submit">Unsubscribe</button>
</form>
<?cs call:page_end() ?>
