<?cs # Unsubscribe page (GET /u/{token}): says what the link stops and posts the one-click unsubscribe. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Unsubscribe</h1>
<p>Stop <strong><?cs var:Unsub.Category ?></strong> mail from <?cs var:Tenant.Name ?> to <strong><?cs var:Unsub.Address ?></strong>?</p>
<form method="post" action="<?cs var:Unsub.Action ?>">
  <input type="hidden" name="List-Unsubscribe" value="Unsubscribe">
  <button type="submit">Unsubscribe</button>
</form>
<p class="muted">Account and security messages are still sent: they cannot be switched off.</p>
<?cs call:page_end() ?>
