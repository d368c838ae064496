<?cs # RSS 2.0 feed of incidents and completed maintenance. ?>
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title><?cs var:Feed.Title ?></title>
<link><?cs var:Feed.Origin ?>/status</link>
<description>Incidents and maintenance of <?cs var:Tenant.Name ?></description>
<?cs each:i = Items ?>
<item>
<title><?cs var:i.Name ?></title>
<link><?cs var:Feed.Origin ?>/status/incidents/<?cs var:i.Id ?></link>
<guid isPermaLink="false"><?cs var:Feed.PageId ?>:<?cs var:i.Id ?></guid>
<description><?cs var:i.Day ?>. <?cs var:i.Latest ?>: <?cs var:i.Body ?></description>
</item>
<?cs /each ?>
</channel>
</rss>
