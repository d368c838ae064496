<?cs # A help category: its subcategories and its published articles, paged. ?>
<?cs include:"layout.cs" ?>
<?cs include:"kb/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<nav class="kb-crumbs" aria-label="Breadcrumb"><ol>
  <li><a href="/help">Help center</a></li>
  <?cs if:Kb.Category.Parent.Slug ?><li><a href="/help/categories/<?cs var:url_escape(Kb.Category.Parent.Slug) ?>"><?cs var:Kb.Category.Parent.Name ?></a></li><?cs /if ?>
  <li aria-current="page"><?cs var:Kb.Category.Name ?></li>
</ol></nav>
<h1><?cs var:Kb.Category.Name ?></h1>
<?cs if:Kb.Category.Description ?><p class="lead"><?cs var:Kb.Category.Description ?></p><?cs /if ?>
<?cs if:subcount(Kb.Children) > 0 ?>
<ul class="kb-subcats"><?cs each:k = Kb.Children ?><li><a href="/help/categories/<?cs var:url_escape(k.Slug) ?>"><?cs var:k.Name ?></a></li><?cs /each ?></ul>
<?cs /if ?>
<?cs if:subcount(Kb.Results) > 0 ?>
<ul class="kb-list"><?cs each:a = Kb.Results ?><?cs call:kb_card(a) ?><?cs /each ?></ul>
<?cs call:kb_pager("/help/categories/" + url_escape(Kb.Category.Slug) + "?") ?>
<?cs else ?>
<p>No published articles in this category yet.</p>
<?cs /if ?>
<?cs call:page_end() ?>
