<?cs # An incident or maintenance update for a status subscriber (HTML part). ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<h1><?cs var:Status.Name ?></h1>
<p><strong><?cs var:Status.StateLabel ?></strong><?cs if:Status.Kind == "maintenance" && Status.From ?> · scheduled <?cs var:Status.From ?> to <?cs var:Status.Until ?> UTC<?cs /if ?></p>
<p><?cs var:Status.Body ?></p>
<?cs if:Status.Components ?><p>Affects: <?cs var:Status.Components ?></p><?cs /if ?>
<p><a href="<?cs var:Status.IncidentUrl ?>">Follow this <?cs if:Status.Kind == "maintenance" ?>maintenance<?cs else ?>incident<?cs /if ?></a></p>
<p>You get this because you subscribed to status updates from <?cs var:Tenant.Name ?>. <a href="<?cs var:Mail.UnsubscribeUrl ?>">Unsubscribe</a></p>
<?cs call:mail_end() ?>
