<?cs # Staff: the tenant's search synonyms (groups of terms that mean the same), add, change and delete. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1><?cs var:Page.Title ?></h1>
<p>A search for one term of a group also finds articles that use the others. Separate the terms with commas; a term may be a short phrase (&ldquo;close account&rdquo;).</p>
<section aria-labelledby="syn-new"><h2 id="syn-new">New group</h2>
<form method="post" action="/staff/help/synonyms" class="kb-edit">
  <?cs call:csrf_field() ?>
  <p><label for="syn-terms">Terms</label>
  <input id="syn-terms" name="terms" required maxlength="1000" placeholder="cancel, refund, close account"></p>
  <p><button type="submit">Add</button></p>
</form>
</section>
<section aria-labelledby="syn-list"><h2 id="syn-list">Groups (<?cs var:subcount(Kb.Synonyms) ?>)</h2>
<?cs if:subcount(Kb.Synonyms) > 0 ?>
<table class="kb-admin"><thead><tr><th scope="col">Terms</th><th scope="col">Delete</th></tr></thead><tbody>
<?cs each:g = Kb.Synonyms ?>
<tr><td><form method="post" action="/staff/help/synonyms/<?cs var:url_escape(g.Id) ?>">
  <?cs call:csrf_field() ?>
  <label class="visually-hidden" for="syn-<?cs var:g.Id ?>">Terms of group <?cs var:g.Id ?></label>
  <input id="syn-<?cs var:g.Id ?>" name="terms" required maxlength="1000" value="<?cs var:g.Terms ?>">
  <button type="submit">Save</button></form></td>
<td><form method="post" action="/staff/help/synonyms/<?cs var:url_escape(g.Id) ?>/delete">
  <?cs call:csrf_field() ?><button type="submit">Delete</button></form></td></tr>
<?cs /each ?>
</tbody></table>
<?cs else ?><p>No synonyms yet.</p><?cs /if ?>
</section>
<?cs call:page_end() ?>
