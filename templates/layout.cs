<?cs # The one layout: page head with the tenant's brand, navigation, footer, and form macros. ?>
<?cs def:csrf_field() ?><input type="hidden" name="csrf_token" value="<?cs var:Session.Csrf ?>"><?cs /def ?>

<?cs def:page_start(title) ?><!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:title ?><?cs if:Tenant.Name && title != Tenant.Name ?> · <?cs var:Tenant.Name ?><?cs /if ?></title>
<?cs if:Page.Description ?><meta name="description" content="<?cs var:Page.Description ?>"><?cs /if ?>
<?cs if:Page.NoIndex ?><meta name="robots" content="noindex"><?cs /if ?>
<link rel="stylesheet" href="/static/css/site.css">
<?cs if:Tenant.Slug ?><link rel="stylesheet" href="/brand/<?cs var:url_escape(Tenant.Slug) ?>.css?v=<?cs var:url_escape(Tenant.BrandVersion) ?>"><?cs /if ?>
<?cs if:Page.Canonical ?><link rel="canonical" href="<?cs var:Page.Canonical ?>"><?cs /if ?>
<?cs each:m = Page.Meta ?><meta property="<?cs var:m.Property ?>" content="<?cs var:m.Content ?>">
<?cs /each ?><?cs each:l = Page.Links ?><link rel="<?cs var:l.Rel ?>" href="<?cs var:l.Href ?>"<?cs if:l.Hreflang ?> hreflang="<?cs var:l.Hreflang ?>"<?cs /if ?><?cs if:l.Type ?> type="<?cs var:l.Type ?>"<?cs /if ?><?cs if:l.Title ?> title="<?cs var:l.Title ?>"<?cs /if ?>>
<?cs /each ?></head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
  <div class="wrap">
    <a class="brand" href="/"><?cs if:Tenant.Name ?><?cs var:Tenant.Name ?><?cs else ?>mPanel<?cs /if ?></a>
    <nav aria-label="Main">
      <ul>
        <?cs each:item = Nav ?><li><a href="<?cs var:item.Href ?>"<?cs if:item.Current ?> aria-current="page"<?cs /if ?>><?cs var:item.Label ?></a></li><?cs /each ?>
        <?cs if:User.Email ?>
        <?cs if:User.IsStaff ?>
        <li><a href="/staff/help">Manage help</a></li>
        <li><a href="/staff/status">Manage status</a></li>
        <li><a href="/admin/notifications">Sent mail</a></li>
        <li><a href="/staff/newsletter">Newsletter</a></li>
        <?cs /if ?>
        <?cs if:User.Role == "admin" ?><li><a href="/admin/users">Users</a></li><?cs /if ?>
        <li><a href="/account">Account</a></li>
        <li><a href="/account/sessions">Sessions</a></li>
        <li><a href="/account/notifications">Notifications</a></li>
        <li><form method="post" action="/logout" class="signout"><?cs call:csrf_field() ?><button type="submit" class="link">Sign out</button></form></li>
        <?cs elif:Tenant.Slug ?>
        <li><a href="/login">Sign in</a></li>
        <?cs /if ?>
      </ul>
    </nav>
  </div>
</header>
<main id="main" class="wrap">
<?cs /def ?>

<?cs def:page_end() ?>
</main>
<footer class="site">
  <div class="wrap">
    <p><?cs if:Tenant.Name ?><?cs var:Tenant.Name ?> · <?cs /if ?>Powered by mPanel</p>
  </div>
</footer>
</body>
</html>
<?cs /def ?>

