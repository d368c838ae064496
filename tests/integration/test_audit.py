"""The audit log: every state-changing request leaves an entry (the route
table is walked, not a hand list), the log is append-only, each tenant's
hash chain reports an altered row at its seq and a deleted one as a gap and
stays gapless under concurrent writers, checkpoints verify with openssl
alone, exports stream in bounded memory, refused requests leave their entry
though their transaction is rolled back, tenants are isolated, customers see
only their own security history, and secrets never enter the log."""

import csv
import glob
import hashlib
import io
import json
import os
import re
import secrets
import struct
import subprocess
import threading
import time

import psycopg2
import pytest

from auth import (CHROME, FIREFOX, bind_source, csrf_from, form_headers,
                  make_user, post_form, signin)
from helpers import children, read_pid, rss_kib, sh_stack, wait_until

T = 30


_admins = {}


def admin(https, db_super, tenant="acme"):
    """A signed-in admin of tenant, one per module and tenant: signing in
    costs a password hash, which a loaded machine makes slow."""
    if tenant not in _admins:
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "audit_conftest", os.path.join(os.path.dirname(__file__), "conftest.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        Client = mod.Client
        stack = {k: os.environ.get(k, "") for k in ("MP_HTTPS_PORT", "MP_BASE_DOMAIN")}
        email, pw = make_user(db_super, tenant, role="admin")
        c = Client("%s.%s" % (tenant, stack["MP_BASE_DOMAIN"]), stack["MP_HTTPS_PORT"])
        signin(c, email, pw)
        _admins[tenant] = (c, email)
    return _admins[tenant]


def tenant_id(db_super, slug):
    with db_super.cursor() as c:
        c.execute("SELECT id FROM tenants WHERE slug = %s", (slug,))
        return c.fetchone()[0]


def entries_of(db_super, reqid):
    with db_super.cursor() as c:
        c.execute("SELECT action, route, method, outcome, status, changes::text,"
                  " user_id, subject_user_id, seq, tenant_id"
                  " FROM audit_logs WHERE request_id = %s", (reqid,))
        return c.fetchall()


def new_tenant(db_super, prefix="audit"):
    """A tenant of its own (no host needed): its chain starts empty."""
    slug = "%s-%s" % (prefix, secrets.token_hex(4))
    with db_super.cursor() as c:
        c.execute("INSERT INTO tenants (slug, name) VALUES (%s, %s) RETURNING id",
                  (slug, "Audit " + slug))
        return slug, c.fetchone()[0]


def app_insert(db_app, tid, n, action="TEST_ENTRY"):
    """n entries written as the pool writes them (RLS, chain trigger)."""
    with db_app:
        with db_app.cursor() as c:
            c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tid),))
            for i in range(n):
                c.execute("INSERT INTO audit_logs (tenant_id, action, outcome,"
                          " changes) VALUES (%s, %s, 'success', %s)",
                          (tid, action, json.dumps({"i": i})))


