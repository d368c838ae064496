"""Tenant isolation at the SQL level, with the pool's own role (mpanel_app):
row-level security on every table that has a tenant_id column, and a role
that cannot get around it.  Tables are discovered, not listed, so a new
feature's table is covered the day it lands."""

import psycopg2
import psycopg2.errors
import pytest
from psycopg2 import sql


@pytest.fixture
def tenants(db_super):
    with db_super.cursor() as cur:
        cur.execute("SELECT slug, id FROM tenants WHERE slug IN ('acme', 'globex')")
        ids = dict(cur.fetchall())
    assert set(ids) == {"acme", "globex"}, "the demo tenants are missing"
    return ids


@pytest.fixture
def tenant_tables(db_super):
    """Every ordinary or partitioned table of the public schema that has a
    tenant_id column."""
    with db_super.cursor() as cur:
        cur.execute("""
            SELECT c.relname FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
               AND a.attname = 'tenant_id' AND NOT a.attisdropped
             ORDER BY 1""")
        names = [r[0] for r in cur.fetchall()]
    # The foundation's and the accounts' tables at least.
    for t in ("tenant_branding", "users", "user_sessions", "api_tokens"):
        assert t in names
    return names


def count_by_tenant(db_super, table):
    """{tenant_id: rows} as the superuser (who is not subject to RLS)."""
    with db_super.cursor() as cur:
        cur.execute(sql.SQL("SELECT tenant_id, count(*) FROM {} GROUP BY 1")
                    .format(sql.Identifier(table)))
        return dict(cur.fetchall())


def app_can(db_app, table, priv):
    with db_app.cursor() as cur:
        cur.execute("SELECT has_table_privilege(current_user, %s, %s)",
                    ("public." + table, priv))
        return cur.fetchone()[0]


class Tx:
    """One transaction of the app role acting for a tenant (or for none);
    every statement under a savepoint, everything rolled back at the end."""

    def __init__(self, conn, tenant_id=None):
        self.conn = conn
        self.tenant_id = tenant_id
        self.n = 0

    def __enter__(self):
        self.cur = self.conn.cursor()
        self.cur.execute("BEGIN")
        if self.tenant_id is not None:
            self.cur.execute("SELECT set_config('app.tenant_id', %s, true)",
                             (str(self.tenant_id),))
        return self

    def __exit__(self, *exc):
        self.cur.execute("ROLLBACK")
        self.cur.close()

    def run(self, query, args=()):
        """(rowcount, rows or None, error or None)."""
        self.n += 1
        sp = "sp%d" % self.n
        self.cur.execute("SAVEPOINT " + sp)
        try:
            self.cur.execute(query, args)
            n = self.cur.rowcount
            rows = self.cur.fetchall() if self.cur.description else None
            self.cur.execute("RELEASE SAVEPOINT " + sp)
            return n, rows, None
        except psycopg2.Error as e:
            self.cur.execute("ROLLBACK TO SAVEPOINT " + sp)
            return None, None, e


def test_every_tenant_table_has_forced_rls_and_a_policy(db_super, tenant_tables):
    with db_super.cursor() as cur:
        cur.execute("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relname = ANY(%s)""",
                    (tenant_tables,))
        rows = {r[0]: r[1:] for r in cur.fetchall()}
    bad = {t: v for t, v in rows.items() if not (v[0] and v[1] and v[2] > 0)}
    assert bad == {}, "tables without ENABLE+FORCE RLS and a policy " \
        "(relrowsecurity, relforcerowsecurity, policies): %r" % bad


