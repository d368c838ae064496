-- The help center's popular list (/help, /api/kb/popular) from its
-- indexes, as 0028 meant it to be.
--
-- Its limit is a parameter the planner cannot see, which it takes for a
-- tenth of the rows.  So the generic plan joined every kb_popular row of
-- the tenant to its article and sorted them, and read every published
-- article's date for the newest ones: 1-2.7 ms on the data set's tenants
-- and the 10,000-article one.  The popular side now checks each row's
-- article as it walks kb_popular_views (the statement's change), and the
-- newest side walks this index, which carries the id and so is read
-- alone, in order, for as many rows as the page needs: 0.13-0.25 ms on
-- every tenant.  It replaces kb_articles_recent, a prefix of it.
CREATE INDEX kb_articles_newest ON kb_articles
    (tenant_id, status, published_at DESC NULLS LAST, id);
DROP INDEX kb_articles_recent;