def verify(slug):
    p = sh_stack("mpanelctl", "audit", "verify", "--tenant", slug, "--json",
                 check=False)
    assert p.returncode in (0, 2), p.stdout + p.stderr
    return p.returncode, json.loads(p.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------- the route table

def dash_T(stack):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPANEL_")}
    p = subprocess.run([os.path.join(stack["MP_VAR"], "app", "bin", "mpanel-fcgi"),
                        "-T", "-c", stack["MP_CONF"]], capture_output=True,
                       text=True, timeout=T, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.split("# jobs:", 1)[0]


def unsafe_routes(stack):
    out = []
    for line in dash_T(stack).splitlines():
        if not line or line.startswith("#"):
            continue
        f = line.split()
        acts = [x for x in f if x.startswith("action=")]
        for m in f[0].split(","):
            if m in ("POST", "PUT", "PATCH", "DELETE"):
                assert acts, "no action for %s" % line
                out.append((m, f[1], acts[0][len("action="):]))
    return out


def sample(pattern):
    def cap(m):
        return "987654321" if m.group(0).endswith(":int}") else "zq7sample-" + "x" * 20
    return re.sub(r"\{[^}]*\}", cap, pattern)


def test_every_unsafe_route_names_its_action_in_dash_T(stack):
    routes = unsafe_routes(stack)
    assert len(routes) >= 40
    names = {a for _, _, a in routes}
    for a in names:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]{1,63}", a), a
    by = {(m, p): a for m, p, a in routes}
    assert by[("POST", "/login")] == "USER_LOGIN"
    assert by[("POST", "/logout")] == "USER_LOGOUT"
    assert by[("POST", "/account/password")] == "PASSWORD_CHANGED"
    assert by[("POST", "/account/sessions/{id:token}/end")] == "SESSION_REVOKED"
    assert by[("POST", "/api/account/tokens")] == "API_TOKEN_CREATED"
    assert by[("POST", "/api/status/incidents")] == "INCIDENT_CREATED"


def test_every_mutating_route_leaves_an_entry(stack, https, db_super):
    """Each unsafe route of `mpanel-fcgi -T`, called once by a signed-in
    customer with a valid CSRF token (most are refused: wrong role, unknown
    id, missing fields), leaves exactly one entry with its route, method,
    action and the status the client saw."""
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    signin(c, email, pw)
    tok = csrf_from(c.get("/account").text)
    tid = tenant_id(db_super, "acme")
    routes = [r for r in unsafe_routes(stack) if r[1] != "/logout"]
    routes.append(("POST", "/logout", "USER_LOGOUT"))   # last: it signs out
    for method, pattern, action in routes:
        path = sample(pattern)
        kw = {"headers": {"Origin": c.origin(), "X-CSRF-Token": tok,
                          "Sec-Fetch-Site": "same-origin"}}
        if "json" in pattern or pattern.startswith("/api/") or method in ("PUT", "PATCH"):
            kw["json"] = {}
        else:
            kw["data"] = {"csrf_token": tok}
        r = c.request(method, path, **kw)
        reqid = r.headers.get("X-Request-Id")
        assert reqid, (method, path, r.status_code)
        rows = entries_of(db_super, reqid)
        assert len(rows) == 1, (method, pattern, r.status_code, rows)
        a, route, m, outcome, status, _, _, _, _, t = rows[0]
        assert (a, route, m, status, t) == (action, pattern, method,
                                            r.status_code, tid), rows[0]
        assert outcome == ("success" if r.status_code < 400 else
                           "denied" if r.status_code in (401, 403, 429)
                           else "failed"), (pattern, r.status_code, outcome)


# ------------------------------------------------------------- append-only

@pytest.mark.parametrize("sql", [
    "UPDATE audit_logs SET action = 'X_CHANGED'",
    "DELETE FROM audit_logs",
    "TRUNCATE audit_logs",
])
def test_app_role_cannot_change_or_remove_entries(db_app, db_owner, db_super, sql):
    slug, tid = new_tenant(db_super)
    app_insert(db_app, tid, 3)
    for conn in (db_app, db_owner):
        with pytest.raises(psycopg2.Error) as e:
            with conn:
                with conn.cursor() as c:
                    c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tid),))
                    c.execute(sql)
        assert e.value.pgcode == "42501", (sql, e.value.pgerror)
    rc, v = verify(slug)
    assert rc == 0 and v["entries"] == 3


def test_writer_cannot_forge_the_chain(db_app, db_super):
    """seq, prev_hash, row_hash and created_at are the trigger's."""
    slug, tid = new_tenant(db_super)
    with db_app:
        with db_app.cursor() as c:
            c.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tid),))
            c.execute("INSERT INTO audit_logs (tenant_id, seq, action, outcome,"
                      " prev_hash, row_hash, created_at) VALUES (%s, 77, 'FORGED',"
                      " 'success', '\\x00', '\\x00', '2001-01-01')", (tid,))
    with db_super.cursor() as c:
        c.execute("SELECT seq, length(row_hash), created_at > now() - interval '1 hour'"
                  " FROM audit_logs WHERE tenant_id = %s", (tid,))
        assert c.fetchall() == [(1, 32, True)]
    assert verify(slug)[0] == 0


# ------------------------------------------------------------- the chain

def canonical(row):
    """The documented canonical form, computed independently of SQL."""
    def f(v):
        if v is None:
            return b"\xff\xff\xff\xff"
        b = v.encode()
        return struct.pack(">I", len(b)) + b
    out = b"mpanel-audit-v1"
    for v in row:
        out += f(v)
    return out


def test_hash_is_sha256_of_prev_and_the_documented_canonical_form(db_app, db_super):
    slug, tid = new_tenant(db_super)
    app_insert(db_app, tid, 2)
    with db_super.cursor() as c:
        c.execute("SELECT tenant_id::text, seq::text, to_char(created_at AT TIME ZONE"
                  " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), user_id::text,"
                  " actor_email, actor_role, subject_user_id::text, action,"
                  " resource_type, resource_id, outcome, status::text, severity,"
                  " method, route, changes::text, ip::text, user_agent, request_id,"
                  " gdpr::text, pci::text, prev_hash, row_hash FROM audit_logs"
                  " WHERE tenant_id = %s ORDER BY seq", (tid,))
        rows = c.fetchall()
    prev = b"\x00" * 32
    for r in rows:
        assert bytes(r[-2]) == prev
        h = hashlib.sha256(prev + canonical(r[:-2])).digest()
        assert bytes(r[-1]) == h
        prev = h


