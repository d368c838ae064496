<?cs # The survey pages without a form: thanks, already answered, expired, unknown link, staff refused. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="survey survey-done">
<?cs if:Survey.State == "thanks" ?>
  <h1>Thank you!</h1>
  <p>Your answer is recorded. It helps <?cs var:Tenant.Name ?> do better.</p>
<?cs elif:Survey.State == "answered" ?>
  <h1>Already answered</h1>
  <p>This survey has been answered already, so nothing was changed. Thank you for your feedback.</p>
<?cs elif:Survey.State == "expired" ?>
  <h1>This survey has closed</h1>
  <p>The link in your mail worked for 14 days and has expired. If there is something you would like to tell <?cs var:Tenant.Name ?>, please contact support.</p>
<?cs elif:Survey.State == "staff" ?>
  <h1>Staff cannot answer</h1>
  <p>You are signed in as a member of the support team. A customer's survey can only be answered by the customer, so this form is not shown to you.</p>
<?cs else ?>
  <h1>We could not find this survey</h1>
  <p>The link may be incomplete. Please open it again from your mail, in full.</p>
<?cs /if ?>
  <p><a href="/">Back to <?cs var:Tenant.Name ?></a></p>
</section>
<?cs call:page_end() ?>
