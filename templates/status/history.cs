<?cs # Past incidents and completed maintenance by day, paged. ?>
<?cs include:"layout.cs" ?>
<?cs include:"status/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<?cs call:status_css() ?>
<p><a href="/status">&larr; System status</a></p>
<h1>Incident history</h1>
<?cs if:subcount(Past) == 0 ?><p class="muted">No incidents have been reported.</p><?cs /if ?>
<?cs each:d = Past ?>
<h2 class="day"><?cs var:d.Day ?></h2>
<ul class="past">
<?cs each:inc = d.Items ?>
  <li><a href="/status/incidents/<?cs var:url_escape(inc.Id) ?>"><?cs var:inc.Name ?></a> <?cs call:pill(inc.Status, inc.StatusLabel) ?><?cs each:u = inc.Updates ?><p class="muted small"><?cs var:u.Body ?></p><?cs /each ?></li>
<?cs /each ?>
</ul>
<?cs /each ?>
<nav class="pager" aria-label="History pages">
<?cs if:History.Prev ?><a rel="prev" href="/status/history?page=<?cs var:url_escape(History.Prev) ?>">Newer</a><?cs /if ?>
<?cs if:History.Next ?><a rel="next" href="/status/history?page=<?cs var:url_escape(History.Next) ?>">Older</a><?cs /if ?>
</nav>
<?cs call:page_end() ?>
