<?cs # The signed-in user's security history (mp_audit_history_hdf fills Security.History), included by the account security page. ?>
<section aria-labelledby="security-history">
  <h2 id="security-history">Security history</h2>
  <?cs if:subcount(Security.History) == 0 ?>
  <p>Nothing recorded yet.</p>
  <?cs else ?>
  <table class="security-history">
    <thead><tr><th scope="col">When (UTC)</th><th scope="col">Event</th><th scope="col">Device</th><th scope="col">IP</th></tr></thead>
    <tbody>
    <?cs each:e = Security.History ?>
      <tr class="outcome-<?cs var:e.Outcome ?>"><td><time datetime="<?cs var:e.At ?>"><?cs var:e.At ?></time></td>
      <td><?cs var:e.What ?><?cs if:e.By ?> by <?cs var:e.By ?><?cs /if ?><?cs if:e.Alert ?> <span class="badge">New device: we emailed you</span><?cs /if ?></td>
      <td><?cs var:e.Device ?></td><td><?cs var:e.Ip ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  <?cs /if ?>
</section>
