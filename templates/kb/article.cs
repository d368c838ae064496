<?cs # One help article: breadcrumb, contents, body, tags, vote box, related articles, JSON-LD. ?><?cs # Category slugs, the article's id and slug (CHECK constraints: a-z, 0-9, '-') and contents anchors (mp_kb_slugify) go into URLs as they are; tags are escaped. ?>
<?cs include:"layout.cs" ?>
<?cs include:"kb/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<nav class="kb-crumbs" aria-label="Breadcrumb"><ol>
  <li><a href="/help">Help center</a></li>
  <?cs if:Kb.Article.Parent.Slug ?><li><a href="/help/categories/<?cs var:Kb.Article.Parent.Slug ?>"><?cs var:Kb.Article.Parent.Name ?></a></li><?cs /if ?>
  <?cs if:Kb.Article.Category.Slug ?><li><a href="/help/categories/<?cs var:Kb.Article.Category.Slug ?>"><?cs var:Kb.Article.Category.Name ?></a></li><?cs /if ?>
  <li aria-current="page"><?cs var:Kb.Article.Title ?></li>
</ol></nav>
<div class="kb-layout">
<article class="kb-article" lang="<?cs var:Page.Lang ?>">
  <h1><?cs var:Kb.Article.Title ?></h1>
  <?cs if:Kb.Article.Summary ?><p class="lead"><?cs var:Kb.Article.Summary ?></p><?cs /if ?>
  <p class="kb-meta">Last updated <time datetime="<?cs var:Kb.Article.Updated ?>"><?cs var:Kb.Article.UpdatedDay ?></time><?cs if:Kb.Article.Author ?> by <?cs var:Kb.Article.Author ?><?cs /if ?></p>
  <?cs if:subcount(Kb.Translations) > 0 ?><p class="kb-translations">Also in: <?cs each:t = Kb.Translations ?><a href="<?cs var:t.Href ?>" hreflang="<?cs var:t.Locale ?>" lang="<?cs var:t.Locale ?>"><?cs var:t.Locale ?></a> <?cs /each ?></p><?cs /if ?>
  <?cs if:subcount(Kb.Toc) > 1 ?>
  <nav class="kb-toc" aria-labelledby="toc"><h2 id="toc">On this page</h2><ol>
  <?cs each:t = Kb.Toc ?><li class="kb-toc-<?cs var:t.Level ?>"><a href="#<?cs var:t.Anchor ?>"><?cs var:t.Heading ?></a></li><?cs /each ?>
  </ol></nav>
  <?cs /if ?>
  <?cs # Audited raw output: BodyHtml is cmark-gfm's safe-mode HTML (raw HTML omitted, unsafe URLs emptied), stored at save. ?>
  <div class="kb-body"><?cs escape:"none" ?><?cs var:Kb.Article.BodyHtml ?><?cs /escape ?></div>
  <?cs if:subcount(Kb.Article.Tags) > 0 ?>
  <p class="kb-tags">Tags: <?cs each:t = Kb.Article.Tags ?><a class="kb-tag" rel="tag" href="/help/tags/<?cs var:url_escape(t) ?>"><?cs var:t ?></a> <?cs /each ?></p>
  <?cs /if ?>
  <section id="vote" class="kb-vote" aria-labelledby="vote-h">
    <?cs if:Kb.Voted == "yes" ?>
    <p class="kb-thanks" role="status">Thank you for your feedback!</p>
    <?cs elif:Kb.Voted == "dup" ?>
    <p class="kb-thanks" role="status">You already told us about this article today. Thank you!</p>
    <?cs else ?>
    <form method="post" action="/help/articles/<?cs var:Kb.Article.Id ?>-<?cs var:Kb.Article.Slug ?>/vote" class="kb-vote-form" data-api="/api/kb/articles/<?cs var:Kb.Article.Id ?>/vote">
      <?cs if:Session.Csrf ?><?cs call:csrf_field() ?><?cs /if ?>
      <h2 id="vote-h">Was this helpful?</h2>
      <p><label for="vote-reason">What could be better? (optional)</label>
      <input id="vote-reason" name="reason" type="text" maxlength="500"></p>
      <p class="kb-vote-buttons"><button type="submit" name="helpful" value="yes">Yes</button>
      <button type="submit" name="helpful" value="no">No</button></p>
      <p class="kb-thanks" role="status" aria-live="polite" hidden></p>
    </form>
    <?cs /if ?>
  </section>
</article>
<?cs if:subcount(Kb.Related) > 0 ?>
<aside class="kb-related" aria-labelledby="related"><h2 id="related">Related articles</h2><ul>
<?cs each:rel = Kb.Related ?><li><a href="<?cs var:rel.Href ?>"><?cs var:rel.Title ?></a></li><?cs /each ?>
</ul></aside>
<?cs /if ?>
</div>
<?cs # Audited raw output: JsonLdHtml is json-c's text with <, > and & as \u escapes, so it cannot close the element. ?>
<script type="application/ld+json"><?cs escape:"none" ?><?cs var:Kb.Article.JsonLdHtml ?><?cs /escape ?></script>
<script src="/static/js/kb.js" defer></script>
<?cs call:page_end() ?>
