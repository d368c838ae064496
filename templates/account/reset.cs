<?cs # Choose a new password from a reset link. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="narrow">
  <h1>Choose a new password</h1>
  <p>For <strong><?cs var:Reset.Email ?></strong>. Every session of this account will be signed out.</p>
  <?cs if:Reset.Error ?><p class="error-box" role="alert" id="reset-error"><?cs var:Reset.Error ?></p><?cs /if ?>
  <form method="post" action="/password/reset/<?cs var:url_escape(Reset.Token) ?>" class="stack">
    <?cs call:csrf_field() ?>
    <label for="password">New password</label>
    <p class="hint" id="pw-hint">At least 8 characters; a long phrase is best.</p>
    <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="128" aria-describedby="pw-hint<?cs if:Reset.Error ?> reset-error<?cs /if ?>">
    <p><button type="submit">Set the password</button></p>
  </form>
</section>
<?cs call:page_end() ?>
