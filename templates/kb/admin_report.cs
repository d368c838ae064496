<?cs # Staff: the help center's numbers: articles, views, votes, top and zero-result searches. ?>
<?cs include:"layout.cs" ?>
<?cs def:kb_reasons(rs) ?><?cs if:subcount(rs) > 0 ?><ul class="kb-reasons"><?cs each:x = rs ?><li><?cs var:x ?></li><?cs /each ?></ul><?cs /if ?><?cs /def ?>
<?cs call:page_start(Page.Title) ?>
<h1>Help center report</h1>
<ul class="kb-stats">
  <li><strong><?cs var:Kb.Stats.Articles.published ?></strong> published, <?cs var:Kb.Stats.Articles.draft ?> drafts, <?cs var:Kb.Stats.Articles.archived ?> archived</li>
  <li><strong><?cs var:Kb.Stats.Views ?></strong> views and <strong><?cs var:Kb.Stats.Searches ?></strong> searches in the last 30 days</li>
  <li><strong><?cs var:Kb.Stats.Helpful ?></strong> helpful and <strong><?cs var:Kb.Stats.NotHelpful ?></strong> not helpful votes<?cs if:Kb.Stats.Ratio ?> (<?cs var:Kb.Stats.Ratio ?>% helpful)<?cs /if ?></li>
</ul>
<section aria-labelledby="r-top"><h2 id="r-top">Top searches (30 days)</h2>
<?cs if:subcount(Kb.Top) > 0 ?>
<table class="kb-admin"><thead><tr><th scope="col">Query</th><th scope="col">Searches</th><th scope="col">Results</th><th scope="col">Clicks</th><th scope="col">Synonyms that fire</th></tr></thead><tbody>
<?cs each:s = Kb.Top ?><tr><td><a href="/help/search?q=<?cs var:url_escape(s.query) ?>"><?cs var:s.query ?></a></td><td><?cs var:s.searches ?></td><td><?cs var:s.results ?></td><td><?cs var:s.clicks ?></td><td><?cs each:g = s.synonyms ?><?cs if:!first(g) ?>; <?cs /if ?><?cs var:g ?><?cs /each ?></td></tr><?cs /each ?>
</tbody></table>
<?cs else ?><p>No searches yet.</p><?cs /if ?>
</section>
<section aria-labelledby="r-zero"><h2 id="r-zero">Searches with no results</h2>
<?cs if:subcount(Kb.Zero) > 0 ?>
<table class="kb-admin"><thead><tr><th scope="col">Query</th><th scope="col">Searches</th><th scope="col">Contact requests</th><th scope="col">Synonyms that fire</th></tr></thead><tbody>
<?cs each:s = Kb.Zero ?><tr><td><?cs var:s.query ?></td><td><?cs var:s.searches ?></td><td><?cs if:s.requests > 0 ?><a href="/staff/help/requests?q=<?cs var:url_escape(s.query) ?>"><?cs var:s.requests ?> request<?cs if:s.requests != 1 ?>s<?cs /if ?></a><?cs else ?>none<?cs /if ?></td><td><?cs each:g = s.synonyms ?><?cs if:!first(g) ?>; <?cs /if ?><?cs var:g ?><?cs /each ?></td></tr><?cs /each ?>
</tbody></table>
<?cs else ?><p>Every search found something.</p><?cs /if ?>
</section>
<section aria-labelledby="r-most"><h2 id="r-most">Most helpful</h2>
<ol><?cs each:a = Kb.Most ?><li><a href="<?cs var:a.url ?>"><?cs var:a.title ?></a>: <?cs var:a.helpful_percent ?>% of <?cs var:a.votes ?> vote<?cs if:a.votes != 1 ?>s<?cs /if ?><?cs call:kb_reasons(a.reasons) ?></li><?cs /each ?></ol>
</section>
<section aria-labelledby="r-least"><h2 id="r-least">Least helpful</h2>
<ol><?cs each:a = Kb.Least ?><li><a href="<?cs var:a.url ?>"><?cs var:a.title ?></a>: <?cs var:a.helpful_percent ?>% of <?cs var:a.votes ?> vote<?cs if:a.votes != 1 ?>s<?cs /if ?><?cs call:kb_reasons(a.reasons) ?></li><?cs /each ?></ol>
</section>
<section aria-labelledby="r-feedback"><h2 id="r-feedback">What readers said</h2>
<?cs if:subcount(Kb.Feedback) > 0 ?>
<ul class="kb-feedback"><?cs each:f = Kb.Feedback ?><li><a href="<?cs var:f.url ?>"><?cs var:f.title ?></a> (<?cs if:f.helpful == "1" ?>helpful<?cs else ?>not helpful<?cs /if ?>, <?cs var:f.created_at ?>): <?cs var:f.reason ?></li><?cs /each ?></ul>
<?cs else ?><p>No reasons given yet.</p><?cs /if ?>
</section>
<?cs call:page_end() ?>
