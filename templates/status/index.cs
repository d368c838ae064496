<?cs # The public status page: banner, components with 90-day bars, incidents, maintenance, recent history. ?>
<?cs include:"layout.cs" ?>
<?cs include:"status/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<!--mp:stale-->
<?cs call:status_css() ?>
<div class="status-page" data-refresh="/api/v2/summary.json">
<section class="banner i-<?cs var:Status.Indicator ?>" aria-live="polite">
  <h1 id="status-description"><?cs var:Status.Description ?></h1>
  <p class="muted">Last updated <time id="status-updated" datetime="<?cs var:Status.UpdatedIso ?>"><?cs var:Status.Updated ?></time> (<?cs var:Status.TimeZone ?>)</p>
</section>

<?cs if:subcount(Active) > 0 ?>
<section aria-labelledby="active-h">
  <h2 id="active-h">Current incidents</h2>
  <?cs each:inc = Active ?>
  <article class="incident impact-<?cs var:inc.Impact ?>">
    <h3><a href="/status/incidents/<?cs var:url_escape(inc.Id) ?>"><?cs var:inc.Name ?></a> <?cs call:pill(inc.Status, inc.StatusLabel) ?></h3>
    <?cs call:affects(inc) ?>
    <?cs call:timeline(inc) ?>
  </article>
  <?cs /each ?>
</section>
<?cs /if ?>

<?cs if:subcount(Maint) > 0 ?>
<section aria-labelledby="maint-h">
  <h2 id="maint-h">Scheduled maintenance</h2>
  <?cs each:inc = Maint ?>
  <article class="incident maintenance">
    <h3><a href="/status/incidents/<?cs var:url_escape(inc.Id) ?>"><?cs var:inc.Name ?></a> <?cs call:pill(inc.Status, inc.StatusLabel) ?></h3>
    <p><time datetime="<?cs var:inc.FromIso ?>"><?cs var:inc.From ?></time> to <time datetime="<?cs var:inc.UntilIso ?>"><?cs var:inc.Until ?></time></p>
    <?cs call:affects(inc) ?>
    <?cs each:u = inc.Updates ?><?cs if:name(u) == "0" ?><p><?cs var:u.Body ?></p><?cs /if ?><?cs /each ?>
  </article>
  <?cs /each ?>
</section>
<?cs /if ?>

<section aria-labelledby="comp-h">
  <h2 id="comp-h">Components</h2>
  <?cs if:subcount(Groups) == 0 ?><p class="muted">No components are listed yet.</p><?cs /if ?>
  <?cs each:g = Groups ?>
  <div class="group">
    <?cs if:g.Name ?>
    <h3 class="group-name"><span><?cs var:g.Name ?></span> <?cs call:pill(g.Status, g.StatusLabel) ?></h3>
    <?cs /if ?>
    <ul class="components">
    <?cs each:c = g.Components ?>
      <li class="component" data-component-id="<?cs var:c.Id ?>">
        <div class="component-head"><span class="component-name"><?cs var:c.Name ?></span> <?cs call:pill(c.Status, c.StatusLabel) ?></div>
        <?cs if:c.Desc ?><p class="muted small"><?cs var:c.Desc ?></p><?cs /if ?>
        <?cs call:bars(c) ?>
      </li>
    <?cs /each ?>
    </ul>
  </div>
  <?cs /each ?>
  <p class="legend small"><span class="key d-ok"></span> No downtime <span class="key f-partial"></span> Partial outage <span class="key f-major"></span> Major outage <span class="key d-degraded"></span> Degraded <span class="key d-maint"></span> Maintenance <span class="key d-nodata"></span> No data</p>
</section>

<section aria-labelledby="past-h">
  <h2 id="past-h">Past incidents</h2>
  <?cs if:subcount(Past) == 0 ?><p class="muted">No incidents in the last 7 days.</p><?cs /if ?>
  <?cs each:d = Past ?>
  <h3 class="day"><?cs var:d.Day ?></h3>
  <ul class="past">
  <?cs each:inc = d.Items ?>
    <li><a href="/status/incidents/<?cs var:url_escape(inc.Id) ?>"><?cs var:inc.Name ?></a> <?cs call:pill(inc.Status, inc.StatusLabel) ?><?cs each:u = inc.Updates ?><p class="muted small"><?cs var:u.Body ?></p><?cs /each ?></li>
  <?cs /each ?>
  </ul>
  <?cs /each ?>
  <p><a href="/status/history">Incident history</a></p>
</section>

<section aria-labelledby="sub-h" class="subscribe">
  <h2 id="sub-h">Stay informed</h2>
  <p><a class="button" href="/status/subscribe">Get updates by email</a></p>
  <p class="small">Feeds: <a href="/status/history.atom">Atom</a> · <a href="/status/history.rss">RSS</a> · <a href="/status/maintenance.ics">Maintenance calendar</a> · <a href="/api/v2/summary.json">JSON</a></p>
</section>
</div>
<script src="/static/js/status.js" defer></script>
<?cs call:page_end() ?>
