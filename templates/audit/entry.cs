<?cs # Admin: one audit entry, every field and its place in the chain. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Audit entry <?cs var:Audit.Entry.Id ?></h1>
<p><a href="/admin/audit">Back to the audit log</a></p>
<dl class="audit-entry">
  <dt>When (UTC)</dt><dd><?cs var:Audit.Entry.At ?></dd>
  <dt>Who</dt><dd><?cs if:Audit.Entry.Actor ?><?cs var:Audit.Entry.Actor ?> (<?cs var:Audit.Entry.Role ?>)<?cs else ?>anonymous<?cs /if ?></dd>
  <?cs if:Audit.Entry.Subject ?><dt>Concerns</dt><dd><?cs var:Audit.Entry.Subject ?></dd><?cs /if ?>
  <dt>Action</dt><dd><?cs var:Audit.Entry.Action ?></dd>
  <dt>Resource</dt><dd><?cs var:Audit.Entry.ResourceType ?> <?cs var:Audit.Entry.ResourceId ?></dd>
  <dt>Outcome</dt><dd><?cs var:Audit.Entry.Outcome ?> (HTTP <?cs var:Audit.Entry.Status ?>), severity <?cs var:Audit.Entry.Severity ?></dd>
  <dt>Request</dt><dd><?cs var:Audit.Entry.Method ?> <?cs var:Audit.Entry.Route ?>, id <?cs var:Audit.Entry.RequestId ?></dd>
  <dt>From</dt><dd><?cs var:Audit.Entry.Ip ?> · <?cs var:Audit.Entry.UserAgent ?></dd>
  <dt>Changes</dt><dd><pre><?cs var:Audit.Entry.Changes ?></pre></dd>
  <dt>Previous hash</dt><dd><code><?cs var:Audit.Entry.PrevHash ?></code></dd>
  <dt>Hash</dt><dd><code><?cs var:Audit.Entry.Hash ?></code></dd>
</dl>
<?cs call:page_end() ?>
