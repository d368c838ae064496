<?cs # Staff: contact requests sent from searches that found nothing, newest first, optionally of one search. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<h1><?cs var:Page.Title ?><?cs if:Kb.Query ?> after &ldquo;<?cs var:Kb.Query ?>&rdquo;<?cs /if ?></h1>
<p><?cs var:Kb.Total ?> request<?cs if:Kb.Total != 1 ?>s<?cs /if ?>.<?cs if:Kb.Query ?> <a href="/staff/help/requests">All requests</a><?cs /if ?></p>
<?cs if:subcount(Kb.Requests) > 0 ?>
<table class="kb-admin"><thead><tr><th scope="col">Sent</th><th scope="col">From</th><th scope="col">Search</th><th scope="col">Message</th><th scope="col">Mailed</th></tr></thead><tbody>
<?cs each:q = Kb.Requests ?>
<tr><td><?cs var:q.Created ?></td><td><?cs var:q.Name ?> &lt;<a href="mailto:<?cs var:url_escape(q.Email) ?>"><?cs var:q.Email ?></a>&gt;</td>
<td><?cs if:q.Query ?><a href="/help/search?q=<?cs var:url_escape(q.Query) ?>"><?cs var:q.Query ?></a><?cs /if ?></td>
<td><?cs var:q.Message ?></td><td><?cs if:q.Mailed ?>yes<?cs else ?>no support address<?cs /if ?></td></tr>
<?cs /each ?>
</tbody></table>
<?cs /if ?>
<?cs call:page_end() ?>
