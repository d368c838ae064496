<?cs # Staff dashboard of the status page: components, open incidents and maintenance, and the forms to change them. ?>
<?cs include:"layout.cs" ?>
<?cs include:"status/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<?cs call:status_css() ?>
<div class="staff">
<h1>Status page</h1>
<p><a href="/status">Public page</a> · Subscribers: <?cs var:Subs.Confirmed ?> confirmed, <?cs var:Subs.Pending ?> pending</p>

<section aria-labelledby="open-h">
<h2 id="open-h">Open incidents and maintenance</h2>
<?cs if:subcount(Open) == 0 ?><p class="muted">Nothing is open.</p><?cs /if ?>
<?cs each:i = Open ?>
<article class="incident" id="i-<?cs var:i.Id ?>">
  <h3><a href="/status/incidents/<?cs var:url_escape(i.Id) ?>"><?cs var:i.Name ?></a> <?cs call:pill(i.Status, i.StatusLabel) ?></h3>
  <?cs each:u = i.Updates ?><p class="small"><strong><?cs var:u.StatusLabel ?></strong> <?cs var:u.Body ?> <span class="muted"><?cs var:u.At ?></span></p><?cs /each ?>
  <form method="post" action="/staff/status/incidents/<?cs var:url_escape(i.Id) ?>/updates">
    <?cs call:csrf_field() ?>
    <label for="st-<?cs var:i.Id ?>">Status</label>
    <select id="st-<?cs var:i.Id ?>" name="status">
    <?cs if:i.Kind == "maintenance" ?>
      <option value="in_progress">In progress</option><option value="verifying">Verifying</option><option value="completed">Completed</option>
    <?cs else ?>
      <option value="investigating">Investigating</option><option value="identified">Identified</option><option value="monitoring">Monitoring</option><option value="resolved">Resolved</option>
    <?cs /if ?>
    </select>
    <label for="cs-<?cs var:i.Id ?>">Components become</label>
    <select id="cs-<?cs var:i.Id ?>" name="component_status">
      <option value="">(unchanged)</option><option value="operational">Operational</option><option value="degraded_performance">Degraded performance</option><option value="partial_outage">Partial outage</option><option value="major_outage">Major outage</option>
    </select>
    <label for="b-<?cs var:i.Id ?>">Message</label>
    <textarea id="b-<?cs var:i.Id ?>" name="body" required maxlength="10000"></textarea>
    <button type="submit">Post update</button>
  </form>
</article>
<?cs /each ?>
</section>

<section aria-labelledby="new-h">
<h2 id="new-h">Open an incident</h2>
<form method="post" action="/staff/status/incidents">
  <?cs call:csrf_field() ?>
  <?cs if:subcount(Templates) > 0 ?>
  <label for="n-tpl">From a template</label>
  <select id="n-tpl" name="template"><option value="">(none)</option><?cs each:t = Templates ?><option value="<?cs var:t.Id ?>"><?cs var:t.Name ?></option><?cs /each ?></select>
  <?cs /if ?>
  <label for="n-name">Name</label>
  <input id="n-name" name="name" maxlength="200">
  <label for="n-impact">Impact</label>
  <select id="n-impact" name="impact"><option value="minor">Minor</option><option value="major">Major</option><option value="critical">Critical</option><option value="none">None</option></select>
  <label for="n-cs">Affected components become</label>
  <select id="n-cs" name="component_status"><option value="partial_outage">Partial outage</option><option value="degraded_performance">Degraded performance</option><option value="major_outage">Major outage</option></select>
  <fieldset><legend>Affected components</legend>
  <?cs each:c = Comps ?><?cs if:c.Group == "0" ?><label class="inline"><input type="checkbox" name="components" value="<?cs var:c.Id ?>"> <?cs var:c.Name ?></label><br><?cs /if ?><?cs /each ?>
  </fieldset>
  <label for="n-body">First update</label>
  <textarea id="n-body" name="body" maxlength="10000"></textarea>
  <button type="submit">Open incident</button>
</form>
</section>

<section aria-labelledby="m-h">
<h2 id="m-h">Schedule maintenance</h2>
<form method="post" action="/staff/status/maintenance">
  <?cs call:csrf_field() ?>
  <label for="m-name">Name</label>
  <input id="m-name" name="name" required maxlength="200">
  <label for="m-from">Starts (UTC, YYYY-MM-DDTHH:MM)</label>
  <input id="m-from" name="scheduled_for" required placeholder="2026-05-01T22:00">
  <label for="m-until">Ends (UTC)</label>
  <input id="m-until" name="scheduled_until" required placeholder="2026-05-02T01:00">
  <fieldset><legend>Components</legend>
  <?cs each:c = Comps ?><?cs if:c.Group == "0" ?><label class="inline"><input type="checkbox" name="components" value="<?cs var:c.Id ?>"> <?cs var:c.Name ?></label><br><?cs /if ?><?cs /each ?>
  </fieldset>
  <label for="m-body">Notice</label>
  <textarea id="m-body" name="body" required maxlength="10000"></textarea>
  <button type="submit">Schedule</button>
</form>
</section>

<section aria-labelledby="components" id="components">
<h2 id="c-h">Components</h2>
<table>
<thead><tr><th scope="col">Component</th><th scope="col">Status</th><th scope="col">90-day uptime</th><th scope="col">Set status</th></tr></thead>
<tbody>
<?cs each:c = Comps ?>
<tr><td><?cs if:c.Group == "1" ?><strong><?cs var:c.Name ?></strong><?cs else ?><?cs var:c.Name ?><?cs /if ?></td><td><?cs call:pill(c.Status, c.StatusLabel) ?></td><td><?cs if:c.Group == "0" ?><?cs var:c.Uptime ?><?cs /if ?></td>
<td><?cs if:c.Group == "0" ?><form class="inline" method="post" action="/staff/status/components/<?cs var:url_escape(c.Id) ?>"><?cs call:csrf_field() ?><label class="inline" for="cst-<?cs var:c.Id ?>">Status of <?cs var:c.Name ?></label> <select id="cst-<?cs var:c.Id ?>" name="status"><option value="operational">Operational</option><option value="degraded_performance">Degraded performance</option><option value="partial_outage">Partial outage</option><option value="major_outage">Major outage</option><option value="under_maintenance">Under maintenance</option></select> <button type="submit">Set</button></form><?cs /if ?></td></tr>
<?cs /each ?>
</tbody>
</table>
<form method="post" action="/staff/status/components">
  <?cs call:csrf_field() ?>
  <label for="nc-name">New component</label>
  <input id="nc-name" name="name" required maxlength="100">
  <button type="submit">Add</button>
</form>
</section>
</div>
<?cs call:page_end() ?>
