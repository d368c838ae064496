<?cs # A daily or weekly digest: the held messages of one category for one recipient (HTML part). ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<h1 style="font-size:20px;margin:0 0 12px">Your <?cs var:Digest.Period ?> digest: <?cs var:Digest.Label ?></h1>
<p><?cs var:Digest.Count ?> message<?cs if:Digest.Count != "1" ?>s<?cs /if ?> since <?cs var:Digest.Since ?>.</p>
<?cs each:i = Digest.Items ?>
<h2 style="font-size:16px;margin:18px 0 4px"><?cs var:i.subject ?></h2>
<p style="color:#5b6472;font-size:12px;margin:0 0 6px"><?cs var:i.at ?> UTC</p>
<p style="white-space:pre-line;margin:0"><?cs var:i.text ?></p>
<?cs /each ?>
<?cs if:Digest.More ?><p>And <?cs var:Digest.More ?> more.</p><?cs /if ?>
<p style="font-size:12px;color:#5b6472">You chose a <?cs var:Digest.Period ?> digest for this kind of mail. <a href="<?cs var:Mail.UnsubscribeUrl ?>">Unsubscribe or change how often</a></p>
<?cs call:mail_end() ?>
