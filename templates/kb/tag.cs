<?cs # The published articles with one tag, paged. ?>
<?cs include:"layout.cs" ?>
<?cs include:"kb/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<nav class="kb-crumbs" aria-label="Breadcrumb"><ol><li><a href="/help">Help center</a></li><li aria-current="page">Tag: <?cs var:Kb.Tag ?></li></ol></nav>
<h1>Articles tagged “<?cs var:Kb.Tag ?>”</h1>
<ul class="kb-list"><?cs each:a = Kb.Results ?><?cs call:kb_card(a) ?><?cs /each ?></ul>
<?cs call:kb_pager("/help/tags/" + url_escape(Kb.Tag) + "?") ?>
<?cs call:page_end() ?>
