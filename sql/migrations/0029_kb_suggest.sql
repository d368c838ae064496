-- The search box's suggestions (/api/kb/suggest) through an index.
--
-- The titles were matched under row-level security, where the match
-- operator (@@, not LEAKPROOF) cannot be an index condition: every
-- keystroke read and tested each published article of the tenant.  On the
-- 10,000-article tenant that was 7 to 40 ms a keystroke (planned again at
-- every call, too: the folded tsquery always made a custom plan look
-- cheaper).  As mp_kb_search() does (0006), a SECURITY DEFINER function
-- owned by mpanel_search writes the tenant out and matches through a GIN
-- index on (tenant, title); same rows, same order.
CREATE INDEX kb_articles_tenant_title ON kb_articles
    USING gin (tenant_id, title_tsv) WITH (fastupdate = off)
    WHERE status = 'published';
-- Its only reader was the statement above, which could not use it.
DROP INDEX kb_articles_title_tsv;

GRANT SELECT (public_id, slug, title, title_tsv) ON kb_articles
    TO mpanel_search;

-- Up to lim published articles of the caller's tenant (app.tenant_id;
-- unset: none) in locale loc whose title matches the prefix query q (a
-- tsquery in the kb_simple configuration), best title match first.
CREATE FUNCTION mp_kb_suggest(q text, loc text, lim integer)
    RETURNS TABLE (public_id text, slug text, title text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 8
    SET search_path = pg_catalog, public, pg_temp
    SET plan_cache_mode = force_generic_plan
    AS $$
#variable_conflict use_column
DECLARE
    t bigint := public.mp_tenant();
    x tsquery;
BEGIN
    IF t IS NULL OR q IS NULL OR loc IS NULL OR lim IS NULL OR lim < 1 THEN
        RETURN;
    END IF;
    x := to_tsquery('public.kb_simple', q);
    IF numnode(x) = 0 THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT a.public_id, a.slug, a.title
      FROM public.kb_articles a
     WHERE a.tenant_id = t AND a.status = 'published' AND a.locale = loc
       AND a.title_tsv @@ x
     ORDER BY ts_rank(a.title_tsv, x) * a.boost DESC, a.id
     LIMIT lim;
END $$;

GRANT CREATE ON SCHEMA public TO mpanel_search;
ALTER FUNCTION mp_kb_suggest(text, text, integer) OWNER TO mpanel_search;
REVOKE CREATE ON SCHEMA public FROM mpanel_search;
REVOKE ALL ON FUNCTION mp_kb_suggest(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mp_kb_suggest(text, text, integer) TO mpanel_app;
