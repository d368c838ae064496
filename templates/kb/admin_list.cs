<?cs # Staff: every help article (drafts too) with filters by status, category and title. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Help articles</h1>
<p><a class="button" href="/staff/help/new">New article</a> · <a href="/staff/help/report">Search report</a></p>
<form class="kb-filters" method="get" action="/staff/help">
  <label for="f-status">Status</label>
  <select id="f-status" name="status">
    <option value="">Any</option>
    <option value="draft"<?cs if:Kb.Filter.Status == "draft" ?> selected<?cs /if ?>>Draft</option>
    <option value="published"<?cs if:Kb.Filter.Status == "published" ?> selected<?cs /if ?>>Published</option>
    <option value="archived"<?cs if:Kb.Filter.Status == "archived" ?> selected<?cs /if ?>>Archived</option>
  </select>
  <label for="f-cat">Category</label>
  <select id="f-cat" name="category">
    <option value="">Any</option>
    <?cs each:c = Kb.Categories ?><option value="<?cs var:c.Slug ?>"<?cs if:Kb.Filter.Category == c.Slug ?> selected<?cs /if ?>><?cs var:c.Name ?></option><?cs /each ?>
  </select>
  <label for="f-q">Title contains</label>
  <input id="f-q" name="q" type="search" value="<?cs var:Kb.Filter.Q ?>" maxlength="200">
  <button type="submit">Filter</button>
</form>
<p><?cs var:Kb.Total ?> article<?cs if:Kb.Total != 1 ?>s<?cs /if ?></p>
<table class="kb-admin">
  <thead><tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Category</th><th scope="col">Updated (UTC)</th><th scope="col">Revision</th></tr></thead>
  <tbody>
  <?cs each:a = Kb.Articles ?>
    <tr><td><a href="/staff/help/articles/<?cs var:url_escape(a.Id) ?>"><?cs var:a.Title ?></a></td>
    <td><span class="kb-status kb-status-<?cs var:a.Status ?>"><?cs var:a.Status ?></span></td>
    <td><?cs var:a.Category ?></td><td><?cs var:a.Updated ?></td><td><?cs var:a.Revision ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs if:Kb.PrevPage || Kb.NextPage ?>
<nav class="kb-pager" aria-label="Pages">
<?cs if:Kb.PrevPage ?><a href="/staff/help?status=<?cs var:url_escape(Kb.Filter.Status) ?>&amp;category=<?cs var:url_escape(Kb.Filter.Category) ?>&amp;q=<?cs var:url_escape(Kb.Filter.Q) ?>&amp;page=<?cs var:Kb.PrevPage ?>">Previous</a><?cs /if ?>
<?cs if:Kb.NextPage ?><a href="/staff/help?status=<?cs var:url_escape(Kb.Filter.Status) ?>&amp;category=<?cs var:url_escape(Kb.Filter.Category) ?>&amp;q=<?cs var:url_escape(Kb.Filter.Q) ?>&amp;page=<?cs var:Kb.NextPage ?>">Next</a><?cs /if ?>
</nav>
<?cs /if ?>
<?cs call:page_end() ?>
