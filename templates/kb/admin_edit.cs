<?cs # Staff: create or edit a help article, with a markdown preview, publish and archive. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1><?cs var:Page.Title ?></h1>
<?cs if:Kb.Edit.Id ?><p><a href="/staff/help/articles/<?cs var:url_escape(Kb.Edit.Id) ?>/revisions">Revision history</a><?cs if:Kb.Edit.Status == "published" && Kb.Edit.Href ?> · <a href="<?cs var:Kb.Edit.Href ?>">View the published article</a><?cs /if ?></p><?cs /if ?>
<?cs if:Kb.Error.Message ?><p class="error" role="alert"><?cs var:Kb.Error.Message ?></p><?cs /if ?>
<form method="post" action="<?cs var:Kb.Edit.Action ?>" class="kb-edit">
  <?cs call:csrf_field() ?>
  <p><label for="e-title">Title</label>
  <input id="e-title" name="title" required maxlength="200" value="<?cs var:Kb.Edit.Title ?>"></p>
  <p><label for="e-slug">Slug (empty: made from the title)</label>
  <input id="e-slug" name="slug" maxlength="80" value="<?cs var:Kb.Edit.Slug ?>"></p>
  <p><label for="e-summary">Summary</label>
  <textarea id="e-summary" name="summary" rows="2" maxlength="500"><?cs var:Kb.Edit.Summary ?></textarea></p>
  <p><label for="e-body">Body (markdown)</label>
  <textarea id="e-body" name="body" rows="20"><?cs var:Kb.Edit.Body ?></textarea></p>
  <p><label for="e-cat">Category</label>
  <select id="e-cat" name="category"><option value="">None</option>
  <?cs each:c = Kb.Categories ?><option value="<?cs var:c.Slug ?>"<?cs if:Kb.Edit.Category == c.Slug ?> selected<?cs /if ?>><?cs var:c.Name ?></option><?cs /each ?>
  </select></p>
  <p><label for="e-tags">Tags (comma separated)</label>
  <input id="e-tags" name="tags" maxlength="1000" value="<?cs var:Kb.Edit.Tags ?>"></p>
  <p><label for="e-status">Status</label>
  <select id="e-status" name="status">
    <option value="draft"<?cs if:Kb.Edit.Status == "draft" ?> selected<?cs /if ?>>Draft</option>
    <option value="published"<?cs if:Kb.Edit.Status == "published" ?> selected<?cs /if ?>>Published</option>
    <option value="archived"<?cs if:Kb.Edit.Status == "archived" ?> selected<?cs /if ?>>Archived</option>
  </select></p>
  <details><summary>Search engines and ranking</summary>
  <p><label for="e-mt">Meta title</label><input id="e-mt" name="meta_title" maxlength="200" value="<?cs var:Kb.Edit.MetaTitle ?>"></p>
  <p><label for="e-md">Meta description</label><input id="e-md" name="meta_description" maxlength="300" value="<?cs var:Kb.Edit.MetaDescription ?>"></p>
  <p><label for="e-locale">Locale</label><input id="e-locale" name="locale" maxlength="5" value="<?cs var:Kb.Edit.Locale ?>"></p>
  <p><label for="e-boost">Editorial boost (0.1 to 10)</label><input id="e-boost" name="boost" maxlength="8" value="<?cs var:Kb.Edit.Boost ?>"></p>
  <p><label for="e-tr">Translation of (the original article's id; empty: this is an original)</label><input id="e-tr" name="translation_of" maxlength="32" value="<?cs var:Kb.Edit.TranslationOf ?>"></p>
  </details>
  <p class="kb-edit-buttons">
    <button type="submit" name="action" value="save">Save</button>
    <button type="submit" name="action" value="preview">Preview</button>
    <button type="submit" name="action" value="publish">Publish</button>
    <?cs if:Kb.Edit.Id ?><button type="submit" name="action" value="archive">Archive</button><?cs /if ?>
  </p>
</form>
<?cs if:subcount(Kb.Reasons) > 0 ?>
<section class="kb-reasons" aria-labelledby="reasons-h">
  <h2 id="reasons-h">What readers said</h2>
  <ul><?cs each:f = Kb.Reasons ?><li><?cs if:f.Helpful == "1" ?>Helpful<?cs else ?>Not helpful<?cs /if ?>, <?cs var:f.Created ?>: <?cs var:f.Reason ?></li><?cs /each ?></ul>
</section>
<?cs /if ?>
<?cs if:Kb.Preview.BodyHtml ?>
<section class="kb-preview" aria-labelledby="preview-h">
  <h2 id="preview-h">Preview</h2>
  <?cs # Audited raw output: cmark-gfm safe-mode HTML, as stored on save. ?>
  <div class="kb-body"><?cs escape:"none" ?><?cs var:Kb.Preview.BodyHtml ?><?cs /escape ?></div>
</section>
<?cs /if ?>
<?cs call:page_end() ?>
