<?cs # Help center home: search box, categories with article counts, popular articles. ?>
<?cs include:"layout.cs" ?>
<?cs include:"kb/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="kb-hero">
  <h1>How can we help?</h1>
  <?cs call:kb_searchbox("") ?>
</section>
<?cs if:subcount(Kb.Categories) > 0 ?>
<section aria-labelledby="kb-cats">
  <h2 id="kb-cats">Browse by topic</h2>
  <ul class="kb-cats">
  <?cs each:c = Kb.Categories ?>
    <li class="kb-cat">
      <h3><a href="/help/categories/<?cs var:url_escape(c.Slug) ?>"><?cs var:c.Name ?></a> <span class="kb-count"><?cs var:c.Count ?> article<?cs if:c.Count != 1 ?>s<?cs /if ?></span></h3>
      <?cs if:c.Description ?><p><?cs var:c.Description ?></p><?cs /if ?>
      <?cs if:subcount(c.Children) > 0 ?>
      <ul class="kb-subcats">
      <?cs each:k = c.Children ?><li><a href="/help/categories/<?cs var:url_escape(k.Slug) ?>"><?cs var:k.Name ?></a> <span class="kb-count">(<?cs var:k.Count ?>)</span></li><?cs /each ?>
      </ul>
      <?cs /if ?>
    </li>
  <?cs /each ?>
  </ul>
</section>
<?cs /if ?>
<?cs if:subcount(Kb.Popular) > 0 ?>
<section aria-labelledby="kb-popular">
  <h2 id="kb-popular">Popular articles</h2>
  <ul class="kb-list"><?cs each:a = Kb.Popular ?><?cs call:kb_card(a) ?><?cs /each ?></ul>
</section>
<?cs else ?>
<p>There are no published articles yet.</p>
<?cs /if ?>
<script src="/static/js/kb.js" defer></script>
<?cs call:page_end() ?>
