-- The article page's links to other articles kept as the page shows them,
-- not worked out at every view.  The page joined its related list
-- (kb_related, 0010) to the articles for their current address and title,
-- and searched its translation group (0013) for the published
-- translations: two sub-selects of eleven plan nodes between them, about
-- half of what PostgreSQL spent on the page.  Now both are stored, and
-- triggers keep them true in the transaction of the change itself, so a
-- renamed, archived or deleted article still shows as it is now at once.
--
-- kb_related.links: the published ones of ids, in order, as
-- [[public_id, slug, title], ...] (NULL: none).
-- kb_articles.translations: the article's published translations (the
-- rest of its group, other languages) as [[locale, public_id, slug], ...]
-- ordered by locale (NULL: none).
ALTER TABLE kb_related ADD COLUMN links json;
ALTER TABLE kb_articles ADD COLUMN translations json;

-- These run as the caller, under its tenant: every change to an article
-- has one bound (row-level security's WITH CHECK), and what a change
-- without one removes (a tenant's deletion) needs nothing kept.
CREATE FUNCTION mp_kb_related_links(p_tenant bigint, p_ids bigint[])
    RETURNS json LANGUAGE sql
    SET search_path = public, pg_temp
    AS $$
    SELECT json_agg(json_build_array(r.public_id, r.slug, r.title)
                    ORDER BY x.n)
      FROM unnest(p_ids) WITH ORDINALITY x(id, n)
      JOIN kb_articles r ON r.tenant_id = p_tenant AND r.id = x.id
     WHERE r.status = 'published'
$$;
GRANT EXECUTE ON FUNCTION mp_kb_related_links(bigint, bigint[]) TO mpanel_app;

-- Volatile (the default), not stable: called from a trigger after a wait
-- for a row lock, it reads the articles as they are then.
CREATE FUNCTION mp_kb_translation_links(p_tenant bigint, p_id bigint,
                                        p_locale text, p_of bigint)
    RETURNS json LANGUAGE sql
    SET search_path = public, pg_temp
    AS $$
    SELECT json_agg(json_build_array(t.locale, t.public_id, t.slug)
                    ORDER BY t.locale)
      FROM kb_articles t
     WHERE t.tenant_id = p_tenant AND t.status = 'published'
       AND t.locale <> p_locale AND t.id <> p_id
       AND (t.id = p_of OR t.translation_of = coalesce(p_of, p_id))
$$;
GRANT EXECUTE ON FUNCTION mp_kb_translation_links(bigint, bigint, text, bigint)
    TO mpanel_app;

-- One tenant's lists and links change under one lock, taken before any
-- of their rows: by a save before its first write (the responder), by a
-- list's ids being set (the trigger below: the kb.related job) and by
-- the trigger that follows an article's change to the lists naming it.
-- Without it a save renaming an article and the job refreshing the
-- lists around it could lock two of the same lists in opposite order.
-- Transaction-scoped; a collision between tenants only waits.
CREATE FUNCTION mp_kb_lists_lock(p_tenant bigint) RETURNS void
    LANGUAGE sql SET search_path = public, pg_temp
    AS $$ SELECT pg_advisory_xact_lock(hashtextextended('mp_kb_lists', p_tenant)) $$;
GRANT EXECUTE ON FUNCTION mp_kb_lists_lock(bigint) TO mpanel_app;

-- A list whose ids are set (the save's own list, the kb.related job)
-- takes their links then.  Every such write renders them again, so the
-- job's pass after a save also mends a list a concurrent change left
-- behind.
CREATE FUNCTION mp_kb_related_render() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM mp_kb_lists_lock(NEW.tenant_id);
    NEW.links := mp_kb_related_links(NEW.tenant_id, NEW.ids);
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION mp_kb_related_render() FROM PUBLIC;

CREATE TRIGGER kb_related_render
    BEFORE INSERT OR UPDATE OF ids ON kb_related
    FOR EACH ROW EXECUTE FUNCTION mp_kb_related_render();

-- After a statement that changes articles: the lists naming an article
-- whose address, title or status changed (or that is gone) take their
-- links again, and so do the translations of every group an article
-- joined, left or changed in.  The updates made here change none of
-- those columns, so when they fire this again it finds nothing to do.
CREATE FUNCTION mp_kb_links_follow() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    tenant bigint;
    moved  bigint[];
    groups bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT min(n.tenant_id), array_agg(DISTINCT n.translation_of)
          INTO tenant, groups
          FROM kb_new n WHERE n.translation_of IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT min(o.tenant_id), array_agg(o.id),
               array_agg(DISTINCT coalesce(o.translation_of, o.id))
          INTO tenant, moved, groups
          FROM kb_old o;
    ELSE
        SELECT min(n.tenant_id), array_agg(n.id) FILTER (WHERE
                   (o.public_id, o.slug, o.title, o.status) IS DISTINCT FROM
                   (n.public_id, n.slug, n.title, n.status)),
               array_agg(DISTINCT g.id) FILTER (WHERE
                   (o.public_id, o.slug, o.status, o.locale, o.translation_of)
                   IS DISTINCT FROM
                   (n.public_id, n.slug, n.status, n.locale, n.translation_of))
          INTO tenant, moved, groups
          FROM kb_old o
          JOIN kb_new n ON n.tenant_id = o.tenant_id AND n.id = o.id
         CROSS JOIN LATERAL (VALUES (coalesce(o.translation_of, o.id)),
                                    (coalesce(n.translation_of, n.id))) g(id);
    END IF;
    IF moved IS NULL AND groups IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM mp_kb_lists_lock(tenant);
    IF moved IS NOT NULL THEN
        UPDATE kb_related k SET links = mp_kb_related_links(k.tenant_id, k.ids)
         WHERE k.ids && moved;
    END IF;
    IF groups IS NOT NULL THEN
        UPDATE kb_articles a
           SET translations = x.links
          FROM (SELECT t.tenant_id, t.id,
                       mp_kb_translation_links(t.tenant_id, t.id, t.locale,
                                               t.translation_of) AS links
                  FROM kb_articles t
                 WHERE t.id = ANY (groups) OR t.translation_of = ANY (groups)) x
         WHERE a.tenant_id = x.tenant_id AND a.id = x.id
           AND a.translations::text IS DISTINCT FROM x.links::text;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION mp_kb_links_follow() FROM PUBLIC;

-- The links there are, tenant by tenant (row-level security binds this
-- role), before the triggers that would work them out again.
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        UPDATE kb_related k SET links = mp_kb_related_links(k.tenant_id, k.ids);
        UPDATE kb_articles a
           SET translations = mp_kb_translation_links(a.tenant_id, a.id,
                                                      a.locale, a.translation_of)
         WHERE a.translation_of IS NOT NULL
            OR a.id IN (SELECT o.translation_of FROM kb_articles o
                         WHERE o.translation_of IS NOT NULL);
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

CREATE TRIGGER kb_links_insert AFTER INSERT ON kb_articles
    REFERENCING NEW TABLE AS kb_new
    FOR EACH STATEMENT EXECUTE FUNCTION mp_kb_links_follow();
CREATE TRIGGER kb_links_update AFTER UPDATE ON kb_articles
    REFERENCING OLD TABLE AS kb_old NEW TABLE AS kb_new
    FOR EACH STATEMENT EXECUTE FUNCTION mp_kb_links_follow();
CREATE TRIGGER kb_links_delete AFTER DELETE ON kb_articles
    REFERENCING OLD TABLE AS kb_old
    FOR EACH STATEMENT EXECUTE FUNCTION mp_kb_links_follow();