def test_altered_row_is_reported_at_exactly_its_seq(db_app, db_super):
    slug, tid = new_tenant(db_super)
    app_insert(db_app, tid, 12)
    rc, v = verify(slug)
    assert rc == 0 and v["ok"] and v["head_seq"] == 12 and v["first_break"] is None
    head = v["head_hash"]
    with db_super.cursor() as c:
        c.execute("SET session_replication_role = replica")
        c.execute("UPDATE audit_logs SET changes = '{\"i\": 999}' WHERE tenant_id = %s"
                  " AND seq = 7", (tid,))
        c.execute("SET session_replication_role = origin")
    rc, v = verify(slug)
    assert rc == 2 and not v["ok"]
    assert v["first_break"] == 7 and v["breaks"] == 1 and v["gaps"] == []
    assert v["head_hash"] == head


def test_deleted_row_is_reported_as_a_gap(db_app, db_super):
    slug, tid = new_tenant(db_super)
    app_insert(db_app, tid, 10)
    with db_super.cursor() as c:
        c.execute("SET session_replication_role = replica")
        c.execute("DELETE FROM audit_logs WHERE tenant_id = %s AND seq = 4", (tid,))
        c.execute("SET session_replication_role = origin")
    rc, v = verify(slug)
    assert rc == 2 and not v["ok"]
    assert v["gaps"] == [{"from": 4, "to": 4}] and v["gap_count"] == 1
    assert v["first_break"] is None and v["entries"] == 9


def test_concurrent_writers_keep_a_gapless_chain(stack, db_super):
    slug, tid = new_tenant(db_super)
    errors = []

    def writer(k):
        try:
            conn = psycopg2.connect(host=stack["MP_PG_HOST"], port=stack["MP_PG_PORT"],
                                    dbname=stack["MP_DB"], user=stack["MP_APP_ROLE"])
            for i in range(25):
                with conn:
                    with conn.cursor() as c:
                        c.execute("SELECT set_config('app.tenant_id', %s, true)",
                                  (str(tid),))
                        c.execute("INSERT INTO audit_logs (tenant_id, action, outcome,"
                                  " changes) VALUES (%s, 'TEST_CONCURRENT', 'success',"
                                  " %s)", (tid, json.dumps({"w": k, "i": i})))
            conn.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    rc, v = verify(slug)
    assert rc == 0 and v["ok"] and v["entries"] == 200 and v["head_seq"] == 200


def test_concurrent_requests_keep_the_tenant_chain_verifiable(https, db_super):
    c, _ = admin(https, db_super)
    tid = tenant_id(db_super, "acme")
    with db_super.cursor() as cur:
        cur.execute("SELECT coalesce(max(seq), 0) FROM audit_logs WHERE tenant_id = %s",
                    (tid,))
        before = cur.fetchone()[0]

    statuses = []

    def refused():
        # Cheap requests (no password hashing): each refused, each recorded
        # in a transaction of its own.
        cl = https("acme")
        for _ in range(5):
            r = cl.post("/api/account/tokens", json={"name": "x"},
                        headers={"Origin": cl.origin()})
            statuses.append(r.status_code)
    threads = [threading.Thread(target=refused) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    r = c.get("/api/admin/audit/verify")
    assert r.status_code == 200, r.text
    v = r.json()
    assert statuses == [401] * 20, statuses
    assert v["ok"] and v["gaps"] == [] and v["first_break"] is None, v
    assert v["head_seq"] >= before + 20, (v, statuses)


# ------------------------------------------------------------- checkpoints

def test_checkpoint_verifies_with_openssl_and_fails_after_tampering(stack, https,
                                                                   db_super, tmp_path):
    c, _ = admin(https, db_super)
    anon = https("acme")               # at least one new entry to sign
    anon.post("/api/account/tokens", json={"name": "x"}, headers={"Origin": anon.origin()})
    tid = tenant_id(db_super, "acme")
    with db_super.cursor() as cur:
        cur.execute("SELECT max(seq) FROM audit_logs WHERE tenant_id = %s", (tid,))
        head = cur.fetchone()[0]

    def bring_forward():
        with db_super.cursor() as cur:
            cur.execute("UPDATE job SET run_at = now() WHERE kind = 'audit.checkpoint'"
                        " AND tenant_id = %s AND state = 'queued' RETURNING id", (tid,))
            return cur.fetchone() is not None
    wait_until(bring_forward, 20, what="a scheduled audit.checkpoint job for acme")

    def newest():
        with db_super.cursor() as cur:
            cur.execute("SELECT seq, payload, signature FROM audit_checkpoints WHERE"
                        " tenant_id = %s AND seq >= %s ORDER BY id DESC LIMIT 1",
                        (tid, head))
            return cur.fetchone()
    seq, payload, sig_b64 = wait_until(newest, 20, what="the checkpoint")
    base = os.path.join(stack["MP_VAR"], "audit-checkpoints", "acme-%d" % seq)
    with open(base + ".txt") as f:
        assert f.read() == payload
    assert "seq: %d\n" % seq in payload and "tenant: acme\n" in payload
    # The documented commands, openssl alone (docs/api-audit.md).
    pub = tmp_path / "audit-public.pem"
    subprocess.run(["openssl", "pkey", "-in",
                    os.path.join(stack["MP_VAR"], "audit-signing.pem"),
                    "-pubout", "-out", str(pub)], check=True, timeout=T)
    ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(pub),
                         "-rawin", "-in", base + ".txt", "-sigfile", base + ".sig"],
                        capture_output=True, text=True, timeout=T)
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout, \
        ok.stdout + ok.stderr
    bad = tmp_path / "tampered.txt"
    bad.write_text(payload.replace("seq: %d" % seq, "seq: %d" % (seq + 1)))
    no = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(pub),
                         "-rawin", "-in", str(bad), "-sigfile", base + ".sig"],
                        capture_output=True, text=True, timeout=T)
    assert no.returncode != 0 and "Signature Verified Successfully" not in no.stdout
    # The signature in the database is the same bytes.
    import base64
    with open(base + ".sig", "rb") as f:
        assert base64.b64decode(sig_b64) == f.read()
    # The chain check compares the newest checkpoint with its row.
    v = c.get("/api/admin/audit/verify").json()
    assert v["checkpoint"]["seq"] >= seq and v["checkpoint"]["matches"] is True


