<?cs # Admin: the tenant's audit log, filtered, with the chain's state and export links. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Audit log</h1>
<section aria-labelledby="chain">
  <h2 id="chain">Chain</h2>
  <?cs if:Audit.Verify.Done ?>
    <?cs if:Audit.Verify.Ok ?>
    <p class="notice" role="status">Verified: <?cs var:Audit.Verify.Entries ?> entries, no break and no gap. Head <?cs var:Audit.Verify.HeadSeq ?> <code><?cs var:Audit.Verify.HeadHash ?></code>.</p>
    <?cs else ?>
    <p class="error-box" role="alert">The chain does not verify<?cs if:Audit.Verify.FirstBreak ?>: first break at entry <a href="/admin/audit/<?cs var:url_escape(Audit.Verify.FirstBreak) ?>"><?cs var:Audit.Verify.FirstBreak ?></a><?cs /if ?>; <?cs var:Audit.Verify.Gaps ?> gap<?cs if:Audit.Verify.Gaps != 1 ?>s<?cs /if ?>. Head <?cs var:Audit.Verify.HeadSeq ?> <code><?cs var:Audit.Verify.HeadHash ?></code>.</p>
    <?cs /if ?>
  <?cs else ?>
    <p><a class="button" href="/admin/audit?verify=1">Verify the chain now</a></p>
  <?cs /if ?>
  <?cs if:Audit.Checkpoint.Seq ?>
    <p>Last signed checkpoint: entry <?cs var:Audit.Checkpoint.Seq ?> at <?cs var:Audit.Checkpoint.At ?><?cs if:Audit.Checkpoint.Matches == "0" ?> <strong>(that entry no longer matches it)</strong><?cs /if ?>.</p>
  <?cs else ?>
    <p>No signed checkpoint yet.</p>
  <?cs /if ?>
</section>
<form class="audit-filters" method="get" action="/admin/audit">
  <label for="f-user">User email</label>
  <input id="f-user" name="user" type="email" value="<?cs var:Audit.Filter.user ?>" maxlength="254">
  <label for="f-action">Action</label>
  <input id="f-action" name="action" value="<?cs var:Audit.Filter.action ?>" maxlength="64">
  <label for="f-resource">Resource (type or type:id)</label>
  <input id="f-resource" name="resource" value="<?cs var:Audit.Filter.resource ?>" maxlength="265">
  <label for="f-severity">At least</label>
  <select id="f-severity" name="severity">
    <option value="">Any severity</option>
    <?cs each:l = Audit.Levels ?><option value="<?cs var:l ?>"<?cs if:Audit.Filter.severity == l ?> selected<?cs /if ?>><?cs var:l ?></option><?cs /each ?>
  </select>
  <label for="f-outcome">Outcome</label>
  <select id="f-outcome" name="outcome">
    <option value="">Any</option>
    <option value="success"<?cs if:Audit.Filter.outcome == "success" ?> selected<?cs /if ?>>success</option>
    <option value="denied"<?cs if:Audit.Filter.outcome == "denied" ?> selected<?cs /if ?>>denied</option>
    <option value="failed"<?cs if:Audit.Filter.outcome == "failed" ?> selected<?cs /if ?>>failed</option>
  </select>
  <label for="f-from">From</label>
  <input id="f-from" name="from" type="date" value="<?cs var:Audit.Filter.from ?>">
  <label for="f-to">To</label>
  <input id="f-to" name="to" type="date" value="<?cs var:Audit.Filter.to ?>">
  <button type="submit">Filter</button>
</form>
<p><?cs var:Audit.Total ?> entr<?cs if:Audit.Total == 1 ?>y<?cs else ?>ies<?cs /if ?> · Export <a href="/api/admin/audit/export?format=csv<?cs var:Audit.ExportRange ?>">CSV</a> · <a href="/api/admin/audit/export?format=json<?cs var:Audit.ExportRange ?>">JSON</a></p>
<table class="audit">
  <thead><tr><th scope="col">#</th><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Outcome</th><th scope="col">Severity</th><th scope="col">IP</th></tr></thead>
  <tbody>
  <?cs each:e = Audit.List ?>
    <tr><td><a href="/admin/audit/<?cs var:url_escape(e.Id) ?>"><?cs var:e.Id ?></a></td><td><?cs var:e.At ?></td>
    <td><?cs if:e.Actor ?><?cs var:e.Actor ?> (<?cs var:e.Role ?>)<?cs else ?>anonymous<?cs /if ?></td>
    <td><?cs var:e.Action ?></td><td><?cs var:e.ResourceType ?><?cs if:e.ResourceId ?> <?cs var:e.ResourceId ?><?cs /if ?></td>
    <td><?cs var:e.Outcome ?> (<?cs var:e.Status ?>)</td><td><?cs var:e.Severity ?></td><td><?cs var:e.Ip ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs if:Audit.Next ?>
<nav aria-label="Pages"><a href="/admin/audit?cursor=<?cs var:url_escape(Audit.Next) ?><?cs var:Audit.Query ?>">Older entries</a></nav>
<?cs /if ?>
<?cs call:page_end() ?>
