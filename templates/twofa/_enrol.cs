<?cs # The QR code, the secret and the first-code form: the setup page's and the second step's enrolment. ?>
  <ol>
    <li>Open an authenticator app on your phone and add an account.</li>
    <li>Scan this code, or type the key below.</li>
    <li>Enter the six-digit code the app shows.</li>
  </ol>
  <?cs if:Setup.Qr ?><p><img class="qr" src="<?cs var:Setup.Qr ?>" width="240" height="240" alt="QR code of your two-factor key (the key is also written below)"></p><?cs /if ?>
  <p>Key:
  <code id="secret" data-secret="<?cs var:Setup.Secret ?>"><?cs var:Setup.Grouped ?></code></p>
  <p class="meta">Time-based, 6 digits, every 30 seconds. This key is shown only while you set up.</p>
  <?cs if:Setup.Error ?><p class="error-box" role="alert" id="code-error"><?cs var:Setup.Error ?></p><?cs /if ?>
  <?cs if:Challenge.Error ?><p class="error-box" role="alert" id="code-error"><?cs var:Challenge.Error ?></p><?cs /if ?>
  <form method="post" action="<?cs var:Setup.Action ?>" class="stack">
    <?cs call:csrf_field() ?>
    <label for="code">Code from your app</label>
    <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="32">
    <p><button type="submit">Turn on two-factor sign-in</button></p>
  </form>