# ------------------------------------------------------------- export

BULK_ROWS = 500000


def bulk_tenant(db_super):
    """A tenant holding BULK_ROWS entries (written once per stack, with the
    triggers off: the chain does not matter here, the volume does)."""
    slug = "audit-bulk"
    with db_super.cursor() as c:
        c.execute("SELECT id FROM tenants WHERE slug = %s", (slug,))
        row = c.fetchone()
        if row is None:
            sh_stack("mpanelctl", "tenant", "create", slug, "Audit Bulk")
            c.execute("SELECT id FROM tenants WHERE slug = %s", (slug,))
            row = c.fetchone()
        tid = row[0]
        c.execute("SELECT count(*) FROM audit_logs WHERE tenant_id = %s", (tid,))
        if c.fetchone()[0] < BULK_ROWS:
            c.execute("SET session_replication_role = replica")
            c.execute("INSERT INTO audit_logs (tenant_id, seq, created_at, user_id,"
                      " actor_email, actor_role, action, resource_type, resource_id,"
                      " outcome, status, severity, method, route, changes, ip,"
                      " user_agent, request_id, prev_hash, row_hash)"
                      " SELECT %s, g, now() - interval '300 days'"
                      " + g * interval '50 seconds', 1,"
                      " 'staff@bulk.example', 'admin', 'ARTICLE_UPDATED', 'article',"
                      " 'a' || g, 'success', 303, 'info', 'POST',"
                      " '/staff/help/articles/{id:slug}',"
                      " jsonb_build_object('fields', jsonb_build_object('title',"
                      " 'Title, \"quoted\" ' || g)), '203.0.113.9',"
                      " 'Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0',"
                      " md5(g::text), sha256(g::text::bytea), sha256(g::text::bytea)"
                      " FROM generate_series(1, %s) g", (tid, BULK_ROWS))
            c.execute("SET session_replication_role = origin")
            # What autovacuum would do after such a load.
            c.execute("ANALYZE audit_logs")
    return slug


def test_export_of_500k_rows_streams_in_bounded_memory(stack, https, db_super):
    slug = bulk_tenant(db_super)
    c, _ = admin(https, db_super, slug)
    pool = read_pid(stack["MP_POOL_PIDFILE"])
    kids = children(pool)
    base = {p: rss_kib(p) for p in kids}
    peak = dict(base)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for p in kids:
                peak[p] = max(peak[p], rss_kib(p))
            time.sleep(0.02)
    th = threading.Thread(target=sample)
    th.start()
    t0 = time.monotonic()
    r = c.get("/api/admin/audit/export?format=csv", stream=True, timeout=300)
    lines = 0
    size = 0
    first = None
    try:
        assert r.status_code == 200, r.text[:300]
        assert r.headers["Content-Type"].startswith("text/csv")
        assert "Content-Length" not in r.headers
        for chunk in r.iter_content(65536):
            if first is None:
                first = chunk
            lines += chunk.count(b"\n")
            size += len(chunk)
    finally:
        done.set()
        th.join()
    secs = time.monotonic() - t0
    grow = max(peak[p] - base[p] for p in kids)
    print("\nexport: %d rows, %.1f MB in %.1f s; responder RSS %d KiB before,"
          " peak growth %d KiB" % (lines - 1, size / 1e6, secs,
                                    max(base.values()), grow))
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM audit_logs WHERE tenant_id = (SELECT id"
                    " FROM tenants WHERE slug = %s)", (slug,))
        total = cur.fetchone()[0]
    assert lines == total + 1 and total >= BULK_ROWS
    assert first.startswith(b"id,at,actor_email")
    # The body is far larger than the bound: it was never held whole.
    assert size > 100 * 1024 * 1024
    assert grow < 24 * 1024, grow
    # Every responder is still the same process (none killed for time).
    assert children(pool) == kids


