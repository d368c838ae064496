<?cs # The second step of signing in: a code from the app or a backup code (or, when staff must enrol, the setup). ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="narrow">
  <?cs if:Challenge.Enroll ?>
  <h1>Set up two-factor sign-in</h1>
  <p>This portal requires two-factor sign-in for staff accounts. Set it up to finish signing in.</p>
  <?cs include:"twofa/_enrol.cs" ?>
  <?cs else ?>
  <h1>Two-factor sign-in</h1>
  <?cs if:Challenge.Error ?><p class="error-box" role="alert" id="code-error"><?cs var:Challenge.Error ?></p><?cs /if ?>
  <form method="post" action="/login/2fa" class="stack">
    <?cs call:csrf_field() ?>
    <label for="code">Code from your authenticator app</label>
    <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="32" autofocus<?cs if:Challenge.Error ?> aria-describedby="code-error"<?cs /if ?>>
    <p class="check"><input id="remember" name="remember" type="checkbox" value="1">
    <label for="remember">Remember this device for 30 days</label></p>
    <p><button type="submit">Sign in</button></p>
  </form>
  <p>Lost your phone? Enter one of your backup codes instead. Signing in with one ends your other sessions.</p>
  <?cs /if ?>
  <p><a href="/login">Start again</a></p>
</section>
<?cs call:page_end() ?>
