<?cs # Staff survey page: headline metrics, SVG charts drawn on the server with n beside each bar, follow-ups, answers, export, settings. ?>
<?cs include:"layout.cs" ?>
<?cs def:bar_chart(c, title) ?>
<figure class="survey-chart">
<figcaption><?cs var:title ?></figcaption>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 <?cs var:c.Width ?> <?cs var:c.Height ?>" role="img" aria-label="<?cs var:title ?>">
<?cs each:g = c.Grid ?><line x1="<?cs var:c.Left ?>" x2="<?cs var:c.Right ?>" y1="<?cs var:g.Y ?>" y2="<?cs var:g.Y ?>" stroke="#d5dae1" stroke-width="1"/><text x="<?cs var:c.LabelX ?>" y="<?cs var:g.TextY ?>" text-anchor="end" font-size="11" fill="#5b6472"><?cs var:g.Label ?></text>
<?cs /each ?><line x1="<?cs var:c.Left ?>" x2="<?cs var:c.Right ?>" y1="<?cs var:c.ZeroY ?>" y2="<?cs var:c.ZeroY ?>" stroke="#5b6472" stroke-width="1"/>
<?cs each:b = c.Bars ?><?cs if:b.Has ?><rect x="<?cs var:b.X ?>" y="<?cs var:b.Y ?>" width="<?cs var:b.W ?>" height="<?cs var:b.H ?>" fill="#1f5fbf"><title><?cs var:b.Label ?>: <?cs var:b.Value ?> (n=<?cs var:b.N ?>)</title></rect><?cs /if ?>
<text x="<?cs var:b.Cx ?>" y="<?cs var:b.TextY ?>" text-anchor="middle" font-size="11" fill="#1d2430"><?cs var:b.Value ?></text>
<text x="<?cs var:b.Cx ?>" y="<?cs var:b.LabelY ?>" text-anchor="middle" font-size="11" fill="#1d2430"><?cs var:b.Label ?></text>
<text x="<?cs var:b.Cx ?>" y="<?cs var:b.NY ?>" text-anchor="middle" font-size="11" fill="#5b6472">n=<?cs var:b.N ?></text>
<?cs /each ?><?cs if:c.Count == 0 ?><text x="<?cs var:c.MidX ?>" y="<?cs var:c.MidY ?>" text-anchor="middle" font-size="13" fill="#5b6472">No surveys in this period</text><?cs /if ?>
</svg>
</figure>
<?cs /def ?>
<?cs call:page_start(Page.Title) ?>
<h1>Surveys</h1>
<?cs if:Surveys.Saved ?><p class="notice" role="status">Saved.</p><?cs /if ?>
<form method="get" action="/staff/surveys" class="survey-window">
  <label for="days">Surveys sent in the last</label>
  <input id="days" name="days" type="number" min="1" max="3650" value="<?cs var:Surveys.Days ?>"> days
  <button type="submit">Show</button>
</form>

<section class="survey-sums" aria-label="Summary">
  <div><h2>CSAT</h2>
    <p class="big"><?cs if:Surveys.Sum.csat.Csat ?><?cs var:Surveys.Sum.csat.Csat ?>%<?cs else ?>no data<?cs /if ?></p>
    <p>n=<?cs alt:Surveys.Sum.csat.N ?>0<?cs /alt ?> of <?cs alt:Surveys.Sum.csat.Sent ?>0<?cs /alt ?> sent · response rate <?cs alt:Surveys.Sum.csat.Rate ?>–<?cs /alt ?>%<?cs if:Surveys.Sum.csat.Average ?> · average <?cs var:Surveys.Sum.csat.Average ?><?cs /if ?></p></div>
  <div><h2>NPS</h2>
    <p class="big"><?cs if:Surveys.Sum.nps.Nps ?><?cs var:Surveys.Sum.nps.Nps ?><?cs else ?>no data<?cs /if ?></p>
    <p>n=<?cs alt:Surveys.Sum.nps.N ?>0<?cs /alt ?> of <?cs alt:Surveys.Sum.nps.Sent ?>0<?cs /alt ?> sent · response rate <?cs alt:Surveys.Sum.nps.Rate ?>–<?cs /alt ?>% · promoters <?cs alt:Surveys.Sum.nps.Promoters ?>0<?cs /alt ?>, passives <?cs alt:Surveys.Sum.nps.Passives ?>0<?cs /alt ?>, detractors <?cs alt:Surveys.Sum.nps.Detractors ?>0<?cs /alt ?></p></div>
  <?cs each:t = Surveys.Sum ?><?cs if:name(t) == "product" || name(t) == "onboarding" ?><div><h2><?cs var:name(t) ?></h2>
    <p class="big"><?cs alt:t.Average ?>no data<?cs /alt ?></p>
    <p>average · n=<?cs var:t.N ?> of <?cs var:t.Sent ?> sent · response rate <?cs alt:t.Rate ?>–<?cs /alt ?>%</p></div><?cs /if ?><?cs /each ?>
