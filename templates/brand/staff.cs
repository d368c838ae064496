<?cs # The staff landing page: what this member of staff manages, one link each. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Staff</h1>
<p class="lead">Signed in as <?cs var:User.Email ?> (<?cs var:User.Role ?>).</p>
<ul class="staff-items">
<?cs each:item = Staff.Items ?>
  <li class="card"><a href="<?cs var:item.Href ?>"><?cs var:item.Label ?></a><p><?cs var:item.Desc ?></p></li>
<?cs /each ?>
</ul>
<?cs call:page_end() ?>
