<?cs # The tenant's home page: who they are and the parts of the portal that exist. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Tenant.Name) ?>
<section class="hero">
  <h1><?cs var:Tenant.Name ?></h1>
  <p class="lead"><?cs if:Brand.Tagline ?><?cs var:Brand.Tagline ?><?cs else ?>Customer portal<?cs /if ?></p>
  <?cs if:Brand.Welcome ?><p class="welcome"><?cs var:Brand.Welcome ?></p><?cs /if ?>
</section>
<?cs if:subcount(Home.Links) > 0 ?>
<section aria-labelledby="start">
  <h2 id="start">Where to start</h2>
  <ul class="cards">
  <?cs each:link = Home.Links ?>
    <li class="card"><a href="<?cs var:link.Href ?>"><?cs var:link.Label ?></a><p><?cs var:link.Desc ?></p></li>
  <?cs /each ?>
  </ul>
</section>
<?cs /if ?>
<?cs if:Brand.SupportEmail ?>
<section aria-labelledby="contact">
  <h2 id="contact">Contact</h2>
  <p>Write to <a href="mailto:<?cs var:url_escape(Brand.SupportEmail) ?>"><?cs var:Brand.SupportEmail ?></a>.</p>
</section>
<?cs /if ?>
<?cs call:page_end() ?>
