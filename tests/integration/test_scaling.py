"""Scaling out (issue 19): the schema stays distributable by tenant_id, the
pool works through PgBouncer in transaction mode with tenants interleaved on
few server connections, and anonymous public reads go to a read replica
while signed-in people (staff after a change) read the primary, with the
replica's lag bounded and shown in /healthz."""

import re
import secrets
import threading
import time

import psycopg2
import pytest

from auth import DEMO, csrf_from, signin
from helpers import wait_until


# ------------------------------------------------------------ the schema

def tenant_tables(db_super):
    """Tables (and views) of the public schema with a tenant_id column."""
    with db_super.cursor() as cur:
        cur.execute("""
            SELECT DISTINCT c.relname FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')
               AND a.attname = 'tenant_id' AND NOT a.attisdropped""")
        return {r[0] for r in cur.fetchall()}


def test_every_tenant_key_starts_with_tenant_id(db_super):
    """Primary, unique and foreign keys, and unique indexes, of every table
    with a tenant_id: tenant_id first (a foreign key to a tenant table also
    references tenant_id first), so Citus can distribute them all by it."""
    with db_super.cursor() as cur:
        cur.execute("""
            SELECT c.relname, con.conname, con.contype,
                   ARRAY(SELECT a.attname FROM unnest(con.conkey)
                           WITH ORDINALITY k(n, i)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid
                          AND a.attnum = k.n ORDER BY k.i)::text[],
                   fc.relname,
                   ARRAY(SELECT a.attname FROM unnest(con.confkey)
                           WITH ORDINALITY k(n, i)
                         JOIN pg_attribute a ON a.attrelid = con.confrelid
                          AND a.attnum = k.n ORDER BY k.i)::text[]
              FROM pg_constraint con
              JOIN pg_class c ON c.oid = con.conrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_class fc ON fc.oid = con.confrelid
             WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'f')
               AND EXISTS (SELECT 1 FROM pg_attribute a
                            WHERE a.attrelid = c.oid
                              AND a.attname = 'tenant_id'
                              AND NOT a.attisdropped)""")
        keys = cur.fetchall()
        cur.execute("""
            SELECT c.relname, pg_get_indexdef(x.indexrelid)
              FROM pg_index x
              JOIN pg_class c ON c.oid = x.indrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND x.indisunique
               AND EXISTS (SELECT 1 FROM pg_attribute a
                            WHERE a.attrelid = c.oid
                              AND a.attname = 'tenant_id'
                              AND NOT a.attisdropped)
               AND (x.indkey[0] = 0 OR (SELECT attname FROM pg_attribute
                     WHERE attrelid = c.oid AND attnum = x.indkey[0])
                    <> 'tenant_id')""")
        bad_indexes = cur.fetchall()
    tables = tenant_tables(db_super)
    assert {"users", "kb_articles", "job", "audit_logs"} <= tables
    kinds = {k[2] for k in keys}
    assert kinds == {"p", "u", "f"}, kinds
    bad = []
    for table, name, kind, cols, ftable, fcols in keys:
        if cols[0] != "tenant_id":
            bad.append((table, name, cols))
        elif kind == "f" and ftable in tables and fcols[0] != "tenant_id":
            bad.append((table, name, ftable, fcols))
    assert bad == [], "keys not led by tenant_id: %r" % bad
    assert bad_indexes == [], bad_indexes


# Where the text of a join's condition ends (at its own depth).
_CLAUSE_END = re.compile(
    r"\b(?:join|where|group|order|limit|having|union|except|intersect|"
    r"returning|window|left|right|inner|full|cross|on\s+conflict|"
    r"for\s+update|for\s+share)\b")
_RELATION = re.compile(
    r"\b(?:from|join)\s+(?:lateral\s+)?(?:only\s+)?([a-z_][a-z0-9_]*)"
    r"(?:\s+(?:as\s+)?(?!on\b|using\b|where\b|join\b|left\b|right\b|"
    r"inner\b|full\b|cross\b|group\b|order\b|limit\b|natural\b)"
    r"([a-z_][a-z0-9_]*))?")
_JOIN = re.compile(r"\bjoin\s+(?:lateral\s+)?(?:only\s+)?([a-z_][a-z0-9_]*)\b")


