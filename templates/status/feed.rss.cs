<?cs # RSS 2.0 feed of incidents and completed maintenance. ?>
<?cs # Readers take <description> as HTML once the XML is parsed: its text is escaped for HTML, then for XML. ?>
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title><?cs var:Feed.Title ?></title>
<link><?cs var:Feed.Origin ?>/status</link>
<description>Incidents and maintenance of <?cs var:html_escape(html_escape(Tenant.Name)) ?></description>
<?cs each:i = Items ?>
<item>
<title><?cs var:i.Name ?></title>
<link><?cs var:Feed.Origin ?>/status/incidents/<?cs var:i.Id ?></link>
<guid isPermaLink="false"><?cs var:Feed.PageId ?>:<?cs var:i.Id ?></guid>
<description><?cs var:html_escape(html_escape(i.Day)) ?>. <?cs var:html_escape(html_escape(i.Latest)) ?>: <?cs var:html_escape(html_escape(i.Body)) ?></description>
</item>
<?cs /each ?>
</channel>
</rss>
