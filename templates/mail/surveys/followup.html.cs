<?cs # Notice to the tenant's support address of a low survey score to follow up (HTML part). ?>
<?cs include:"mail/_layout.cs" ?>
<?cs call:mail_start(Mail.Subject) ?>
<p>A customer gave a low score and is waiting for a follow-up.</p>
<table role="presentation" cellpadding="4" cellspacing="0">
<tr><td>Customer</td><td><?cs var:Followup.Email ?></td></tr>
<tr><td>Survey</td><td><?cs var:Followup.Type ?></td></tr>
<tr><td>Score</td><td><strong><?cs var:Followup.Score ?></strong> of <?cs var:Followup.Max ?></td></tr>
<?cs if:Followup.Reference ?><tr><td>Reference</td><td><?cs var:Followup.Reference ?></td></tr><?cs /if ?>
</table>
<?cs if:Followup.Comment ?><p>Their comment:</p>
<blockquote style="margin:0 0 16px;padding:8px 12px;border-left:3px solid #8a94a3;white-space:pre-wrap"><?cs var:Followup.Comment ?></blockquote><?cs /if ?>
<p><a href="<?cs var:Followup.Url ?>">Open the follow-up queue</a></p>
<?cs call:mail_end() ?>
