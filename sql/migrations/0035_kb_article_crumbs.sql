-- An article's category and that category's parent, as its page's
-- breadcrumb and every article card show them, kept on the article.  The
-- pages joined kb_categories twice for four strings: two more relations
-- under row-level security, about 25 µs of PostgreSQL time per article
-- page, a fifth of what was left after 0034.  Triggers keep them true in
-- the transaction of the change: an article filed elsewhere, a category
-- renamed, given another address or moved under another parent.
ALTER TABLE kb_articles
    ADD COLUMN category_slug text,
    ADD COLUMN category_name text,
    ADD COLUMN parent_slug text,
    ADD COLUMN parent_name text;

-- An article takes its category's names when it is filed (on every write
-- of category_id, which each save makes).  No category: all four NULL.
CREATE FUNCTION mp_kb_crumbs_fill() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    SELECT c.slug, c.name, p.slug, p.name
      INTO NEW.category_slug, NEW.category_name, NEW.parent_slug, NEW.parent_name
      FROM kb_categories c
      LEFT JOIN kb_categories p ON p.tenant_id = c.tenant_id AND p.id = c.parent_id
     WHERE c.tenant_id = NEW.tenant_id AND c.id = NEW.category_id;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION mp_kb_crumbs_fill() FROM PUBLIC;

-- A category's new slug, name or parent reaches the articles filed in it
-- and, for its slug and name, those filed in its subcategories.  Runs as
-- the caller under its tenant, as every category change has one bound.
CREATE FUNCTION mp_kb_crumbs_follow() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE kb_articles a
       SET category_slug = x.cslug, category_name = x.cname,
           parent_slug = x.pslug, parent_name = x.pname
      FROM (SELECT c.id, c.slug AS cslug, c.name AS cname,
                   p.slug AS pslug, p.name AS pname
              FROM kb_categories c
              LEFT JOIN kb_categories p
                ON p.tenant_id = c.tenant_id AND p.id = c.parent_id
             WHERE c.tenant_id = NEW.tenant_id
               AND (c.id = NEW.id OR c.parent_id = NEW.id)) x
     WHERE a.tenant_id = NEW.tenant_id AND a.category_id = x.id
       AND (a.category_slug, a.category_name, a.parent_slug, a.parent_name)
           IS DISTINCT FROM (x.cslug, x.cname, x.pslug, x.pname);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION mp_kb_crumbs_follow() FROM PUBLIC;

-- The names there are, tenant by tenant (row-level security binds this
-- role), before the triggers.
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        UPDATE kb_articles a
           SET category_slug = c.slug, category_name = c.name,
               parent_slug = p.slug, parent_name = p.name
          FROM kb_categories c
          LEFT JOIN kb_categories p
            ON p.tenant_id = c.tenant_id AND p.id = c.parent_id
         WHERE c.tenant_id = a.tenant_id AND c.id = a.category_id;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

CREATE TRIGGER kb_crumbs_fill
    BEFORE INSERT OR UPDATE OF category_id ON kb_articles
    FOR EACH ROW EXECUTE FUNCTION mp_kb_crumbs_fill();
CREATE TRIGGER kb_crumbs_follow
    AFTER UPDATE OF slug, name, parent_id ON kb_categories
    FOR EACH ROW
    WHEN ((OLD.slug, OLD.name, OLD.parent_id) IS DISTINCT FROM
          (NEW.slug, NEW.name, NEW.parent_id))
    EXECUTE FUNCTION mp_kb_crumbs_follow();
