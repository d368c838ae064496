<?cs # Setting up two-factor sign-in: the QR code, the secret as text, the first code. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="narrow">
  <h1>Set up two-factor sign-in</h1>
  <?cs include:"twofa/_enrol.cs" ?>
  <p><a href="/account/security">Cancel</a></p>
</section>
<?cs call:page_end() ?>
