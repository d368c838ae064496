<?cs # The "this wasn't me" link from a new sign-in alert: confirm, then act on POST. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="narrow">
  <h1>Was this you?</h1>
  <p>Someone signed in to your account with <strong><?cs var:NotMe.Browser ?> <?cs var:NotMe.Version ?> on <?cs var:NotMe.Os ?></strong> from IP <?cs var:NotMe.Ip ?> at <?cs var:NotMe.When ?>.</p>
  <p>If it was not you, we will sign out every session of your account and email you a link to choose a new password.</p>
  <form method="post" action="/account/not-me/<?cs var:url_escape(NotMe.Token) ?>">
    <?cs call:csrf_field() ?>
    <button type="submit">This wasn't me: secure my account</button>
  </form>
</section>
<?cs call:page_end() ?>
