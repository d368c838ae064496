<?cs # Account security: two-factor sign-in state and its forms; the staff rule for administrators. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Account security</h1>
<?cs if:TwoFA.Notice ?><p class="notice" role="status"><?cs var:TwoFA.Notice ?></p><?cs /if ?>
<section aria-labelledby="twofa">
  <h2 id="twofa">Two-factor sign-in</h2>
  <?cs if:TwoFA.Enabled == "1" ?>
  <p id="twofa-state"><strong>On</strong> since <time datetime="<?cs var:TwoFA.EnabledAt ?>"><?cs var:TwoFA.EnabledAt ?></time>. Signing in asks for a code from your authenticator app after your password.</p>
  <p>Backup codes left: <strong id="codes-left"><?cs var:TwoFA.CodesLeft ?></strong> of 10.</p>
  <h3>New backup codes</h3>
  <?cs if:TwoFA.Error.Codes ?><p class="error-box" role="alert" id="codes-error"><?cs var:TwoFA.Error.Codes ?></p><?cs /if ?>
  <form method="post" action="/account/security/2fa/backup-codes" class="inline">
    <?cs call:csrf_field() ?>
    <label for="codes-code">Code from your app</label>
    <input id="codes-code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="32">
    <button type="submit">Make new backup codes</button>
  </form>
  <h3>Turn it off</h3>
  <?cs if:TwoFA.Error.Disable ?><p class="error-box" role="alert" id="disable-error"><?cs var:TwoFA.Error.Disable ?></p><?cs /if ?>
  <form method="post" action="/account/security/2fa/disable" class="stack">
    <?cs call:csrf_field() ?>
    <label for="disable-password">Your password</label>
    <input id="disable-password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    <label for="disable-code">Code from your app, or a backup code</label>
    <input id="disable-code" name="code" autocomplete="one-time-code" required maxlength="32">
    <p><button type="submit" class="secondary">Turn off two-factor sign-in</button></p>
  </form>
  <?cs else ?>
  <p id="twofa-state"><strong>Off</strong>. With it on, signing in also asks for a code from an authenticator app on your phone, so a stolen password is not enough.</p>
  <?cs if:TwoFA.Required == "1" ?><p class="error-box" role="alert">This portal requires two-factor sign-in for staff<?cs if:TwoFA.RequiredBy ?> from <time datetime="<?cs var:TwoFA.RequiredBy ?>"><?cs var:TwoFA.RequiredBy ?></time><?cs /if ?>.</p><?cs /if ?>
  <?cs if:TwoFA.Error.Setup ?><p class="error-box" role="alert" id="setup-error"><?cs var:TwoFA.Error.Setup ?></p><?cs /if ?>
  <form method="post" action="/account/security/2fa/setup" class="inline">
    <?cs call:csrf_field() ?>
    <label for="setup-password">Your password</label>
    <input id="setup-password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    <button type="submit">Set up two-factor sign-in</button>
  </form>
  <?cs /if ?>
</section>
<?cs if:Policy.Show ?>
<section aria-labelledby="policy">
  <h2 id="policy">Staff accounts</h2>
  <form method="post" action="/admin/security/2fa" class="stack">
    <?cs call:csrf_field() ?>
    <p class="check"><input id="staff_required" name="staff_required" type="checkbox" value="1"<?cs if:TwoFA.Required == "1" ?> checked<?cs /if ?>>
    <label for="staff_required">Require two-factor sign-in for support and admin accounts</label></p>
    <label for="grace_days">Days before it is enforced (staff are sent to set it up meanwhile)</label>
    <input id="grace_days" name="grace_days" type="number" min="0" max="90" value="7" required>
    <p><button type="submit">Save</button></p>
  </form>
</section>
<?cs /if ?>
<?cs include:"audit/history.cs" ?>
<p><a href="/account">Back to your account</a></p>
<?cs call:page_end() ?>
