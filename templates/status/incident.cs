<?cs # One incident or maintenance with its whole timeline and postmortem. ?>
<?cs include:"layout.cs" ?>
<?cs include:"status/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<?cs call:status_css() ?>
<p><a href="/status">&larr; System status</a></p>
<article class="incident impact-<?cs var:Incident.Impact ?>">
  <h1><?cs var:Incident.Name ?></h1>
  <p><?cs call:pill(Incident.Status, Incident.StatusLabel) ?><?cs if:Incident.Kind == "maintenance" ?> Scheduled maintenance, <time datetime="<?cs var:Incident.FromIso ?>"><?cs var:Incident.From ?></time> to <time datetime="<?cs var:Incident.UntilIso ?>"><?cs var:Incident.Until ?></time><?cs else ?> Impact: <?cs var:Incident.Impact ?><?cs /if ?></p>
  <?cs call:affects(Incident) ?>
  <?cs if:Incident.Postmortem ?>
  <section class="postmortem" aria-labelledby="pm-h">
    <h2 id="pm-h">Postmortem</h2>
    <p><?cs var:Incident.Postmortem ?></p>
  </section>
  <?cs /if ?>
  <h2>Updates</h2>
  <?cs call:timeline(Incident) ?>
</article>
<p><a href="/status/subscribe">Get updates by email</a></p>
<?cs call:page_end() ?>
