-- Translations: an article may name the article it translates (the
-- original, which is no translation itself).  The original and its
-- translations form a group; each published page of the group links the
-- others (hreflang) and shows them as "in other languages".
ALTER TABLE kb_articles ADD COLUMN translation_of bigint;
ALTER TABLE kb_articles
    ADD FOREIGN KEY (tenant_id, translation_of)
        REFERENCES kb_articles (tenant_id, id),
    ADD CHECK (translation_of IS DISTINCT FROM id);
CREATE INDEX kb_articles_translations ON kb_articles (tenant_id, translation_of)
    WHERE translation_of IS NOT NULL;

-- kb_related_ids (0010) cannot serve the app role: row-level security keeps
-- a non-leakproof operator such as @> from reaching an index, and a
-- tenant's lists are few enough to scan.
DROP INDEX kb_related_ids;
