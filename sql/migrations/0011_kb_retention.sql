-- The daily kb.retention job removes old view and search rows and "did you
-- mean" words that no published article has any more.
GRANT DELETE ON kb_views, kb_searches, kb_words TO mpanel_app;
