<?cs # Help center fragments: the search box, an article card, a pager. ?>
<?cs def:kb_searchbox(q) ?>
<form class="kb-search" role="search" action="/help/search" method="get">
  <label for="kb-q">Search the help center</label>
  <div class="kb-search-row">
    <input id="kb-q" name="q" type="search" value="<?cs var:q ?>" maxlength="200" autocomplete="off" placeholder="e.g. renew SSL certificate" aria-describedby="kb-q-hint" data-suggest="/api/kb/suggest">
    <button type="submit">Search</button>
  </div>
  <p id="kb-q-hint" class="muted">Suggestions appear as you type three or more letters.</p>
  <ul class="kb-suggest" id="kb-suggest" role="listbox" aria-label="Suggested articles" hidden></ul>
</form>
<?cs /def ?>

<?cs # (A category slug is a-z, 0-9 and '-', a CHECK constraint: it goes into the URL as it is.) ?><?cs def:kb_card(a) ?>
<li class="kb-card">
  <h3><a href="<?cs var:a.Href ?>"><?cs var:a.Title ?></a></h3>
  <?cs if:a.Summary ?><p><?cs var:a.Summary ?></p><?cs /if ?>
  <p class="kb-meta"><?cs if:a.Category.Name ?><a href="/help/categories/<?cs var:a.Category.Slug ?>"><?cs var:a.Category.Name ?></a> · <?cs /if ?>Updated <time datetime="<?cs var:a.Updated ?>"><?cs var:a.UpdatedDay ?></time></p>
</li>
<?cs /def ?>

<?cs def:kb_pager(base) ?>
<?cs if:Kb.PrevPage || Kb.NextPage ?>
<nav class="kb-pager" aria-label="Pages">
  <?cs if:Kb.PrevPage ?><a rel="prev" href="<?cs var:base ?>page=<?cs var:Kb.PrevPage ?>">Previous</a><?cs /if ?>
  <span>Page <?cs var:Kb.Page ?></span>
  <?cs if:Kb.NextPage ?><a rel="next" href="<?cs var:base ?>page=<?cs var:Kb.NextPage ?>">Next</a><?cs /if ?>
</nav>
<?cs /if ?>
<?cs /def ?>
