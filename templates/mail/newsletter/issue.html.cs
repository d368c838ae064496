<?cs # One issue of the newsletter (HTML part): the staff's markdown rendered like help articles. ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<?cs # Audited raw output: BodyHtml is the help center's cmark-gfm safe-mode HTML (raw HTML omitted, unsafe URLs emptied), stored with the issue. ?>
<?cs escape:"none" ?><?cs var:News.BodyHtml ?><?cs /escape ?>
<p style="font-size:12px;color:#5b6472">You get this because you subscribed to the <?cs var:Tenant.Name ?> newsletter. <a href="<?cs var:Mail.UnsubscribeUrl ?>">Unsubscribe</a></p>
<?cs call:mail_end() ?>
