<?cs # A survey mail (text part): the question and one link per score. ?>
Hello<?cs if:Survey.Name ?> <?cs var:Survey.Name ?><?cs /if ?>,

<?cs var:Survey.Question ?>
(<?cs var:Survey.Min ?> = <?cs var:Survey.Low ?>, <?cs var:Survey.Max ?> = <?cs var:Survey.High ?>)

Open the link of your score; you can add a comment before you send it:
<?cs each:o = Survey.Scale ?>
  <?cs var:o.Score ?>: <?cs var:o.Url ?><?cs /each ?>

It can be answered until <?cs var:Survey.Expires ?>.

<?cs var:Tenant.Name ?>
