<?cs # Staff: recent notifications of the tenant, filterable by state, each linking to its timeline. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Notifications</h1>
<form method="get" action="/admin/notifications" class="inline">
  <label for="state">State</label>
  <select id="state" name="state">
  <?cs each:s = States ?><option value="<?cs var:s.Value ?>"<?cs if:s.Value == Filter.State ?> selected<?cs /if ?>><?cs var:s.Label ?></option><?cs /each ?>
  </select>
  <button type="submit">Show</button>
</form>
<p><?cs var:List.Total ?> notification<?cs if:List.Total != 1 ?>s<?cs /if ?>.</p>
<?cs if:subcount(Notes) > 0 ?>
<table class="list">
<thead><tr><th scope="col">Created (UTC)</th><th scope="col">Channel</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Category</th><th scope="col">State</th><th scope="col">Attempts</th></tr></thead>
<tbody>
<?cs each:n = Notes ?>
<tr>
<td><a href="/admin/notifications/<?cs var:url_escape(n.Id) ?>"><?cs var:n.Created ?></a></td>
<td><?cs var:n.Channel ?></td>
<td><?cs var:n.Recipient ?></td>
<td><?cs var:n.Subject ?></td>
<td><?cs var:n.Category ?></td>
<td><span class="state state-<?cs var:n.State ?>"><?cs var:n.State ?></span></td>
<td><?cs var:n.Attempts ?></td>
</tr>
<?cs /each ?>
</tbody>
</table>
<?cs /if ?>
<nav aria-label="Pages">
<?cs if:List.Prev ?><a href="/admin/notifications?state=<?cs var:url_escape(Filter.State) ?>&amp;page=<?cs var:List.Prev ?>">Newer</a><?cs /if ?>
<?cs if:List.Next ?><a href="/admin/notifications?state=<?cs var:url_escape(Filter.State) ?>&amp;page=<?cs var:List.Next ?>">Older</a><?cs /if ?>
</nav>
<?cs call:page_end() ?>
