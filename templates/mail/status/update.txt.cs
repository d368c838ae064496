<?cs # An incident or maintenance update for a status subscriber (text part). ?>
<?cs var:Status.Name ?>
<?cs var:Status.StateLabel ?><?cs if:Status.Kind == "maintenance" && Status.From ?>, scheduled <?cs var:Status.From ?> to <?cs var:Status.Until ?> UTC<?cs /if ?>

<?cs var:Status.Body ?>
<?cs if:Status.Components ?>
Affects: <?cs var:Status.Components ?><?cs /if ?>

Follow it: <?cs var:Status.IncidentUrl ?>

You get this because you subscribed to status updates from <?cs var:Tenant.Name ?>.
Unsubscribe: <?cs var:Mail.UnsubscribeUrl ?>
