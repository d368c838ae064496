<?cs # The subscribe form: an email address and which components. ?>
<?cs include:"layout.cs" ?>
<?cs include:"status/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<?cs call:status_css() ?>
<p><a href="/status">&larr; System status</a></p>
<h1>Get status updates by email</h1>
<p>We mail you when an incident is opened or updated and when maintenance is planned. You confirm the address first, and every mail has a link to stop them.</p>
<form method="post" action="/status/subscribe" class="subscribe-form">
  <?cs call:csrf_field() ?>
  <label for="sub-email">Email address</label>
  <input id="sub-email" type="email" name="email" required maxlength="254" autocomplete="email">
  <fieldset>
    <legend>Updates about</legend>
    <label class="inline"><input type="radio" name="scope" value="all" checked> All components</label>
    <label class="inline"><input type="radio" name="scope" value="some"> Only the components I choose:</label>
    <ul class="choices">
    <?cs each:c = Comps ?>
      <li><label class="inline"><input type="checkbox" name="components" value="<?cs var:c.Id ?>"> <?cs var:c.Name ?><?cs if:c.Group ?> <span class="muted">(<?cs var:c.Group ?>)</span><?cs /if ?></label></li>
    <?cs /each ?>
    </ul>
  </fieldset>
  <button type="submit">Subscribe</button>
</form>
<?cs call:page_end() ?>
