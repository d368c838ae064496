<?cs # The preference centre of a signed-in user (GET /account/notifications): the matrix, the phone for text messages and its verification. ?>
<?cs include:"layout.cs" ?>
<?cs include:"prefs/_matrix.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Notifications</h1>
<?cs if:Prefs.Done == "saved" ?><p class="notice" role="status">Your preferences are saved.</p>
<?cs elif:Prefs.Done == "code" ?><p class="notice" role="status">We have sent a code to your phone. Enter it below.</p>
<?cs elif:Prefs.Done == "verified" ?><p class="notice" role="status">Your phone number is verified.</p><?cs /if ?>
<p>Choose which messages you get, on which channel, and whether they come at once or gathered in a daily or weekly digest.</p>
<form method="post" action="<?cs var:Prefs.Action ?>" class="prefs">
  <?cs call:csrf_field() ?>
  <?cs call:prefs_matrix(Prefs.PhoneVerified) ?>
  <button type="submit">Save preferences</button>
</form>
<section id="phone" aria-labelledby="phone-h">
  <h2 id="phone-h">Phone for text messages</h2>
  <?cs if:Prefs.Phone ?><p>Your number: <strong><?cs var:Prefs.Phone ?></strong><?cs if:Prefs.PhoneVerified == "1" ?> <span class="badge">Verified</span><?cs /if ?></p>
  <?cs else ?><p>You have no verified phone number.</p><?cs /if ?>
  <form method="post" action="/account/notifications/phone" class="inline">
    <?cs call:csrf_field() ?>
    <label for="phone-number">Phone number (international form, such as +441632960961)</label>
    <input id="phone-number" name="phone" type="tel" autocomplete="tel" maxlength="20" required>
    <button type="submit" class="secondary">Text me a code</button>
  </form>
  <form method="post" action="/account/notifications/phone/confirm" class="inline">
    <?cs call:csrf_field() ?>
    <label for="phone-code">Code from the text message</label>
    <input id="phone-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required>
    <button type="submit" class="secondary">Verify</button>
  </form>
  <p class="hint">Codes are valid for 10 minutes. Reply STOP to any text message to stop them all.</p>
</section>
<?cs call:page_end() ?>
