<?cs # A test message of the queue (text part). ?>
Hello<?cs if:Mail.ToName ?> <?cs var:Mail.ToName ?><?cs /if ?>,

This is a test message from <?cs var:Tenant.Name ?> about "<?cs var:Mail.Subject ?>".

Visit <?cs var:Tenant.Name ?>: <?cs var:Tenant.Origin ?>/