def test_export_csv_and_json_of_a_date_range(https, db_super):
    c, email = admin(https, db_super)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    r = c.get("/api/admin/audit/export?format=json&from=%s&to=%s" % (today, today))
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    rows = r.json()
    assert rows and all(x["at"].startswith(today) for x in rows)
    ids = [x["id"] for x in rows]
    assert ids == sorted(ids)
    assert any(x["action"] == "USER_LOGIN" and x["subject_email"] == email for x in rows)
    r = c.get("/api/admin/audit/export?format=csv&from=%s&to=%s" % (today, today))
    got = list(csv.reader(io.StringIO(r.text)))
    assert got[0][:3] == ["id", "at", "actor_email"] and len(got) == len(rows) + 1
    r = c.get("/api/admin/audit/export?format=xml")
    assert r.status_code == 400 and r.json()["error"]["field"] == "format"
    r = c.get("/api/admin/audit/export?format=csv&from=2026-02-30")
    assert r.status_code == 400 and r.json()["error"]["field"] == "from"
    r = c.get("/api/admin/audit/export?format=csv&from=2999-01-01")
    assert r.status_code == 200 and r.text.count("\n") == 1


# ------------------------------------------------------------- refused requests

def test_rolled_back_request_still_leaves_its_denied_entry(https, db_super):
    email, pw = make_user(db_super, "acme")
    a = https("acme")
    signin(a, email, pw)
    # A second session of the same user, made directly (one password hash
    # less for a busy machine).
    with db_super.cursor() as cur:
        cur.execute("INSERT INTO user_sessions (tenant_id, public_id, user_id, token_hash,"
                    " csrf_token, expires_at, idle_timeout) SELECT tenant_id, 'audit' ||"
                    " md5(random()::text), id, md5(random()::text) || md5(random()::text),"
                    " 'x', now() + interval '1 day', interval '1 day' FROM users"
                    " WHERE email = %s RETURNING id", (email,))
        other = cur.fetchone()[0]
    tok = csrf_from(a.get("/account").text)
    h = {"X-CSRF-Token": tok, "Origin": a.origin()}
    r = a.delete("/api/sessions/all", json={"password": "not-the-password"}, headers=h)
    assert r.status_code == 401
    rows = entries_of(db_super, r.headers["X-Request-Id"])
    assert len(rows) == 1
    action, route, method, outcome, status, changes, uid, _, _, _ = rows[0]
    assert (action, outcome, status) == ("SESSIONS_ENDED", "denied", 401)
    assert "not-the-password" not in changes and "[redacted]" in changes
    assert uid is not None
    # Nothing else of it stayed: the other session is still live.
    with db_super.cursor() as cur:
        cur.execute("SELECT revoked_at IS NULL FROM user_sessions WHERE id = %s", (other,))
        assert cur.fetchone() == (True,)
    # A handler that wrote and then failed: the update ran, was rolled
    # back, and the failure is on record.
    r = a.delete("/api/sessions/zq7sample-xxxxxxxxxxxxxxxxxxxx", headers=h)
    assert r.status_code == 404
    rows = entries_of(db_super, r.headers["X-Request-Id"])
    assert [(x[0], x[3], x[4]) for x in rows] == [("SESSION_REVOKED", "failed", 404)]
    # CSRF refused before the handler ran.
    r = a.post("/logout", data={}, headers=form_headers(a))
    assert r.status_code == 403
    rows = entries_of(db_super, r.headers["X-Request-Id"])
    assert [(x[0], x[3], x[4]) for x in rows] == [("USER_LOGOUT", "denied", 403)]
    # Invalid input, refused before the tenant's transaction began.
    r = a.post("/api/account/tokens", json={"name": ""}, headers=h)
    assert r.status_code == 400
    rows = entries_of(db_super, r.headers["X-Request-Id"])
    assert [(x[0], x[3]) for x in rows] == [("API_TOKEN_CREATED", "failed")]


