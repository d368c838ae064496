<?cs # A test message of the queue (text part). ?>
<?cs # Plain text: values go out as they are, since text/plain is never read as HTML.  An escape block does not reach into if or each: each opens its own. ?><?cs escape:"none" ?>
Hello<?cs if:Mail.ToName ?><?cs escape:"none" ?> <?cs var:Mail.ToName ?><?cs /escape ?><?cs /if ?>,

This is a test message from <?cs var:Tenant.Name ?> about "<?cs var:Mail.Subject ?>".

Visit <?cs var:Tenant.Name ?>: <?cs var:Tenant.Origin ?>/<?cs /escape ?>