def test_app_role_is_plain(db_super, stack):
    role = stack["MP_APP_ROLE"]
    with db_super.cursor() as cur:
        cur.execute("SELECT oid, rolsuper, rolbypassrls, rolcreaterole,"
                    " rolcreatedb, rolreplication FROM pg_roles"
                    " WHERE rolname = %s", (role,))
        oid, *flags = cur.fetchone()
        assert flags == [False] * 5, flags
        owned = {}
        for what, q in (
                ("relations", "SELECT relname FROM pg_class WHERE relowner = %s"),
                ("functions", "SELECT proname FROM pg_proc WHERE proowner = %s"),
                ("schemas", "SELECT nspname FROM pg_namespace WHERE nspowner = %s"),
                ("types", "SELECT typname FROM pg_type WHERE typowner = %s"),
                ("databases", "SELECT datname FROM pg_database WHERE datdba = %s")):
            cur.execute(q, (oid,))
            got = [r[0] for r in cur.fetchall()]
            if got:
                owned[what] = got
        assert owned == {}, "the app role owns: %r" % owned
        # Nor may it act as a role that could (membership).
        cur.execute("""
            SELECT r.rolname FROM pg_auth_members m
              JOIN pg_roles r ON r.oid = m.roleid
             WHERE m.member = %s""", (oid,))
        assert cur.fetchall() == []


def test_the_pool_connects_as_the_app_role(db_super, stack, https):
    # What the tests check is what the pool runs as.
    assert https("acme").get("/", timeout=15).status_code == 200
    with db_super.cursor() as cur:
        cur.execute("SELECT DISTINCT usename FROM pg_stat_activity"
                    " WHERE application_name = 'mpanel'")
        assert [r[0] for r in cur.fetchall()] == [stack["MP_APP_ROLE"]]


def test_other_tenants_rows_are_invisible(db_app, db_super, tenants,
                                          tenant_tables):
    acme, globex = tenants["acme"], tenants["globex"]
    checked = 0
    hidden = 0
    with Tx(db_app, acme) as tx:
        for t in tenant_tables:
            if not app_can(db_app, t, "SELECT"):
                continue
            truth = count_by_tenant(db_super, t)
            n, rows, err = tx.run(sql.SQL(
                "SELECT tenant_id, count(*) FROM {} GROUP BY 1")
                .format(sql.Identifier(t)))
            assert err is None, (t, err)
            seen = dict(rows)
            # Exactly acme's rows: none of globex's, none of anyone else's.
            assert seen == ({acme: truth[acme]} if acme in truth else {}), \
                (t, seen, truth)
            checked += 1
            hidden += sum(v for k, v in truth.items() if k != acme)
    assert checked >= 4
    # The demo data gives globex rows to hide: the check has teeth.
    assert hidden > 0


def test_a_tenant_sees_its_own_rows(db_app, db_super, tenants):
    # The other side of the coin: with globex's id, globex's users appear.
    truth = count_by_tenant(db_super, "users")
    assert truth.get(tenants["globex"], 0) > 0
    with Tx(db_app, tenants["globex"]) as tx:
        _, rows, err = tx.run("SELECT tenant_id, count(*) FROM users GROUP BY 1")
        assert err is None
        assert dict(rows) == {tenants["globex"]: truth[tenants["globex"]]}


def test_other_tenants_rows_cannot_be_changed_or_deleted(db_app, db_super,
                                                         tenants, tenant_tables):
    acme, globex = tenants["acme"], tenants["globex"]
    before = {t: count_by_tenant(db_super, t).get(globex, 0)
              for t in tenant_tables}
    tried = 0
    with Tx(db_app, acme) as tx:
        for t in tenant_tables:
            ident = sql.Identifier(t)
            for verb, q in (
                    ("UPDATE", sql.SQL("UPDATE {} SET tenant_id = tenant_id"
                                       " WHERE tenant_id = %s").format(ident)),
                    ("DELETE", sql.SQL("DELETE FROM {} WHERE tenant_id = %s")
                     .format(ident))):
                n, _, err = tx.run(q, (globex,))
                if err is not None:
                    # No privilege at all is as good as no rows.
                    assert isinstance(err, psycopg2.errors.InsufficientPrivilege), \
                        (t, verb, err)
                    assert "permission denied" in str(err), (t, verb, err)
                    continue
                assert n == 0, "%s on %s touched %d rows of globex" % (verb, t, n)
                tried += 1
            # Changing one's own row into the other tenant's is refused too.
            if app_can(db_app, t, "UPDATE"):
                n, _, err = tx.run(sql.SQL(
                    "UPDATE {} SET tenant_id = %s WHERE tenant_id = %s")
                    .format(ident), (globex, acme))
                if err is None:
                    assert n == 0, (t, n)   # acme has no rows in t
                else:
                    assert isinstance(err, psycopg2.errors.InsufficientPrivilege)
    assert tried > 0
    after = {t: count_by_tenant(db_super, t).get(globex, 0)
             for t in tenant_tables}
    assert after == before


