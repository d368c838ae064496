<?cs # "Your sessions": every device signed in to this account. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Your sessions</h1>
<p>These devices are signed in to your account. End any you do not recognise, then change your password.</p>
<?cs if:Sessions.Notice ?><p class="notice" role="status"><?cs var:Sessions.Notice ?></p><?cs /if ?>
<?cs if:Sessions.Error ?><p class="error-box" role="alert"><?cs var:Sessions.Error ?></p><?cs /if ?>
<ul class="sessions">
<?cs each:s = Sessions.List ?>
  <li class="session<?cs if:s.Current ?> current<?cs /if ?>">
    <h2 class="device"><?cs var:s.Device ?><?cs if:s.Current ?> <span class="badge">This device</span><?cs /if ?></h2>
    <p class="meta"><span class="type"><?cs var:s.Type ?></span> · IP <?cs var:s.Ip ?></p>
    <p class="meta">Signed in <time datetime="<?cs var:s.SignedInAt ?>"><?cs var:s.SignedIn ?></time> · Last active <time datetime="<?cs var:s.LastActiveAt ?>"><?cs var:s.LastActive ?></time></p>
    <form method="post" action="/account/sessions/<?cs var:url_escape(s.Id) ?>/end">
      <?cs call:csrf_field() ?>
      <button type="submit" class="secondary"><?cs if:s.Current ?>Sign out here<?cs else ?>End this session<?cs /if ?></button>
    </form>
  </li>
<?cs /each ?>
</ul>
<?cs if:Sessions.Count > 1 ?>
<section aria-labelledby="others">
  <h2 id="others">End all other sessions</h2>
  <form method="post" action="/account/sessions/end-others" class="inline">
    <?cs call:csrf_field() ?>
    <label for="password">Your password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    <button type="submit">End all other sessions</button>
  </form>
</section>
<?cs /if ?>
<?cs call:page_end() ?>
