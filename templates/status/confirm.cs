<?cs # The confirmation link's page: the visit changes nothing, the button confirms. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Confirm your subscription</h1>
<p>Send status updates to <strong><?cs var:Sub.Email ?></strong>?</p>
<form method="post" action="<?cs var:Sub.Action ?>">
  <?cs call:csrf_field() ?>
  <button type="submit">Confirm subscription</button>
</form>
<?cs call:page_end() ?>
