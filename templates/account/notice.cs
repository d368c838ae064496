<?cs # A short message after an action: "check your email", "account secured". ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="narrow">
  <h1><?cs var:Notice.Title ?></h1>
  <p role="status"><?cs var:Notice.Message ?></p>
  <p><a href="/">Back to the home page</a></p>
</section>
<?cs call:page_end() ?>