def test_secrets_never_enter_the_log(https, db_super):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    r = signin(c, email, pw)
    tok = csrf_from(c.get("/account").text)
    h = {"X-CSRF-Token": tok, "Origin": c.origin()}
    r = c.post("/api/account/tokens", json={"name": "ci"}, headers=h)
    assert r.status_code == 201
    token = r.json()["token"]
    # Refused by the validator (the new password is empty): no password
    # hashing, and the fields sent are on record all the same.
    new_pw = "Fresh-" + secrets.token_urlsafe(12)
    r = c.post("/account/password", data={"csrf_token": tok, "current_password": new_pw,
                                          "new_password": ""}, headers=form_headers(c))
    assert r.status_code == 400
    with db_super.cursor() as cur:
        cur.execute("SELECT a.changes::text, coalesce(a.user_agent, '')"
                    " FROM audit_logs a LEFT JOIN users u ON u.tenant_id = a.tenant_id"
                    " AND u.id = a.subject_user_id WHERE u.email = %s"
                    " OR a.request_id = %s", (email, r.headers["X-Request-Id"]))
        texts = [" ".join(x) for x in cur.fetchall()]
    assert len(texts) >= 3
    blob = "\n".join(texts)
    for secret in (pw, new_pw, token, token[4:14], tok):
        assert secret not in blob, secret
    assert '"current_password": "[redacted]"' in blob
    assert '"password": "[redacted]"' in blob


# ------------------------------------------------------------- staff reading

def test_list_filters_and_cursor(https, db_super):
    c, email = admin(https, db_super)
    cust, cpw = make_user(db_super, "acme")
    signin(https("acme"), cust, cpw)
    r = c.get("/api/admin/audit", params={"user": cust, "action": "USER_LOGIN"})
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["total"] == 1 and len(j["entries"]) == 1
    e = j["entries"][0]
    assert e["subject_email"] == cust and e["outcome"] == "success"
    assert e["changes"]["fields"]["password"] == "[redacted]"
    assert e["changes"]["detail"]["device"]
    page1 = c.get("/api/admin/audit", params={"limit": 2}).json()
    page2 = c.get("/api/admin/audit", params={"limit": 2,
                                              "cursor": page1["next_cursor"]}).json()
    ids = [x["id"] for x in page1["entries"] + page2["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    assert int(page1["next_cursor"]) == page1["entries"][-1]["id"]
    r = c.get("/api/admin/audit", params={"severity": "warning", "limit": 200})
    assert r.status_code == 200
    assert all(x["severity"] in ("warning", "error", "critical")
               for x in r.json()["entries"])
    r = c.get("/api/admin/audit", params={"resource": "session", "limit": 5})
    assert all(x["resource_type"] == "session" for x in r.json()["entries"])
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    r = c.get("/api/admin/audit", params={"from": now})
    assert r.json()["total"] == 0
    for bad in ({"from": "2026-13-01T00:00Z"}, {"to": "yesterday"},
                {"limit": "201"}, {"limit": "0"}, {"severity": "loud"},
                {"cursor": "-1"}):
        r = c.get("/api/admin/audit", params=bad)
        assert r.status_code == 400, bad
        assert r.json()["error"]["field"] == list(bad)[0]
    assert c.get("/api/admin/audit", params={"limit": "200"}).status_code == 200


def test_stats(https, db_super):
    c, _ = admin(https, db_super)
    r = c.get("/api/admin/audit/stats?days=30")
    assert r.status_code == 200
    s = r.json()
    assert s["days"] == 30 and len(s["per_day"]) == 30
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert s["per_day"].get(today, 0) >= 1
    assert s["by_action"]["USER_LOGIN"] >= 1
    assert set(s["by_outcome"]) == {"success", "denied", "failed"}
    assert sum(s["by_outcome"].values()) == s["total"]
    assert c.get("/api/admin/audit/stats?days=366").status_code == 200
    for d in ("0", "367", "x"):
        r = c.get("/api/admin/audit/stats?days=" + d)
        assert r.status_code == 400 and r.json()["error"]["field"] == "days"


def test_staff_page_browse_filter_detail_verify(https, db_super):
    c, email = admin(https, db_super)
    r = c.get("/admin/audit?action=USER_LOGIN&user=" + email)
    assert r.status_code == 200
    assert "USER_LOGIN" in r.text and "Verify the chain now" in r.text
    assert "/api/admin/audit/export?format=csv" in r.text
    m = re.search(r'href="/admin/audit/(\d+)"', r.text)
    assert m
    d = c.get("/admin/audit/" + m.group(1))
    assert d.status_code == 200 and "Previous hash" in d.text and "USER_LOGIN" in d.text
    assert c.get("/admin/audit/999999999").status_code == 404
    v = c.get("/admin/audit?verify=1")
    assert v.status_code == 200 and "Verified:" in v.text
    assert c.get("/admin/audit?from=2026-02-31").status_code == 400
    cust, pw = make_user(db_super, "acme")
    cc = https("acme")
    signin(cc, cust, pw)
    assert cc.get("/admin/audit").status_code == 403
    assert cc.get("/api/admin/audit").status_code == 403
    assert cc.get("/api/admin/audit/export?format=csv").status_code == 403


# ------------------------------------------------------------- tenancy

def test_tenant_isolation_of_the_log_and_the_chain(https, db_super, db_app):
    acme = tenant_id(db_super, "acme")
    glob_ = tenant_id(db_super, "globex")
    with db_super.cursor() as cur:
        cur.execute("SELECT coalesce(max(seq), 0) FROM audit_logs WHERE tenant_id = %s",
                    (glob_,))
        g_before = cur.fetchone()[0]
    a, _ = admin(https, db_super, "acme")
    g, _ = admin(https, db_super, "globex")
    mine = a.get("/api/admin/audit?limit=200").json()["entries"]
    theirs = g.get("/api/admin/audit?limit=200").json()["entries"]
    assert not {x["request_id"] for x in mine} & {x["request_id"] for x in theirs}
    assert all(x["actor_email"] is None or "@acme" in x["actor_email"] or
               x["actor_email"].endswith("acme.example") for x in mine)
    # globex's chain moved only by globex's own requests (its admin's sign-in).
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*), min(seq), max(seq) FROM audit_logs"
                    " WHERE tenant_id = %s AND seq > %s", (glob_, g_before))
        n, lo, hi = cur.fetchone()
    assert n >= 1 and lo == g_before + 1 and hi == g_before + n
    with db_app:
        with db_app.cursor() as cur:
            cur.execute("SELECT set_config('app.tenant_id', %s, true)", (str(glob_),))
            cur.execute("SELECT count(*) FROM audit_logs WHERE tenant_id = %s", (acme,))
            assert cur.fetchone()[0] == 0
    with pytest.raises(psycopg2.Error):
        with db_app:
            with db_app.cursor() as cur:
                cur.execute("SELECT set_config('app.tenant_id', %s, true)", (str(glob_),))
                cur.execute("INSERT INTO audit_logs (tenant_id, action, outcome)"
                            " VALUES (%s, 'X_CROSS', 'success')", (acme,))
    with db_app.cursor() as cur:     # no tenant bound: nothing at all
        cur.execute("SELECT count(*) FROM audit_logs")
        assert cur.fetchone()[0] == 0
    assert verify("acme")[1]["ok"] and verify("globex")[1]["ok"]


