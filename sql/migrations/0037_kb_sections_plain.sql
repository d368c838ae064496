-- Sections kept uncompressed up to a full page.  Every search ranks each
-- section of its page's hits (ts_rank of the section's vector, for the
-- snippet), and PostgreSQL compressed every row over 2 KB (the default
-- toast_tuple_target) with pglz.  On a tsvector that gains next to
-- nothing (1,106 -> 1,104 bytes on average on the 2,000-article data
-- set, where 5,565 of 13,058 sections were compressed), and it is undone
-- at every read: picking the best sections of the bench's 8 searches took
-- 1,166 / 1,200 / 1,233 us with the rows as they were and 700 / 733 / 766
-- uncompressed.  The table grows by about a tenth (29.6 -> 32.8 MB there).
-- A row is compressed (and then moved out of line) only past 8,160 bytes.
ALTER TABLE kb_sections SET (toast_tuple_target = 8160);

-- The rows there are, tenant by tenant (row-level security binds this
-- role): writing body again computes tsv again, uncompressed.
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        UPDATE kb_sections SET body = body;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
