<?cs # "Contact support" from a search that found nothing: name, email, message, the failed search attached; then thanks. Never indexed. ?>
<?cs include:"layout.cs" ?>
<?cs include:"kb/_macros.cs" ?>
<?cs call:page_start(Page.Title) ?>
<nav class="kb-crumbs" aria-label="Breadcrumb"><ol><li><a href="/help">Help center</a></li><li aria-current="page">Contact support</li></ol></nav>
<h1><?cs var:Page.Title ?></h1>
<?cs if:Kb.Sent ?>
<p class="notice" role="status">Thank you. Your message is with our support team; we will answer by email.</p>
<p><a href="/help">Back to the help center</a></p>
<?cs else ?>
<p>Tell us what you were looking for and we will answer by email.<?cs if:Kb.Query ?> Your search &ldquo;<?cs var:Kb.Query ?>&rdquo; goes with your message.<?cs /if ?></p>
<form method="post" action="/help/contact" class="kb-edit kb-contact-form">
  <?cs call:csrf_field() ?>
  <?cs if:Kb.Query ?><input type="hidden" name="q" value="<?cs var:Kb.Query ?>"><?cs /if ?>
  <p><label for="ct-name">Your name</label>
  <input id="ct-name" name="name" required maxlength="120" autocomplete="name"></p>
  <p><label for="ct-email">Your email address</label>
  <input id="ct-email" name="email" type="email" required maxlength="254" autocomplete="email"></p>
  <p><label for="ct-message">Your question</label>
  <textarea id="ct-message" name="message" required rows="6" maxlength="5000"></textarea></p>
  <p><button type="submit">Send to support</button></p>
</form>
<?cs /if ?>
<?cs call:page_end() ?>