def cross_tenant_joins(sql, tables):
    """The joins of sql that could pair rows of two tenants: a JOIN of a
    tenant table whose ON condition refers to another tenant table (by
    alias or name), or is constant, without naming tenant_id (the other
    side's, or the transaction's app.tenant_id).  Text, not a parse: string
    literals are blanked first; a comma join, a join inside a function
    body and one written through a CTE name are not seen (docs/scaling.md
    says so)."""
    s = re.sub(r"'(?:[^']|'')*'", "''", sql).lower()
    aliases = {}
    for m in _RELATION.finditer(s):
        aliases[m.group(2) or m.group(1)] = m.group(1)
        aliases.setdefault(m.group(1), m.group(1))
    found = []
    for m in _JOIN.finditer(s):
        if m.group(1) not in tables:
            continue
        rest = s[m.end():]
        head = re.match(r"\s*(?:as\s+)?(?!on\b|using\b)([a-z_][a-z0-9_]*)?"
                        r"\s*(on|using)\b", rest)
        if head is None:
            found.append((m.group(1), "no ON or USING"))
            continue
        depth, j = 0, head.end()
        while j < len(rest):
            ch = rest[j]
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            elif (depth == 0 and not (rest[j - 1].isalnum() or
                                      rest[j - 1] == "_")
                  and _CLAUSE_END.match(rest, j)):
                break
            j += 1
        cond = rest[head.end():j].strip()
        me = head.group(1) or m.group(1)
        others = {a for a in re.findall(r"\b([a-z_][a-z0-9_]*)\.", cond)
                  if a != me}
        constant = not re.search(r"[a-z_][a-z0-9_]*\.", cond)
        if not constant and not any(aliases.get(a) in tables
                                    for a in others):
            continue
        if "tenant_id" not in cond:
            found.append((m.group(1), cond[:100]))
    return found


def test_the_join_check_can_fail():
    tables = {"users", "user_sessions", "tenant_branding"}
    assert cross_tenant_joins(
        "SELECT 1 FROM users u JOIN user_sessions s ON s.user_id = u.id",
        tables)
    assert cross_tenant_joins(
        "SELECT 1 FROM (SELECT 1) one LEFT JOIN tenant_branding b ON true",
        tables)
    assert not cross_tenant_joins(
        "SELECT 1 FROM users u JOIN user_sessions s"
        " ON s.tenant_id = u.tenant_id AND s.user_id = u.id", tables)
    assert not cross_tenant_joins(
        "SELECT 1 FROM generate_series(1, 3) d"
        " LEFT JOIN user_sessions s ON s.created_at > now()", tables)


def test_no_statement_joins_across_tenants(sh_stack, db_super):
    """Every statement the programs run (mpanelctl sql-list): each join
    between tenant tables names tenant_id, so no statement pairs rows of
    two tenants and each stays on one tenant's shard under Citus."""
    tables = tenant_tables(db_super)
    out = sh_stack("mpanelctl", "sql-list").stdout.splitlines()
    assert len(out) > 200
    bad = []
    joins = 0
    for line in out:
        owner, name, sql = line.split("\t", 2)
        joins += len(re.findall(r"\bjoin\b", sql, re.I))
        for j in cross_tenant_joins(sql, tables):
            bad.append((owner, name) + j)
    assert joins > 20
    assert bad == [], "joins that may cross tenants: %r" % bad


# ------------------------------------------------------------- PgBouncer

def pgb_servers(stack, port):
    """Server connections of PgBouncer on port to the portal's database
    (its admin console, SHOW SERVERS)."""
    conn = psycopg2.connect(host="127.0.0.1", port=port, dbname="pgbouncer",
                            user=stack["MP_APP_ROLE"])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW SERVERS")
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r)) for r in cur.fetchall()
                    if dict(zip(cols, r))["database"] == stack["MP_DB"]]
    finally:
        conn.close()


def staff_create_article(client, word):
    page = client.get("/staff/help/new")
    assert page.status_code == 200, page.status_code
    r = client.post("/api/kb/admin/articles", json={
        "title": "Scaling %s" % word, "content": "About %s." % word,
        "status": "published"}, headers={
            "Origin": client.origin(), "X-CSRF-Token": csrf_from(page.text)})
    assert r.status_code == 201, r.text[:300]
    return r.json()


def found(client, word):
    r = client.get("/api/kb/articles", params={"q": word})
    assert r.status_code == 200, (r.status_code, r.text[:200])
    return r.json()["total"]


