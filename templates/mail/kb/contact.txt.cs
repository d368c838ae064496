<?cs # A reader's help request from a search that found nothing, to the tenant's support address (text part). ?>
<?cs var:Contact.Name ?> (<?cs var:Contact.Email ?>) asked for help on the <?cs var:Tenant.Name ?> help center.
<?cs if:Contact.Query ?>
Their search "<?cs var:Contact.Query ?>" found nothing.
<?cs /if ?>
<?cs var:Contact.Message ?>

Answer them at <?cs var:Contact.Email ?>.
All requests: <?cs var:Contact.ReportUrl ?> (request <?cs var:Contact.Id ?>)
