<?cs # The preference matrix as form controls (no JavaScript): one row per category, its channels, its frequency and the last few subjects; sms: 1 when text messages may be chosen. ?>
<?cs def:prefs_matrix(sms) ?>
<table class="matrix">
  <caption>What we send you, how, and how often</caption>
  <thead>
    <tr><th scope="col">Messages</th><th scope="col">Email</th><th scope="col">Text message</th><th scope="col">Push</th><th scope="col">In the portal</th><th scope="col">How often</th></tr>
  </thead>
  <tbody>
  <?cs each:c = Prefs.Cats ?>
    <tr id="cat-<?cs var:c.Key ?>">
      <th scope="row">
        <span class="cat-label"><?cs var:c.Label ?></span>
        <p class="hint"><?cs var:c.Desc ?></p>
        <?cs if:subcount(Prefs.Subjects[c.Key]) > 0 ?>
        <p class="hint">What you would get:</p>
        <ul class="subjects"><?cs each:s = Prefs.Subjects[c.Key] ?><li><?cs var:s ?></li><?cs /each ?></ul>
        <?cs /if ?>
      </th>
      <td><input type="checkbox" id="<?cs var:c.Key ?>_email" name="<?cs var:c.Key ?>_email" value="1"<?cs if:c.Email == "1" ?> checked<?cs /if ?>><label class="sr" for="<?cs var:c.Key ?>_email"><?cs var:c.Label ?> by email</label></td>
      <td><input type="checkbox" id="<?cs var:c.Key ?>_sms" name="<?cs var:c.Key ?>_sms" value="1"<?cs if:c.Sms == "1" ?> checked<?cs /if ?><?cs if:sms != "1" ?> disabled<?cs /if ?>><label class="sr" for="<?cs var:c.Key ?>_sms"><?cs var:c.Label ?> by text message</label></td>
      <td><input type="checkbox" id="<?cs var:c.Key ?>_push" name="<?cs var:c.Key ?>_push" value="1"<?cs if:c.Push == "1" ?> checked<?cs /if ?>><label class="sr" for="<?cs var:c.Key ?>_push"><?cs var:c.Label ?> as push notifications</label></td>
      <td><input type="checkbox" id="<?cs var:c.Key ?>_in_app" name="<?cs var:c.Key ?>_in_app" value="1"<?cs if:c.InApp == "1" ?> checked<?cs /if ?>><label class="sr" for="<?cs var:c.Key ?>_in_app"><?cs var:c.Label ?> in the portal</label></td>
      <td>
        <label class="sr" for="<?cs var:c.Key ?>_frequency">How often: <?cs var:c.Label ?></label>
        <?cs if:c.Locked == "1" ?>
        <select id="<?cs var:c.Key ?>_frequency" name="<?cs var:c.Key ?>_frequency"><option value="instant" selected>At once</option></select>
        <?cs else ?>
        <select id="<?cs var:c.Key ?>_frequency" name="<?cs var:c.Key ?>_frequency">
          <option value="instant"<?cs if:c.Frequency == "instant" ?> selected<?cs /if ?>>At once</option>
          <option value="daily"<?cs if:c.Frequency == "daily" ?> selected<?cs /if ?>>Daily digest</option>
          <option value="weekly"<?cs if:c.Frequency == "weekly" ?> selected<?cs /if ?>>Weekly digest</option>
          <option value="never"<?cs if:c.Frequency == "never" ?> selected<?cs /if ?>>Never</option>
        </select>
        <?cs /if ?>
      </td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<p class="hint">Security notices cannot be switched off: keep them by email, or by text message once your phone is verified. Receipts and other transactional messages are always sent. Push and in-portal choices are kept for when those arrive.</p>
<?cs /def ?>
