<?cs # Backup codes, shown once after setting up or making new ones. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="narrow">
  <h1>Your backup codes</h1>
  <?cs if:Codes.Notice ?><p class="notice" role="status"><?cs var:Codes.Notice ?></p><?cs /if ?>
  <p>If you lose your phone, each of these codes signs you in once. Keep them somewhere safe: they are shown only now.</p>
  <ul class="codes" id="backup-codes">
  <?cs each:c = Codes.List ?>
    <li><code><?cs var:c ?></code></li>
  <?cs /each ?>
  </ul>
  <p><a href="<?cs var:Codes.Next ?>">I have saved my codes, continue</a></p>
</section>
<?cs call:page_end() ?>