# ------------------------------------------------------------- customers

def test_customers_see_their_own_security_events(https, db_super):
    email, pw = make_user(db_super, "acme", name="Cara Customer")
    other, opw = make_user(db_super, "acme")
    me = https("acme")
    signin(me, email, pw, user_agent=CHROME)
    signin(https("acme"), other, opw)
    # A failed attempt on my account, a new device on another network.
    bad = https("acme")
    page = bad.get("/login")
    bad.post("/login", data={"csrf_token": csrf_from(page.text), "email": email,
                             "password": "wrong-guess"}, headers=form_headers(bad))
    thief = bind_source(https("acme"), "127.0.7.7")
    signin(thief, email, pw, user_agent=FIREFOX)
    # An admin ends every session of mine.
    adm, admin_email = admin(https, db_super)
    with db_super.cursor() as cur:
        cur.execute("SELECT public_id FROM users WHERE email = %s", (email,))
        (pid,) = cur.fetchone()
    r = post_form(adm, "/admin/users", "/admin/users/%s/sessions/end" % pid, {})
    assert r.status_code == 303
    signin(me, email, pw, user_agent=CHROME)
    r = me.get("/api/account/security-events")
    assert r.status_code == 200, r.text
    ev = r.json()["events"]
    kinds = [(e["action"], e["outcome"]) for e in ev]
    assert ("USER_LOGIN", "success") in kinds and ("USER_LOGIN", "denied") in kinds
    ended = [e for e in ev if e["action"] == "USER_SESSIONS_REVOKED"]
    assert ended and ended[0]["by"] == {"email": admin_email, "role": "admin"}
    assert ended[0]["description"] == "All sessions ended"
    fresh = [e for e in ev if e["new_device"]]
    assert fresh and fresh[0]["ip"] == "127.0.7.7"
    assert fresh[0]["device"].startswith("Firefox 121 on Linux")
    signed = [e for e in ev if e["action"] == "USER_LOGIN" and e["outcome"] == "success"]
    assert signed[0]["device"].startswith("Chrome 120 on Windows")
    # Nothing of the other customer's, nor the admin's own sign-in.
    ids = {e["id"] for e in ev}
    with db_super.cursor() as cur:
        cur.execute("SELECT a.seq FROM audit_logs a JOIN users u ON u.tenant_id ="
                    " a.tenant_id AND (u.id = a.user_id OR u.id = a.subject_user_id)"
                    " WHERE u.email IN (%s, %s) AND a.tenant_id = (SELECT id FROM"
                    " tenants WHERE slug = 'acme')", (other, admin_email))
        foreign = {x[0] for x in cur.fetchall()}
    assert not ids & (foreign - {e["id"] for e in ended})
    # Paging back.
    r1 = me.get("/api/account/security-events?limit=2").json()
    r2 = me.get("/api/account/security-events?limit=2&cursor=%s" %
                r1["next_cursor"]).json()
    assert [e["id"] for e in r1["events"] + r2["events"]] == [e["id"] for e in ev[:4]]
    assert me.get("/api/account/security-events?limit=101").status_code == 400
    assert https("acme").get("/api/account/security-events").status_code == 401


