<?cs # A test message of the queue (integration tests and the benchmark), in the tenant's mail layout. ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Hello<?cs if:Mail.ToName ?> <?cs var:Mail.ToName ?><?cs /if ?>,</p>
<p>This is a test message from <?cs var:Tenant.Name ?> about &ldquo;<?cs var:Mail.Subject ?>&rdquo;.</p>
<p><a href="<?cs var:Tenant.Origin ?>/">Visit <?cs var:Tenant.Name ?></a></p>
<?cs call:mail_end() ?>