</section>

<section class="survey-charts">
<?cs call:bar_chart(Surveys.Chart.Csat, "CSAT % by month") ?>
<?cs call:bar_chart(Surveys.Chart.Nps, "NPS by quarter") ?>
<?cs call:bar_chart(Surveys.Chart.Rate, "Response rate by month (all surveys; n = sent)") ?>
</section>

<section id="followups">
<h2>Follow-up queue (<?cs var:Surveys.FollowupCount ?>)</h2>
<?cs if:Surveys.FollowupCount == 0 ?><p>Nothing to follow up.</p><?cs /if ?>
<?cs each:f = Surveys.Followups ?>
<article class="survey-followup" id="f-<?cs var:f.Id ?>">
  <p><strong><?cs var:f.Score ?>/<?cs var:f.Max ?></strong> · <?cs var:f.Type ?> · <?cs var:f.Email ?><?cs if:f.Reference ?> · <?cs var:f.Reference ?><?cs /if ?> · <?cs var:f.Answered ?></p>
  <?cs if:f.Comment ?><blockquote><?cs var:f.Comment ?></blockquote><?cs /if ?>
  <form method="post" action="/staff/surveys/<?cs var:url_escape(f.Id) ?>/followup">
    <?cs call:csrf_field() ?>
    <label for="note-<?cs var:f.Id ?>">Note</label>
    <textarea id="note-<?cs var:f.Id ?>" name="note" rows="2" maxlength="2000"><?cs var:f.Note ?></textarea>
    <label><input type="checkbox" name="done" value="1"> Done</label>
    <button type="submit">Save</button>
  </form>
</article>
<?cs /each ?>
</section>

<section id="answers">
<h2>Answers (<?cs var:Surveys.AnswerTotal ?>)</h2>
<table class="survey-answers">
<thead><tr><th scope="col">Answered</th><th scope="col">Type</th><th scope="col">Score</th><th scope="col">Customer</th><th scope="col">Reference</th><th scope="col">Comment</th></tr></thead>
<tbody>
<?cs each:a = Surveys.Answers ?><tr><td><?cs var:a.Answered ?></td><td><?cs var:a.Type ?></td><td><?cs var:a.Score ?>/<?cs var:a.Max ?><?cs if:a.Followup == "open" ?> (follow-up)<?cs elif:a.Followup == "done" ?> (followed up)<?cs /if ?></td><td><?cs var:a.Email ?></td><td><?cs var:a.Reference ?></td><td class="comment"><?cs var:a.Comment ?></td></tr>
<?cs /each ?></tbody>
</table>
<p><?cs if:Surveys.Prev ?><a href="/staff/surveys?days=<?cs var:Surveys.Days ?>&amp;page=<?cs var:Surveys.Prev ?>#answers">Newer</a><?cs /if ?>
<?cs if:Surveys.Next ?><a href="/staff/surveys?days=<?cs var:Surveys.Days ?>&amp;page=<?cs var:Surveys.Next ?>#answers">Older</a><?cs /if ?></p>
</section>

<section id="export">
<h2>Export answers</h2>
<form method="get" action="/staff/surveys/export.csv">
  <label for="from">From</label> <input id="from" name="from" type="date" required>
  <label for="to">To</label> <input id="to" name="to" type="date" required>
  <button type="submit">Download CSV</button>
</form>
</section>

<?cs if:User.Role == "admin" ?>
<section id="settings">
<h2>Settings</h2>
<form method="post" action="/staff/surveys/settings">
  <?cs call:csrf_field() ?>
  <p><label for="csat_delay_hours">Send CSAT surveys this many hours after the support interaction</label>
  <input id="csat_delay_hours" name="csat_delay_hours" type="number" min="0" max="720" value="<?cs var:Surveys.Settings.DelayHours ?>"></p>
  <p><label><input type="checkbox" name="nps_quarterly" value="1"<?cs if:Surveys.Settings.NpsQuarterly ?> checked<?cs /if ?>> Send the NPS survey to every active customer each quarter</label></p>
  <?cs each:q = Surveys.Settings.Q ?>
  <p><label for="q_<?cs var:q.Type ?>">Question of <?cs var:q.Type ?> surveys</label>
  <input id="q_<?cs var:q.Type ?>" name="q_<?cs var:q.Type ?>" maxlength="300" value="<?cs var:q.Question ?>" placeholder="<?cs var:q.Default ?>"></p>
  <?cs /each ?>
  <p><button type="submit">Save settings</button></p>
</form>
</section>
<?cs /if ?>
<?cs call:page_end() ?>