# ------------------------------------------------------------- sessions stats

def test_session_stats_count_sign_ins_from_the_same_events(https, db_super):
    """sign_ins_last_24h and today's sign_ins_per_day both count sign-ins,
    whether the session is still live or was ended since."""
    adm, _ = admin(https, db_super)

    def stats():
        return adm.get("/api/admin/sessions/stats").json()
    today = None
    with db_super.cursor() as cur:
        cur.execute("SELECT to_char(current_date, 'YYYY-MM-DD')")
        today = cur.fetchone()[0]
    s0 = stats()
    email, pw = make_user(db_super, "acme")
    clients = [https("acme") for _ in range(3)]
    for cl in clients:
        signin(cl, email, pw)
    for cl in clients[:2]:
        post_form(cl, "/account", "/logout", {})
    s1 = stats()
    assert s1["sign_ins_last_24h"] - s0["sign_ins_last_24h"] == 3
    assert s1["sign_ins_per_day"][today] - s0["sign_ins_per_day"][today] == 3
    assert s1["active_sessions"] - s0["active_sessions"] == 1



# ------------------------------------------------------------- handler detail

def test_articles_and_incidents_record_before_and_after(https, db_super):
    c, email = admin(https, db_super)
    tok = csrf_from(c.get("/account").text)
    h = {"Origin": c.origin(), "X-CSRF-Token": tok}
    title = "Audit draft " + secrets.token_hex(3)
    r = c.post("/api/kb/admin/articles", json={"title": title, "content": "Body.",
                                               "status": "draft"}, headers=h)
    assert r.status_code == 201, r.text
    art = r.json()["id"]
    rows = entries_of(db_super, r.headers["X-Request-Id"])
    assert rows[0][0] == "ARTICLE_CREATED"
    r = c.put("/api/kb/admin/articles/%s" % art, json={"status": "published"},
              headers=h)
    assert r.status_code == 200, r.text
    with db_super.cursor() as cur:
        cur.execute("SELECT action, resource_type, resource_id, changes->'before'->>'status',"
                    " changes->'after'->>'status', changes->'after'->>'title', actor_email"
                    " FROM audit_logs WHERE request_id = %s", (r.headers["X-Request-Id"],))
        assert cur.fetchone() == ("ARTICLE_PUBLISHED", "article", art, "draft",
                                  "published", title, email)
    r = c.post("/api/status/incidents", json={"name": "Audit incident", "body": "Looking."},
               headers=h)
    assert r.status_code == 201, r.text
    inc = r.json()["id"]
    with db_super.cursor() as cur:
        cur.execute("SELECT action, resource_type, resource_id, changes->'after'->>'name',"
                    " changes->'after'->>'status' FROM audit_logs WHERE request_id = %s",
                    (r.headers["X-Request-Id"],))
        assert cur.fetchone() == ("INCIDENT_CREATED", "incident", inc, "Audit incident",
                                  "investigating")
    r = c.post("/api/status/incidents/%s/updates" % inc,
               json={"status": "resolved", "body": "Done."}, headers=h)
    assert r.status_code == 200, r.text
    rows = entries_of(db_super, r.headers["X-Request-Id"])
    assert rows[0][0] == "INCIDENT_RESOLVED"


def test_account_security_page_shows_the_history(https, db_super):
    email, pw = make_user(db_super, "acme")
    c = https("acme")
    signin(c, email, pw, user_agent=CHROME)
    r = c.get("/account/security")
    assert r.status_code == 200
    assert "Security history" in r.text
    assert "Signed in" in r.text and "Chrome 120 on Windows (desktop)" in r.text