def test_moving_own_rows_to_another_tenant_fails_the_policy(db_app, db_super,
                                                             tenants):
    # acme's users exist; moving one to globex violates WITH CHECK.
    with Tx(db_app, tenants["acme"]) as tx:
        n, _, err = tx.run("UPDATE users SET tenant_id = %s WHERE id ="
                           " (SELECT min(id) FROM users)", (tenants["globex"],))
        assert err is not None, "an acme user was moved to globex (%s rows)" % n
        assert isinstance(err, psycopg2.errors.InsufficientPrivilege)
        assert "row-level security" in str(err)


def test_inserting_rows_for_another_tenant_fails_the_policy(db_app, tenants,
                                                            tenant_tables):
    """INSERT ... (tenant_id) VALUES (globex) while acting for acme: the
    WITH CHECK of the policy refuses it before any other constraint."""
    refused = 0
    with Tx(db_app, tenants["acme"]) as tx:
        for t in tenant_tables:
            if not app_can(db_app, t, "INSERT"):
                continue
            n, _, err = tx.run(sql.SQL("INSERT INTO {} (tenant_id) VALUES (%s)")
                               .format(sql.Identifier(t)), (tenants["globex"],))
            assert err is not None, "inserted a globex row into %s" % t
            assert isinstance(err, psycopg2.errors.InsufficientPrivilege), (t, err)
            assert "violates row-level security policy" in str(err), (t, err)
            refused += 1
    assert refused >= 3


def test_no_tenant_set_means_no_rows(db_app, db_super, tenant_tables, tenants):
    """Fails closed: neither a connection that never set app.tenant_id nor
    one whose earlier transaction set it (now reset to '') sees a row."""

    def visible(tx):
        out = {}
        for t in tenant_tables:
            if not app_can(db_app, t, "SELECT"):
                continue
            _, rows, err = tx.run(sql.SQL("SELECT count(*) FROM {}")
                                  .format(sql.Identifier(t)))
            assert err is None, (t, err)
            if rows[0][0]:
                out[t] = rows[0][0]
        return out

    assert count_by_tenant(db_super, "users")   # there are rows to see
    with Tx(db_app) as tx:
        assert visible(tx) == {}
    # A transaction-local setting leaves '' behind when it ends.
    with Tx(db_app, tenants["acme"]) as tx:
        pass
    with db_app.cursor() as cur:
        cur.execute("SELECT current_setting('app.tenant_id', true)")
        assert cur.fetchone()[0] in (None, "")
    with Tx(db_app) as tx:
        assert visible(tx) == {}
    # Nor may a row be written for no tenant.
    with Tx(db_app) as tx:
        _, _, err = tx.run("INSERT INTO users (tenant_id) VALUES (%s)",
                           (tenants["acme"],))
        assert isinstance(err, psycopg2.errors.InsufficientPrivilege), err


def test_tenant_registry_is_read_only_for_the_app(db_app, tenants):
    with Tx(db_app) as tx:
        _, rows, err = tx.run("SELECT count(*) FROM tenants")
        assert err is None and rows[0][0] >= 2
        for q in ("UPDATE tenants SET name = name",
                  "DELETE FROM tenants WHERE slug = 'globex'",
                  "INSERT INTO tenants (slug, name) VALUES ('evil', 'Evil')"):
            _, _, err = tx.run(q)
            assert isinstance(err, psycopg2.errors.InsufficientPrivilege), (q, err)
