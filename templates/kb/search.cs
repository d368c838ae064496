<?cs # Search results: ranked, snippets from the best section, pager, "did you mean". Never indexed. A hit (Kb.Results.N, pages.c hdf_hit) has Href, Title, Category.Name, Updated, UpdatedDay, Query and, from its best section, Anchor, Section and SnippetHtml. ?>
<?cs include:"layout.cs" ?>
<?cs include:"kb/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<nav class="kb-crumbs" aria-label="Breadcrumb"><ol><li><a href="/help">Help center</a></li><li aria-current="page">Search</li></ol></nav>
<?cs call:kb_searchbox(Kb.Query) ?>
<?cs if:Kb.Query ?>
<section aria-labelledby="kb-results" class="kb-results">
  <h1 id="kb-results"><?cs if:Kb.Total == 0 ?>No results<?cs elif:Kb.TotalCapped ?>1,000+ results<?cs else ?><?cs var:Kb.Total ?> result<?cs if:Kb.Total != 1 ?>s<?cs /if ?><?cs /if ?> for “<?cs var:Kb.Query ?>”</h1>
  <?cs if:Kb.DidYouMean ?>
  <p class="kb-dym">Did you mean <a href="/help/search?q=<?cs var:url_escape(Kb.DidYouMean) ?>"><?cs var:Kb.DidYouMean ?></a>?</p>
  <?cs /if ?>
  <?cs if:subcount(Kb.Synonyms) > 0 ?>
  <p class="kb-synonyms">Also searched for <?cs each:g = Kb.Synonyms ?><?cs if:!first(g) ?>; <?cs /if ?><span><?cs var:g ?></span><?cs /each ?>.</p>
  <?cs /if ?>
  <?cs if:Kb.Total == 0 ?>
  <div class="kb-zero">
    <?cs if:subcount(Kb.Closest) > 0 ?>
    <h2>These topics may help</h2>
    <ul class="kb-closest">
    <?cs each:c = Kb.Closest ?><li><a href="/help/categories/<?cs var:url_escape(c.Slug) ?>"><?cs var:c.Name ?></a><?cs if:c.Description ?>: <?cs var:c.Description ?><?cs /if ?></li><?cs /each ?>
    </ul>
    <?cs /if ?>
    <p>Try fewer or different words, <a href="/help">browse all topics</a>, or <a class="kb-contact" href="<?cs var:Kb.ContactHref ?>">ask our support team</a>: we will answer by email.</p>
  </div>
  <?cs /if ?>
  <ol class="kb-list">
  <?cs each:a = Kb.Results ?>
    <li class="kb-card kb-hit">
      <h2><a href="<?cs var:a.Href ?>?q=<?cs var:url_escape(a.Query) ?>"><?cs var:a.Title ?></a></h2>
      <?cs if:a.Anchor ?><p class="kb-section">In <a href="<?cs var:a.Href ?>?q=<?cs var:url_escape(a.Query) ?>#<?cs var:url_escape(a.Anchor) ?>"><?cs var:a.Section ?></a></p><?cs /if ?>
      <?cs # Audited raw output: SnippetHtml is mp_kb_mark_html()'s, every character of the article escaped, only <mark> added. ?>
      <p class="kb-snippet"><?cs escape:"none" ?><?cs var:a.SnippetHtml ?><?cs /escape ?></p>
      <p class="kb-meta"><?cs if:a.Category.Name ?><?cs var:a.Category.Name ?> · <?cs /if ?>Updated <time datetime="<?cs var:a.Updated ?>"><?cs var:a.UpdatedDay ?></time></p>
    </li>
  <?cs /each ?>
  </ol>
  <?cs call:kb_pager("/help/search?q=" + url_escape(Kb.Query) + "&") ?>
</section>
<?cs /if ?>
<script src="/static/js/kb.js" defer></script>
<?cs call:page_end() ?>
