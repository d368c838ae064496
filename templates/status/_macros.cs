<?cs # Pieces of the status pages: status pills, the 90-day bars, an incident's timeline. ?>
<?cs def:status_css() ?><link rel="stylesheet" href="/static/css/status.css"><?cs /def ?>

<?cs def:pill(status, label) ?><span class="pill s-<?cs var:status ?>" data-status="<?cs var:status ?>"><?cs var:label ?></span><?cs /def ?>

<?cs def:bars(c) ?><?cs # Audited raw output: BarsHtml is drawn by the server (svg_bars in fcgi/features/status/page.c), every text in it HTML-escaped there. ?>
<svg class="bars" viewBox="0 0 448 32" preserveAspectRatio="none" role="img" aria-label="Uptime of <?cs var:c.Name ?> over the last 90 days"><?cs escape:"none" ?><?cs var:c.BarsHtml ?><?cs /escape ?></svg>
<p class="bars-legend"><span>90 days ago</span><span><?cs var:c.Uptime ?><?cs if:c.Uptime != "no data" ?> % uptime<?cs /if ?><?cs if:c.Probe ?> · probes <?cs var:c.Probe ?> % available<?cs /if ?></span><span>Today</span></p>
<?cs /def ?>

<?cs def:timeline(inc) ?>
<ol class="timeline">
<?cs each:u = inc.Updates ?>
  <li><strong><?cs var:u.StatusLabel ?></strong> · <span class="body"><?cs var:u.Body ?></span> <time datetime="<?cs var:u.AtIso ?>"><?cs var:u.At ?></time></li>
<?cs /each ?>
</ol>
<?cs /def ?>

<?cs def:affects(inc) ?><?cs if:subcount(inc.Components) > 0 ?><p class="muted affects">Affects: <?cs each:n = inc.Components ?><?cs if:name(n) != "0" ?>, <?cs /if ?><?cs var:n ?><?cs /each ?></p><?cs /if ?><?cs /def ?>
