<?cs # The account page: profile, password change, API tokens. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Your account</h1>
<?cs if:Account.Notice ?><p class="notice" role="status"><?cs var:Account.Notice ?></p><?cs /if ?>
<?cs if:Account.NewToken ?>
<p class="token-once"><label for="new-token">Your new API token</label>
<input id="new-token" readonly value="<?cs var:Account.NewToken ?>" size="60"></p>
<?cs /if ?>
<section aria-labelledby="profile">
  <h2 id="profile">Profile</h2>
  <dl class="facts">
    <dt>Name</dt><dd><?cs var:User.Name ?></dd>
    <dt>Email</dt><dd><?cs var:User.Email ?></dd>
    <dt>Role</dt><dd><?cs var:User.Role ?></dd>
    <dt>Member since</dt><dd><?cs var:Account.Since ?></dd>
  </dl>
  <p><a href="/account/sessions">See where you are signed in</a></p>
  <p><a href="/account/security">Two-factor sign-in</a></p>
  <p><a href="/account/notifications">Choose what we send you, and how</a></p>
</section>
<section aria-labelledby="pw">
  <h2 id="pw">Change password</h2>
  <?cs if:Account.PasswordError ?><p class="error-box" role="alert" id="pw-error"><?cs var:Account.PasswordError ?></p><?cs /if ?>
  <form method="post" action="/account/password" class="stack">
    <?cs call:csrf_field() ?>
    <label for="current_password">Current password</label>
    <input id="current_password" name="current_password" type="password" autocomplete="current-password" required maxlength="1024">
    <label for="new_password">New password</label>
    <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="8" maxlength="128">
    <p class="check"><input id="end_others" name="end_others" type="checkbox" value="1" checked>
    <label for="end_others">Sign out every other device</label></p>
    <p><button type="submit">Change password</button></p>
  </form>
</section>
<section aria-labelledby="tokens">
  <h2 id="tokens">API tokens</h2>
  <p>Tokens let scripts use the JSON API as you: send <code>Authorization: Bearer &lt;token&gt;</code>.</p>
  <?cs if:subcount(Tokens) > 0 ?>
  <table>
    <thead><tr><th scope="col">Name</th><th scope="col">Starts with</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="sr">Action</span></th></tr></thead>
    <tbody>
    <?cs each:t = Tokens ?>
      <tr><td><?cs var:t.Name ?></td><td><code><?cs var:t.Prefix ?>…</code></td><td><?cs var:t.Created ?></td><td><?cs var:t.LastUsed ?></td>
      <td><form method="post" action="/account/tokens/<?cs var:url_escape(t.Id) ?>/revoke"><?cs call:csrf_field() ?><button type="submit" class="secondary">Revoke</button></form></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  <?cs else ?><p>You have no API tokens.</p><?cs /if ?>
  <form method="post" action="/account/tokens" class="inline">
    <?cs call:csrf_field() ?>
    <label for="token-name">New token name</label>
    <input id="token-name" name="name" required maxlength="100">
    <button type="submit">Create token</button>
  </form>
</section>
<?cs call:page_end() ?>
