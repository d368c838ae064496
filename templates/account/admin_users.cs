<?cs # Admin: the tenant's users and their sessions. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1>Users</h1>
<?cs if:Users.Notice ?><p class="notice" role="status"><?cs var:Users.Notice ?></p><?cs /if ?>
<table>
  <thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Active sessions</th><th scope="col">Two-factor</th><th scope="col"><span class="sr">Action</span></th></tr></thead>
  <tbody>
  <?cs each:u = Users.List ?>
    <tr><td><?cs var:u.Email ?></td><td><?cs var:u.Name ?></td><td><?cs var:u.Role ?></td><td><?cs var:u.Status ?></td><td><?cs var:u.Sessions ?></td><td><?cs if:u.TwoFactor == "1" ?>On<?cs else ?>Off<?cs /if ?></td>
    <td><?cs if:u.Sessions > 0 ?><form method="post" action="/admin/users/<?cs var:url_escape(u.Id) ?>/sessions/end"><?cs call:csrf_field() ?><button type="submit" class="secondary">End all sessions</button></form><?cs /if ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs call:page_end() ?>
