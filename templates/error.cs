<?cs # Error page: status, title and a sentence for the visitor; never internals. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Error.Title) ?>
<section class="error">
  <p class="status"><?cs var:Error.Status ?></p>
  <h1><?cs var:Error.Title ?></h1>
  <p><?cs var:Error.Message ?></p>
  <p class="muted">Request id: <code><?cs var:Req.Id ?></code></p>
  <?cs if:Tenant.Name ?><p><a href="/">Back to the home page</a></p><?cs /if ?>
</section>
<?cs call:page_end() ?>
