<?cs # Ask for a password reset link. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="narrow">
  <h1>Forgotten password</h1>
  <p>Enter the email address of your account. We will send you a link to choose a new password.</p>
  <form method="post" action="/password/forgot" class="stack">
    <?cs call:csrf_field() ?>
    <label for="email">Email address</label>
    <input id="email" name="email" type="email" autocomplete="username" required maxlength="254">
    <p><button type="submit">Send the link</button></p>
  </form>
  <p><a href="/login">Back to sign in</a></p>
</section>
<?cs call:page_end() ?>