def test_two_tenants_interleaved_through_pgbouncer(stack, https, pool_extra,
                                                   sh_stack):
    """A pool of four responders behind a PgBouncer in transaction mode
    with two server connections: staff of two tenants write, then
    anonymous visitors of both search at once, interleaved on those two
    connections; each sees its own tenant's article and never the other's.
    """
    pgb = int(sh_stack("pgbouncer-start", "iso", "2").stdout.split()[-1])
    try:
        port = pool_extra(
            "pgb", workers=4, db_pooler="transaction",
            database_url="host=127.0.0.1 port=%d dbname=%s user=%s" % (
                pgb, stack["MP_DB"], stack["MP_APP_ROLE"]))
        words = {}
        for slug, role in (("acme", "support"), ("globex", "admin")):
            staff = https(slug, port=port)
            signin(staff, *DEMO[slug][role])
            words[slug] = "zq" + secrets.token_hex(6)
            staff_create_article(staff, words[slug])
        errors = []

        def visit(slug, n):
            c = https(slug, port=port)
            other = "globex" if slug == "acme" else "acme"
            try:
                for _ in range(n):
                    if found(c, words[slug]) != 1:
                        errors.append((slug, "own article missing"))
                    if found(c, words[other]) != 0:
                        errors.append((slug, "saw %s's article" % other))
            except AssertionError as e:
                errors.append((slug, str(e)))

        threads = [threading.Thread(target=visit, args=(s, 10))
                   for s in ("acme", "globex", "acme", "globex")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == []
        servers = pgb_servers(stack, pgb)
        assert 1 <= len(servers) <= 2, servers
        # The healthz of that pool answers through the pooler too.
        h = https(port=port).get("/healthz")
        assert h.status_code == 200 and h.json()["database"] == "ok"
    finally:
        sh_stack("pool-extra-stop", "pgb", check=False)
        sh_stack("pgbouncer-stop", "iso", check=False)


# --------------------------------------------------------------- replica

@pytest.fixture
def replica(stack, sh_stack):
    """A streaming replica of the stack's cluster: (conninfo for the pool,
    psycopg2 connection as the superuser on it).  Stopped afterwards."""
    port = int(sh_stack("replica-start", timeout=180).stdout.split()[-1])
    host = "%s/pg/replica-run" % stack["MP_VAR"]
    conn = psycopg2.connect(host=host, port=port, dbname=stack["MP_DB"],
                            user=stack["MP_SUPER_ROLE"])
    conn.autocommit = True
    yield ("host='%s' port=%d dbname=%s user=%s" % (
        host, port, stack["MP_DB"], stack["MP_APP_ROLE"]), conn)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_wal_replay_resume()")
    except psycopg2.Error:
        pass
    conn.close()
    sh_stack("replica-stop", "immediate", check=False)


def on_replica(conn, word):
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM kb_articles WHERE title = %s",
                    ("Scaling %s" % word,))
        return cur.fetchone()[0]


def test_replica_serves_anonymous_reads_staff_read_their_writes(
        stack, https, pool_extra, replica):
    url, rconn = replica
    patient = pool_extra("replica", replica_database_url=url,
                         replica_max_lag=3600000)
    strict = pool_extra("replica-strict", replica_database_url=url,
                        replica_max_lag=1000)
    h = https(port=patient).get("/healthz").json()
    assert h["replica"]["status"] == "ok", h
    assert h["replica"]["max_lag_ms"] == 3600000
    assert isinstance(h["replica"]["lag_ms"], int)

    staff = https("acme", port=patient)
    signin(staff, *DEMO["acme"]["support"])
    anon = https("acme", port=patient)
    w1 = "zq" + secrets.token_hex(6)
    staff_create_article(staff, w1)
    wait_until(lambda: on_replica(rconn, w1) == 1, timeout=20,
               what="the replica replays the first article")
    assert found(anon, w1) == 1

    # Replay stops: what the primary commits now is not on the replica.
    with rconn.cursor() as cur:
        cur.execute("SELECT pg_wal_replay_pause()")
    w2 = "zq" + secrets.token_hex(6)
    staff_create_article(staff, w2)
    paused_at = time.monotonic()
    assert on_replica(rconn, w2) == 0
    # Staff (signed in) read the primary: their change is there at once.
    assert found(staff, w2) == 1
    page = staff.get("/help/search", params={"q": w2})
    assert "Scaling %s" % w2 in page.text
    # An anonymous visitor reads the replica, which has not got it yet.
    assert found(anon, w2) == 0
    assert "Scaling %s" % w2 not in anon.get(
        "/help/search", params={"q": w2}).text

    # Past replica_max_lag (1 s) the strict pool reads the primary.
    time.sleep(max(0.0, 2.5 - (time.monotonic() - paused_at)))
    hs = https(port=strict).get("/healthz").json()
    assert hs["replica"]["status"] == "lagging", hs
    assert hs["replica"]["lag_ms"] > 1000
    assert found(https("acme", port=strict), w2) == 1
    assert found(anon, w2) == 0

    # Replay resumes: the replica catches up and serves it.
    with rconn.cursor() as cur:
        cur.execute("SELECT pg_wal_replay_resume()")
    wait_until(lambda: found(anon, w2) == 1, timeout=20,
               what="the replica serves the second article")
    wait_until(lambda: https(port=strict).get("/healthz").json()
               ["replica"]["status"] == "ok", timeout=20,
               what="the strict pool uses the replica again")


