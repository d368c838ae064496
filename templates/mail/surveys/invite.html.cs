<?cs # A survey mail (HTML part): the question and the scale as links, each opening the form with that score chosen. ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>Hello<?cs if:Survey.Name ?> <?cs var:Survey.Name ?><?cs /if ?>,</p>
<p style="font-size:17px;font-weight:bold"><?cs var:Survey.Question ?></p>
<p>Choose a number; it opens a short page where you can add a comment and send your answer.</p>
<table role="presentation" cellpadding="0" cellspacing="4"><tr>
<?cs each:o = Survey.Scale ?><td><a href="<?cs var:o.Url ?>" style="display:inline-block;min-width:36px;padding:10px 0;text-align:center;border:1px solid #8a94a3;border-radius:4px;color:#1d2430;text-decoration:none;font-weight:bold"><?cs var:o.Score ?></a></td>
<?cs /each ?></tr></table>
<p style="font-size:13px;color:#5b6472"><?cs var:Survey.Low ?> &larr; &rarr; <?cs var:Survey.High ?></p>
<p style="font-size:13px;color:#5b6472">Or open the survey: <a href="<?cs var:Survey.Url ?>"><?cs var:Survey.Url ?></a>. It can be answered until <?cs var:Survey.Expires ?>.</p>
<?cs call:mail_end() ?>
