<?cs # Staff: the evidence log of opt-outs and opt-ins (GET /staff/notifications/optouts), newest first. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Opt-outs</h1>
<p>Every opt-out and opt-in again, with where it came from and the message it came from. <?cs var:Total ?> shown (the latest 200). Rates by category: <a href="/api/notification-preferences/stats">statistics</a>.</p>
<table class="list">
  <thead><tr><th scope="col">When (UTC)</th><th scope="col">What</th><th scope="col">Channel</th><th scope="col">Address</th><th scope="col">Category</th><th scope="col">Source</th><th scope="col">Message id</th></tr></thead>
  <tbody>
  <?cs each:o = Optouts ?>
    <tr><td><?cs var:o.at ?></td><td><?cs if:o.action == "out" ?>Opted out<?cs else ?>Opted in<?cs /if ?></td><td><?cs var:o.channel ?></td><td><?cs var:o.address ?></td><td><?cs var:o.category ?></td><td><?cs var:o.source ?></td><td><code><?cs var:o.message_id ?></code></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs call:page_end() ?>
