<?cs # Staff: newsletter subscribers with source and state, the CSV export, issues and the form for a new one (GET /staff/newsletter). ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Newsletter</h1>
<p>Subscribers: <?cs var:News.Counts.confirmed ?> confirmed, <?cs var:News.Counts.pending ?> pending, <?cs var:News.Counts.unsubscribed ?> unsubscribed. <a href="/staff/newsletter/subscribers.csv">Export all as CSV</a> · <a href="/staff/notifications/optouts">Opt-out log</a></p>
<section aria-labelledby="new-h">
  <h2 id="new-h">New issue</h2>
  <form method="post" action="/staff/newsletter/issues" class="stack">
    <?cs call:csrf_field() ?>
    <label for="subject">Subject</label>
    <input id="subject" name="subject" maxlength="200" required>
    <label for="body">Text (Markdown, as in help articles)</label>
    <textarea id="body" name="body" rows="12" required></textarea>
    <button type="submit">Save and preview</button>
  </form>
</section>
<section aria-labelledby="issues-h">
  <h2 id="issues-h">Issues</h2>
  <ul>
  <?cs each:i = News.Issues ?>
    <li><a href="/staff/newsletter/issues/<?cs var:url_escape(i.id) ?>"><?cs var:i.subject ?></a> · created <?cs var:i.created ?><?cs if:i.sent ?> · sent <?cs var:i.sent ?> to <?cs var:i.recipients ?><?cs else ?> · draft<?cs /if ?></li>
  <?cs /each ?>
  </ul>
</section>
<section aria-labelledby="subs-h">
  <h2 id="subs-h">Subscribers</h2>
  <table class="list">
    <thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Source</th><th scope="col">State</th><th scope="col">Since (UTC)</th><th scope="col">Confirmed</th><th scope="col">Unsubscribed</th></tr></thead>
    <tbody>
    <?cs each:s = News.Subs ?>
      <tr><td><?cs var:s.email ?></td><td><?cs var:s.name ?></td><td><?cs var:s.source ?></td><td><?cs var:s.state ?></td><td><?cs var:s.created ?></td><td><?cs var:s.confirmed ?></td><td><?cs var:s.unsubscribed ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
</section>
<?cs call:page_end() ?>
