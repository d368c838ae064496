<?cs # GET /u/{token}: what the address receives, the one-click unsubscribe button, and the preference centre of that address without signing in. ?>
<?cs include:"layout.cs" ?>
<?cs include:"prefs/_matrix.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Email preferences</h1>
<p>For <strong><?cs var:Unsub.Address ?></strong> at <?cs var:Tenant.Name ?>.</p>
<?cs if:Prefs.Done == "saved" ?><p class="notice" role="status">Your preferences are saved.</p><?cs /if ?>
<?cs if:Unsub.Suppressed == "1" ?><p class="notice">We no longer send any mail to this address (it bounced or was reported).</p><?cs /if ?>
<section aria-labelledby="this-h">
  <h2 id="this-h">This message</h2>
  <?cs if:Unsub.OptedOut == "1" ?>
  <p>You are unsubscribed from <strong><?cs var:Unsub.Label ?></strong> mail (<?cs var:Unsub.Category ?>).</p>
  <?cs else ?>
  <p>It was <strong><?cs var:Unsub.Label ?></strong> mail (<?cs var:Unsub.Category ?>).</p>
  <form method="post" action="<?cs var:Unsub.Action ?>">
    <input type="hidden" name="List-Unsubscribe" value="Unsubscribe">
    <button type="submit">Unsubscribe from <?cs var:Unsub.Label ?></button>
  </form>
  <?cs /if ?>
</section>
<section aria-labelledby="all-h">
  <h2 id="all-h">Everything this address receives</h2>
  <form method="post" action="<?cs var:Prefs.Action ?>" class="prefs">
    <?cs call:csrf_field() ?>
    <ul class="lists">
    <?cs each:l = Lists ?>
      <?cs if:l.Link && l.On != "1" ?>
      <li><?cs var:l.Label ?>: not subscribed. <a href="<?cs var:l.Link ?>">Subscribe</a></li>
      <?cs else ?>
      <li class="check"><input type="hidden" name="lists" value="<?cs var:l.Key ?>"><input type="checkbox" id="list_<?cs var:l.Key ?>" name="list_<?cs var:l.Key ?>" value="1"<?cs if:l.On == "1" ?> checked<?cs /if ?>><label for="list_<?cs var:l.Key ?>"><?cs var:l.Label ?></label></li>
      <?cs /if ?>
    <?cs /each ?>
    </ul>
    <?cs if:Prefs.Matrix == "1" ?>
    <input type="hidden" name="matrix" value="1">
    <?cs call:prefs_matrix("0") ?>
    <p class="hint">Sign in to change text-message choices or your phone number.</p>
    <?cs /if ?>
    <button type="submit">Save preferences</button>
  </form>
</section>
<p class="muted">Receipts, account and security messages are still sent: they cannot be switched off.</p>
<?cs call:page_end() ?>
