<?cs # Atom feed of incidents and completed maintenance. ?>
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title><?cs var:Feed.Title ?></title>
<id>tag:mpanel,2026:status:<?cs var:Feed.PageId ?></id>
<link rel="alternate" type="text/html" href="<?cs var:Feed.Origin ?>/status"/>
<link rel="self" type="application/atom+xml" href="<?cs var:Feed.Origin ?>/status/history.atom"/>
<updated><?cs var:Feed.Updated ?></updated>
<?cs each:i = Items ?>
<entry>
<id>tag:mpanel,2026:status:<?cs var:Feed.PageId ?>:<?cs var:i.Id ?></id>
<title><?cs var:i.Name ?></title>
<link rel="alternate" type="text/html" href="<?cs var:Feed.Origin ?>/status/incidents/<?cs var:i.Id ?>"/>
<published><?cs var:i.Published ?></published>
<updated><?cs var:i.Updated ?></updated>
<author><name><?cs var:Tenant.Name ?></name></author>
<summary type="text"><?cs var:i.Latest ?>: <?cs var:i.Body ?></summary>
</entry>
<?cs /each ?>
</feed>
