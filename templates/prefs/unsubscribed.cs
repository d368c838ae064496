<?cs # The answer to POST /u/{token} (RFC 8058 one-click or the page's button): done, and the way back to the preferences. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>You are unsubscribed</h1>
<p><?cs var:Tenant.Name ?> will send no more <strong><?cs var:Unsub.Label ?></strong> mail (<?cs var:Unsub.Category ?>) to <strong><?cs var:Unsub.Address ?></strong>.</p>
<p>Changed your mind, or want to choose what you get? <a href="<?cs var:Unsub.Back ?>">Manage your email preferences</a>.</p>
<?cs call:page_end() ?>
