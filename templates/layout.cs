<?cs # The one layout: page head with the tenant's brand, one navigation per role, footer, and form macros. ?>
<?cs def:csrf_field() ?><input type="hidden" name="csrf_token" value="<?cs var:Session.Csrf ?>"><?cs /def ?>

<?cs # One main-navigation link (href one path segment); marked current when the page is at or under href: Req.Section is the page's first segment. ?>
<?cs def:nav_link(href, label) ?><li><a href="<?cs var:href ?>"<?cs if:Req.Section == href ?> aria-current="page"<?cs /if ?>><?cs var:label ?></a></li><?cs /def ?>

<?cs # The main navigation: the same on every page for a given role (anonymous, customer, staff). ?>
<?cs def:main_nav() ?>
    <nav class="main" aria-label="Main">
      <ul>
        <?cs call:nav_link("/", "Home") ?>
        <?cs call:nav_link("/help", "Help center") ?>
        <?cs call:nav_link("/status", "System status") ?>
        <?cs if:User.Email ?>
        <?cs if:User.IsStaff ?><?cs call:nav_link("/admin", "Staff") ?><?cs /if ?>
        <?cs call:nav_link("/account", "Account") ?>
        <li><form method="post" action="/logout" class="signout"><?cs call:csrf_field() ?><button type="submit" class="link">Sign out</button></form></li>
        <?cs else ?>
        <?cs call:nav_link("/login", "Sign in") ?>
        <?cs /if ?>
      </ul>
    </nav>
<?cs /def ?>

<?cs def:page_start(title) ?><!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:title ?><?cs if:Tenant.Name && title != Tenant.Name ?> · <?cs var:Tenant.Name ?><?cs /if ?></title>
<?cs if:Page.Description ?><meta name="description" content="<?cs var:Page.Description ?>"><?cs /if ?>
<?cs if:Page.NoIndex ?><meta name="robots" content="noindex"><?cs /if ?>
<link rel="icon" href="<?cs if:Brand.Icon ?><?cs var:Brand.Icon ?><?cs else ?>/favicon.ico<?cs /if ?>">
<link rel="stylesheet" href="/static/css/site.css">
<?cs if:Brand.Css ?><link rel="stylesheet" href="<?cs var:Brand.Css ?>"><?cs /if ?>
<?cs if:Page.Canonical ?><link rel="canonical" href="<?cs var:Page.Canonical ?>"><?cs /if ?>
<?cs each:m = Page.Meta ?><meta property="<?cs var:m.Property ?>" content="<?cs var:m.Content ?>">
<?cs /each ?><?cs each:l = Page.Links ?><link rel="<?cs var:l.Rel ?>" href="<?cs var:l.Href ?>"<?cs if:l.Hreflang ?> hreflang="<?cs var:l.Hreflang ?>"<?cs /if ?><?cs if:l.Type ?> type="<?cs var:l.Type ?>"<?cs /if ?><?cs if:l.Title ?> title="<?cs var:l.Title ?>"<?cs /if ?>>
<?cs /each ?></head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
  <div class="wrap">
    <a class="brand" href="/"><?cs if:Brand.Logo ?><img class="logo" src="<?cs var:Brand.Logo ?>" alt="<?cs if:Tenant.Name ?><?cs var:Tenant.Name ?><?cs else ?>mPanel<?cs /if ?>" height="40"><?cs elif:Tenant.Name ?><?cs var:Tenant.Name ?><?cs else ?>mPanel<?cs /if ?></a>
    <?cs call:main_nav() ?>
  </div>
</header>
<?cs set:Layout.Section = 0 ?><?cs each:item = Nav ?><?cs if:item.Href != "/" && item.Href != "/help" && item.Href != "/status" ?><?cs set:Layout.Section = 1 ?><?cs /if ?><?cs /each ?>
<?cs if:Layout.Section == 1 ?>
<nav class="section wrap" aria-label="Section">
  <ul>
  <?cs each:item = Nav ?><?cs if:item.Href != "/" && item.Href != "/help" && item.Href != "/status" ?><li><a href="<?cs var:item.Href ?>"<?cs if:item.Current ?> aria-current="page"<?cs /if ?>><?cs var:item.Label ?></a></li><?cs /if ?><?cs /each ?>
  </ul>
</nav>
<?cs /if ?>
<main id="main" class="wrap">
<?cs /def ?>

<?cs def:page_end() ?>
</main>
<footer class="site">
  <div class="wrap">
    <?cs if:subcount(Brand.Footer) > 0 ?><ul class="footer-links"><?cs each:f = Brand.Footer ?><li><a href="<?cs var:f.Url ?>"><?cs var:f.Label ?></a></li><?cs /each ?></ul><?cs /if ?>
    <?cs if:Brand.SupportEmail || Brand.SupportPhone ?><p class="contact">Support: <?cs if:Brand.SupportEmail ?><a href="mailto:<?cs var:url_escape(Brand.SupportEmail) ?>"><?cs var:Brand.SupportEmail ?></a><?cs /if ?><?cs if:Brand.SupportEmail && Brand.SupportPhone ?> · <?cs /if ?><?cs if:Brand.SupportPhone ?><a href="tel:<?cs var:url_escape(Brand.SupportPhone) ?>"><?cs var:Brand.SupportPhone ?></a><?cs /if ?></p><?cs /if ?>
    <p><?cs if:Brand.Company ?><?cs var:Brand.Company ?> · <?cs elif:Tenant.Name ?><?cs var:Tenant.Name ?> · <?cs /if ?>Powered by mPanel</p>
  </div>
</footer>
</body>
</html>
<?cs /def ?>
