<?cs # Notice to the tenant's support address of a low survey score to follow up (text part). ?>
A customer gave a low score and is waiting for a follow-up.

Customer:  <?cs var:Followup.Email ?>
Survey:    <?cs var:Followup.Type ?>
Score:     <?cs var:Followup.Score ?> of <?cs var:Followup.Max ?>
<?cs if:Followup.Reference ?>Reference: <?cs var:Followup.Reference ?>
<?cs /if ?><?cs if:Followup.Comment ?>
Their comment:
<?cs var:Followup.Comment ?>
<?cs /if ?>
Follow-up queue: <?cs var:Followup.Url ?>
