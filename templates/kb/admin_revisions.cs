<?cs # Staff: an article's revision history with restore buttons. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Revisions of “<?cs var:Kb.Edit.Title ?>”</h1>
<p><a href="/staff/help/articles/<?cs var:url_escape(Kb.Edit.Id) ?>">Back to the editor</a></p>
<?cs if:subcount(Kb.Revisions) > 0 ?>
<table class="kb-admin">
  <thead><tr><th scope="col">Revision</th><th scope="col">Title</th><th scope="col">Status</th><th scope="col">By</th><th scope="col">Saved (UTC)</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
  <tbody>
  <?cs each:v = Kb.Revisions ?>
  <tr><td><?cs var:v.Number ?></td><td><?cs var:v.Title ?></td><td><?cs var:v.Status ?></td><td><?cs var:v.Author ?></td><td><?cs var:v.Saved ?></td>
  <td><form method="post" action="/staff/help/articles/<?cs var:url_escape(Kb.Edit.Id) ?>/revisions/<?cs var:url_escape(v.Number) ?>/restore"><?cs call:csrf_field() ?><button type="submit">Restore</button></form></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs else ?>
<p>No earlier revisions: this is the first version.</p>
<?cs /if ?>
<?cs call:page_end() ?>
