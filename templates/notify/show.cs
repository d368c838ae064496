<?cs # Staff: one notification, its delivery details and timeline, and "retry now" when it failed. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<p><a href="/admin/notifications">All notifications</a></p>
<h1><?cs if:Note.Subject ?><?cs var:Note.Subject ?><?cs else ?><?cs var:Note.Channel ?> to <?cs var:Note.Recipient ?><?cs /if ?></h1>
<dl class="facts">
  <dt>State</dt><dd><span class="state state-<?cs var:Note.State ?>"><?cs var:Note.State ?></span></dd>
  <dt>Channel</dt><dd><?cs var:Note.Channel ?></dd>
  <dt>To</dt><dd><?cs var:Note.Recipient ?></dd>
  <?cs if:Note.From ?><dt>From</dt><dd><?cs var:Note.From ?></dd><?cs /if ?>
  <dt>Category</dt><dd><?cs var:Note.Category ?></dd>
  <?cs if:Note.Template ?><dt>Template</dt><dd><?cs var:Note.Template ?></dd><?cs /if ?>
  <dt>Created (UTC)</dt><dd><?cs var:Note.Created ?></dd>
  <?cs if:Note.Sent ?><dt>Sent (UTC)</dt><dd><?cs var:Note.Sent ?></dd><?cs /if ?>
  <dt>Attempts</dt><dd><?cs var:Note.Attempts ?></dd>
  <dt>Message-ID</dt><dd><code><?cs var:Note.MessageId ?></code></dd>
  <?cs if:Note.ProviderId ?><dt>Provider id</dt><dd><code><?cs var:Note.ProviderId ?></code></dd><?cs /if ?>
  <?cs if:Note.Reply ?><dt>Last reply</dt><dd><code><?cs var:Note.Reply ?></code></dd><?cs /if ?>
  <?cs if:Note.Channel == "email" ?><dt>Opens / clicks</dt><dd><?cs var:Note.Opens ?> / <?cs var:Note.Clicks ?></dd><?cs /if ?>
</dl>
<?cs if:Note.CanRetry ?>
<form method="post" action="/admin/notifications/<?cs var:url_escape(Note.Id) ?>/retry">
  <?cs call:csrf_field() ?>
  <button type="submit">Retry now</button>
</form>
<?cs /if ?>
<h2>Timeline</h2>
<ol class="timeline">
<?cs each:e = Events ?>
<li><time><?cs var:e.At ?></time> <strong><?cs var:e.Kind ?></strong><?cs if:e.Detail ?>: <?cs var:e.Detail ?><?cs /if ?></li>
<?cs /each ?>
</ol>
<?cs call:page_end() ?>