def test_a_replica_that_goes_away_costs_no_request(stack, https, pool_extra,
                                                   replica, sh_stack):
    url, rconn = replica
    port = pool_extra("replica-gone", replica_database_url=url,
                      replica_max_lag=3600000)
    anon = https("acme", port=port)
    assert anon.get("/help").status_code == 200
    assert https(port=port).get("/healthz").json()["replica"]["status"] \
        == "ok"
    rconn.close()
    sh_stack("replica-stop", "immediate")
    for path in ("/help", "/status", "/api/v2/summary.json",
                 "/help/search?q=domain"):
        r = anon.get(path)
        assert r.status_code == 200, (path, r.status_code)
    h = https(port=port).get("/healthz")
    assert h.status_code == 200
    assert h.json()["replica"]["status"] == "unreachable"
    assert h.json()["replica"]["lag_ms"] is None


# ------------------------------------------------------ pool hosts (TCP)

def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz_lines(stack, name):
    path = "%s/extra-%s-access.log" % (stack["MP_LOG_DIR"], name)
    try:
        with open(path) as f:
            return sum(1 for line in f if "/healthz/live" in line)
    except FileNotFoundError:
        return 0


def test_upstream_skips_a_dead_host_and_keeps_the_backup_for_last(
        stack, https, pool_extra, sh_stack):
    """nginx in front of pool hosts on TCP, as the template renders
    MP_POOL_SERVERS: a host that refuses connections costs no request, the
    live host takes everything while it is up, and the backup only once it
    is gone."""
    p1, p2, dead = free_port(), free_port(), free_port()
    pool_extra("tcp1", listen="127.0.0.1:%d" % p1, workers=1)
    pool_extra("tcp2", listen="127.0.0.1:%d" % p2, workers=1)
    out = sh_stack("nginx-upstream", "ha",
                   "127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d backup" % (
                       dead, p1, p2)).stdout
    port = int(out.split()[-1])
    try:
        conf = open("%s/nginx/extra/up-ha.conf" % stack["MP_VAR"]).read()
        assert ("server 127.0.0.1:%d max_fails=1 fail_timeout=10s;" % dead
                in conf)
        assert "127.0.0.1:%d max_fails=1 fail_timeout=10s backup;" % p2 \
            in conf
        c = https(port=port)
        # Responders write their access lines once idle for 50 ms: let
        # the start-up checks' lines land before counting from here.
        time.sleep(0.3)
        a0, b0 = healthz_lines(stack, "tcp1"), healthz_lines(stack, "tcp2")
        codes = [c.get("/healthz/live").status_code for _ in range(20)]
        assert codes == [200] * 20
        wait_until(lambda: healthz_lines(stack, "tcp1") - a0 == 20,
                   timeout=5, what="the live host answered all 20")
        assert healthz_lines(stack, "tcp2") == b0, "the backup was used"

        sh_stack("pool-extra-stop", "tcp1", "TERM")
        codes = [c.get("/healthz/live").status_code for _ in range(20)]
        assert codes == [200] * 20
        wait_until(lambda: healthz_lines(stack, "tcp2") - b0 == 20,
                   timeout=5, what="the backup answered all 20")
    finally:
        sh_stack("nginx-upstream-stop", "ha", check=False)
