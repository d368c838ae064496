<?cs # Sign-in form. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="narrow">
  <h1>Sign in</h1>
  <?cs if:Login.Notice ?><p class="notice" role="status"><?cs var:Login.Notice ?></p><?cs /if ?>
  <?cs if:Login.Error ?><p class="error-box" role="alert" id="login-error"><?cs var:Login.Error ?></p><?cs /if ?>
  <form method="post" action="/login" class="stack">
    <?cs call:csrf_field() ?>
    <input type="hidden" name="next" value="<?cs var:Login.Next ?>">
    <label for="email">Email address</label>
    <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="<?cs var:Login.Email ?>"<?cs if:Login.Error ?> aria-describedby="login-error"<?cs /if ?>>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    <p><button type="submit">Sign in</button></p>
  </form>
  <p><a href="/password/forgot">Forgotten your password?</a></p>
</section>
<?cs call:page_end() ?>
