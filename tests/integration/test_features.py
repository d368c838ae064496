"""The feature modules as an operator sees them: `mpanel-fcgi -T` prints the
merged route and job tables, `mpanelctl check-sql` PREPAREs every statement
of every feature against the migrated schema, and test-only routes answer
only where test_routes is on."""
import os
import re
import subprocess

from helpers import sh_stack

T = 30


def fcgi_bin(stack):
    return os.path.join(stack["MP_VAR"], "app", "bin", "mpanel-fcgi")


def dash_T(stack):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPANEL_")}
    return subprocess.run([fcgi_bin(stack), "-T", "-c", stack["MP_CONF"]],
                          capture_output=True, text=True, timeout=T, env=env)


def test_every_statement_prepares_against_the_schema(stack):
    out = sh_stack("mpanelctl", "check-sql").stdout
    m = re.search(r"check-sql: (\d+) statements, (\d+) failed", out)
    assert m, out
    assert int(m.group(1)) > 150, out
    assert m.group(2) == "0", out


def test_dash_T_prints_the_whole_surface(stack):
    p = dash_T(stack)
    assert p.returncode == 0, p.stdout + p.stderr
    routes, jobs = p.stdout.split("# jobs:", 1)
    lines = [l.split() for l in routes.splitlines()
             if l and not l.startswith("#")]
    features = {l[4] for l in lines if len(l) >= 5}
    assert {"home", "accounts", "queue", "notify", "status", "kb",
            "testing"} <= features
    by = {(l[0], l[1]): l for l in lines}
    # method, pattern, auth, csrf, feature
    assert by[("POST", "/login")][2:5] == ["public", "csrf", "accounts"]
    assert by[("GET", "/admin/users")][2:5] == ["admin", "-", "accounts"]
    assert by[("GET", "/staff/status")][2:5] == ["staff", "-", "status"]
    assert by[("GET", "/status")][4] == "status"
    assert "fallback" in by[("GET", "/status")]
    assert "test_routes" in by[("GET", "/_test/sleep")]
    kinds = {l.split()[0]: l.split() for l in jobs.splitlines()[1:] if l}
    assert kinds["email.send"][3] == "notify"
    assert kinds["status.tick"][2] == "30s"
    assert kinds["status.tick"][-1] == "serial"
    assert kinds["kb.retention"][2] == "86400s"


def test_test_routes_exist_only_where_enabled(https, pool_extra):
    """The test stack runs with test_routes = 1; a pool without it has no
    such route at all (404, as for any unknown path), and its other routes
    are unchanged."""
    c = https("acme")
    assert c.get("/_test/sleep?ms=1", timeout=T).status_code == 200
    port = pool_extra("notest", test_routes=0, workers=1)
    c = https("acme", port=port)
    assert c.get("/_test/sleep?ms=1", timeout=T).status_code == 404
    r = c.post("/_test/queue/mail", json={"to": "a@example.net",
                                          "subject": "x"}, timeout=T)
    assert r.status_code == 404
    assert c.get("/status", timeout=T).status_code == 200
