<?cs # A reader's help request from a search that found nothing, to the tenant's support address (HTML part). ?>
<!doctype html>
<html lang="en"><body>
<p><?cs var:Contact.Name ?> (<?cs var:Contact.Email ?>) asked for help on the <?cs var:Tenant.Name ?> help center.</p>
<?cs if:Contact.Query ?><p>Their search &ldquo;<?cs var:Contact.Query ?>&rdquo; found nothing.</p><?cs /if ?>
<blockquote><p><?cs var:Contact.Message ?></p></blockquote>
<p>Answer them at <?cs var:Contact.Email ?>. All requests: <a href="<?cs var:Contact.ReportUrl ?>"><?cs var:Contact.ReportUrl ?></a> (request <?cs var:Contact.Id ?>).</p>
</body></html>
