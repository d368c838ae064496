<?cs # Staff: one newsletter issue, previewed as rendered, with a test send and the send to every confirmed subscriber. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<p><a href="/staff/newsletter">Newsletter</a></p>
<h1><?cs var:Issue.Subject ?></h1>
<?cs if:Issue.Done == "test" ?><p class="notice" role="status">A test is on its way to your address.</p>
<?cs elif:Issue.Done == "sending" ?><p class="notice" role="status">The issue is being sent to every confirmed subscriber.</p><?cs /if ?>
<?cs if:Issue.Sent ?><p>Sent <?cs var:Issue.Sent ?> UTC to <?cs var:Issue.Recipients ?> subscribers.</p><?cs /if ?>
<h2>Preview</h2>
<?cs # Audited raw output: BodyHtml is the help center's cmark-gfm safe-mode HTML (raw HTML omitted, unsafe URLs emptied), stored at save. ?>
<div class="kb-body newsletter-preview"><?cs escape:"none" ?><?cs var:Issue.BodyHtml ?><?cs /escape ?></div>
<form method="post" action="/staff/newsletter/issues/<?cs var:url_escape(Issue.Id) ?>/test" class="inline">
  <?cs call:csrf_field() ?>
  <button type="submit" class="secondary">Send a test to me</button>
</form>
<?cs if:!Issue.Sent ?>
<form method="post" action="/staff/newsletter/issues/<?cs var:url_escape(Issue.Id) ?>/send" class="inline">
  <?cs call:csrf_field() ?>
  <button type="submit">Send to all confirmed subscribers</button>
</form>
<?cs /if ?>
<?cs call:page_end() ?>
