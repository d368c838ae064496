<?cs # Staff: the help center's categories (one level of nesting), a form to add or edit one, delete when empty. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1><?cs var:Page.Title ?></h1>
<?cs if:Kb.Saved ?><p class="notice" role="status">Category &ldquo;<?cs var:Kb.Saved ?>&rdquo; saved.</p><?cs /if ?>
<?cs if:Kb.Error.Message ?><p class="error" role="alert"><?cs var:Kb.Error.Message ?></p><?cs /if ?>
<table class="kb-admin">
  <thead><tr><th scope="col">Name</th><th scope="col">Slug</th><th scope="col">Under</th><th scope="col">Position</th><th scope="col">Articles</th></tr></thead>
  <tbody>
  <?cs each:c = Kb.Cats ?>
    <tr><td><?cs if:c.Parent ?>&mdash; <?cs /if ?><a href="/staff/help/categories/<?cs var:url_escape(c.Slug) ?>"><?cs var:c.Name ?></a></td>
    <td><a href="/help/categories/<?cs var:url_escape(c.Slug) ?>"><?cs var:c.Slug ?></a></td>
    <td><?cs var:c.Parent ?></td><td><?cs var:c.Position ?></td><td><?cs var:c.Articles ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<section aria-labelledby="cat-form">
<h2 id="cat-form"><?cs if:Kb.Form.Edit ?>Edit &ldquo;<?cs var:Kb.Form.Name ?>&rdquo;<?cs else ?>New category<?cs /if ?></h2>
<form method="post" action="<?cs var:Kb.Form.Action ?>" class="kb-edit">
  <?cs call:csrf_field() ?>
  <p><label for="c-name">Name</label>
  <input id="c-name" name="name" required maxlength="120" value="<?cs var:Kb.Form.Name ?>"<?cs if:Kb.Error.Field == "name" ?> aria-invalid="true"<?cs /if ?>></p>
  <p><label for="c-slug">Slug (empty: made from the name)</label>
  <input id="c-slug" name="slug" maxlength="80" value="<?cs var:Kb.Form.Slug ?>"<?cs if:Kb.Error.Field == "slug" ?> aria-invalid="true"<?cs /if ?>></p>
  <p><label for="c-desc">Description</label>
  <textarea id="c-desc" name="description" rows="2" maxlength="500"><?cs var:Kb.Form.Description ?></textarea></p>
  <p><label for="c-parent">Under</label>
  <select id="c-parent" name="parent"<?cs if:Kb.Error.Field == "parent" ?> aria-invalid="true"<?cs /if ?>><option value="">Nothing (top level)</option>
  <?cs each:c = Kb.Cats ?><?cs if:c.CanParent ?><option value="<?cs var:c.Slug ?>"<?cs if:Kb.Form.Parent == c.Slug ?> selected<?cs /if ?>><?cs var:c.Name ?></option><?cs /if ?><?cs /each ?>
  </select></p>
  <p><label for="c-pos">Position (smaller first)</label>
  <input id="c-pos" name="position" inputmode="numeric" maxlength="8" value="<?cs var:Kb.Form.Position ?>"<?cs if:Kb.Error.Field == "position" ?> aria-invalid="true"<?cs /if ?>></p>
  <p class="kb-edit-buttons"><button type="submit"><?cs if:Kb.Form.Edit ?>Save<?cs else ?>Add category<?cs /if ?></button>
  <?cs if:Kb.Form.Edit ?> <a href="/staff/help/categories">Cancel</a><?cs /if ?></p>
</form>
<?cs if:Kb.Form.CanDelete ?>
<form method="post" action="/staff/help/categories/<?cs var:url_escape(Kb.Form.Edit) ?>/delete">
  <?cs call:csrf_field() ?>
  <p><button type="submit">Delete this empty category</button></p>
</form>
<?cs /if ?>
</section>
<?cs call:page_end() ?>
