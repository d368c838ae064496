<?cs # An incident or maintenance update for a status subscriber (text part). ?>
<?cs # Plain text: values go out as they are, since text/plain is never read as HTML.  An escape block does not reach into if or each: each opens its own. ?><?cs escape:"none" ?>
<?cs var:Status.Name ?>
<?cs var:Status.StateLabel ?><?cs if:Status.Kind == "maintenance" && Status.From ?><?cs escape:"none" ?>, scheduled <?cs var:Status.From ?> to <?cs var:Status.Until ?> UTC<?cs /escape ?><?cs /if ?>

<?cs var:Status.Body ?>
<?cs if:Status.Components ?><?cs escape:"none" ?>
Affects: <?cs var:Status.Components ?><?cs /escape ?><?cs /if ?>

Follow it: <?cs var:Status.IncidentUrl ?>

You get this because you subscribed to status updates from <?cs var:Tenant.Name ?>.
Unsubscribe: <?cs var:Status.UnsubscribeUrl ?><?cs /escape ?>
