"""The process manager, through nginx over TLS: responders killed, recycled,
timed out and replaced; reload (HUP) without a failed request, a bad
configuration on reload, graceful (QUIT) and fast (TERM) stops, the
database going away under load, `mpanel-fcgi -t`, and refusing to start on
a database that lacks a migration.

Most tests run an extra pool (scripts/stack pool-extra) so the shared one
keeps its settings; /_test/sleep?ms=N answers {"slept_ms": N, "pid": PID}
from the responder that served it."""

import os
import re
import shutil
import signal
import subprocess
import threading
import time

import pytest
import requests

from helpers import children, read_pid, wait_until

T = 10          # seconds: the timeout of every request that should be quick


def pid_of(client, ms=0, timeout=T):
    r = client.get("/_test/sleep?ms=%d" % ms, timeout=timeout)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return r.json()["pid"]


def generation(client):
    r = client.get("/healthz", timeout=T)
    assert r.status_code == 200, r.text
    return r.json()["generation"]


def alive(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("State:"):
                    return line.split()[1] not in ("Z", "X")
    except OSError:
        return False
    return False


def extra_pid(sh_stack, name):
    return int(sh_stack("pool-extra-pid", name).stdout.split()[0])


def extra_log(stack, name):
    path = os.path.join(stack["MP_LOG_DIR"], "extra-%s.log" % name)
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


class Loop:
    """Background threads sending requests until stopped; records every answer
    not in ok and every exception."""

    def __init__(self, client, paths, threads=2, ok=(200,)):
        self.client = client
        self.paths = paths
        self.ok = ok
        self.stop = threading.Event()
        self.failures = []
        self.statuses = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(threads)]

    def _run(self, i):
        # One session per thread: requests.Session is not thread-safe.
        s = requests.Session()
        s.verify = False
        s.headers.update(self.client.session.headers)
        n = i
        while not self.stop.is_set():
            path = self.paths[n % len(self.paths)]
            n += 1
            # ("POST", path, ok statuses): a POST the application answers.
            method, ok = "GET", self.ok
            if isinstance(path, tuple):
                method, path, ok = path
            try:
                r = s.request(method, self.client.url(path), timeout=T,
                              verify=False, allow_redirects=False,
                              data={"email": "x@example.com"} if method == "POST" else None)
                with self.lock:
                    self.statuses.append((time.monotonic(), path, r.status_code,
                                          r.headers.get("Retry-After"),
                                          r.headers.get("Content-Type", "")))
                    if r.status_code not in ok:
                        self.failures.append((path, r.status_code, r.text[:200]))
            except requests.RequestException as e:
                with self.lock:
                    self.failures.append((path, "exception", repr(e)))
        s.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(T + 5)

    def count(self):
        with self.lock:
            return len(self.statuses)


# ------------------------------------------------------------ responders

def test_kill_9_a_responder_and_requests_keep_succeeding(https, sh_stack, stack):
    c = https("acme")
    master = read_pid(stack["MP_POOL_PIDFILE"])
    kids = children(master)
    assert len(kids) >= 2

    def kill_one():
        # Under load a responder may recycle (max_requests) just before.
        for pid in children(master):
            try:
                os.kill(pid, signal.SIGKILL)
                return pid
            except ProcessLookupError:
                continue
        return None

    with Loop(c, ["/", "/healthz/live", "/healthz"]) as loop:
        wait_until(lambda: loop.count() >= 10, 10, what="requests before the kill")
        victim = wait_until(kill_one, 5, what="a responder to kill")
        # Replaced: same number of responders, the victim not among them.
        wait_until(lambda: (lambda k: victim not in k and len(k) == len(kids))(
            children(master)), 10, what="a replacement responder")
        replaced = time.monotonic()
        n = loop.count()
        wait_until(lambda: loop.count() >= n + 30, 15, what="requests after the kill")
    # The one request the victim was serving when it died, if it was busy,
    # is lost (nginx's 502: there is no other server to retry on); every
    # other request, and every one after the replacement, succeeds.
    bad = [s for s in loop.statuses if s[2] != 200]
    assert len(bad) <= 1, bad
    assert all(s[2] == 502 and s[0] <= replaced for s in bad), bad
    assert [s for s in loop.failures if s[1] == "exception"] == []
    assert sum(1 for s in loop.statuses if s[0] > replaced and s[2] == 200) >= 30
    assert read_pid(stack["MP_POOL_PIDFILE"]) == master
    # The master logged why.  A victim that had just served its last
    # request (max_requests) was already leaving when the signal came: it
    # logged its recycling itself, and no kill is to be reported.
    with open(os.path.join(stack["MP_LOG_DIR"], "mpanel.log")) as f:
        log = f.read()
    recycled = re.search(r"pid=%d req=\S+ recycling after" % victim, log)
    assert recycled or "responder %d killed by signal 9" % victim in log


def test_responder_recycles_after_max_requests(https, pool_extra, stack):
    """max_requests = 5 (jitter: up to 10%, i.e. 5 // 10 = 0 extra): a new
    responder serves exactly five requests, then another takes over."""
    c = https("acme", port=pool_extra("recycle", max_requests=5, workers=1))
    # The first responder already answered nginx's start-up probe: wait
    # for a fresh one.
    first = pid_of(c)
    pids = [first]
    while pids[-1] == first:
        pids.append(pid_of(c))
        assert len(pids) <= 7, pids
    fresh = pids[-1]
    run = [fresh] + [pid_of(c) for _ in range(5)]
    assert run[:5] == [fresh] * 5, run
    assert run[5] != fresh, run
    assert "recycling after 5 requests" in extra_log(stack, "recycle")


def test_request_past_request_timeout_is_killed_and_pool_recovers(
        https, pool_extra, stack):
    c = https("acme", port=pool_extra("timeout", request_timeout=1, workers=1))
    before = pid_of(c)
    t0 = time.monotonic()
    r = c.get("/_test/sleep?ms=4000", timeout=T)
    took = time.monotonic() - t0
    assert 500 <= r.status_code <= 504, r.status_code
    assert "slept_ms" not in r.text
    assert 1.0 <= took < 3.0, took
    # The next request is served, by a new responder.
    after = pid_of(c)
    assert after != before
    assert not alive(before)
    assert re.search(r"responder %d: request running for \d+ ms, past "
                     r"request_timeout; killing it" % before,
                     extra_log(stack, "timeout"))


# ---------------------------------------------------------------- reload

def test_hup_under_load_fails_no_request(https, sh_stack, stack):
    """Reloads under a steady loop of requests, slow ones among them that
    the old responders must finish, and POSTs, which nginx never retries:
    every one must be answered by the application."""
    c = https("acme")
    master = read_pid(stack["MP_POOL_PIDFILE"])
    for _ in range(3):
        gen = generation(c)
        old = set(children(master))
        # A POST without a CSRF token is refused by the application (403):
        # anything else (nginx's 502) means the reload lost it.
        with Loop(c, ["/", "/_test/sleep?ms=300", "/healthz/live",
                      ("POST", "/password/forgot", (403,)),
                      "/healthz", "/login"], threads=3) as loop:
            wait_until(lambda: loop.count() >= 20, 10, what="requests before HUP")
            sh_stack("pool-reload")
            # The new generation answers; the old one is gone.
            wait_until(lambda: generation(c) == gen + 1, 10,
                       what="generation %d" % (gen + 1))
            wait_until(lambda: not (old & set(children(master))), 10,
                       what="the old responders to leave")
            n = loop.count()
            wait_until(lambda: loop.count() >= n + 20, 10,
                       what="requests after HUP")
        assert loop.failures == [], loop.failures[:5]
        assert read_pid(stack["MP_POOL_PIDFILE"]) == master


def test_bad_config_on_hup_keeps_the_old_generation(https, pool_extra,
                                                    sh_stack, stack):
    name = "badcfg"
    c = https("acme", port=pool_extra(name, workers=2))
    assert generation(c) == 1
    kids = set(children(extra_pid(sh_stack, name)))
    conf = sh_stack("pool-extra-conf", name).stdout.strip()
    with open(conf) as f:
        good = f.read()
    with open(conf, "a") as f:
        f.write("workers = abc\n")
    with Loop(c, ["/", "/healthz/live"]) as loop:
        wait_until(lambda: loop.count() >= 5, 10, what="requests")
        sh_stack("pool-extra-signal", name, "HUP")
        wait_until(lambda: "reload refused" in extra_log(stack, name), 10,
                   what="the refusal in the log")
        n = loop.count()
        wait_until(lambda: loop.count() >= n + 10, 10, what="requests after HUP")
    assert loop.failures == []
    assert generation(c) == 1
    assert set(children(extra_pid(sh_stack, name))) == kids
    assert re.search(r"reload refused, keeping generation 1: .*workers is not "
                     r"a number", extra_log(stack, name))
    # Mended, the same signal reloads.
    with open(conf, "w") as f:
        f.write(good)
    sh_stack("pool-extra-signal", name, "HUP")
    wait_until(lambda: generation(c) == 2, 10, what="generation 2")


@pytest.fixture
def shared_tmp(stack):
    """A directory the pool's user can read (pytest's tmp_path may sit
    under a private parent), removed afterwards."""
    import tempfile
    d = tempfile.mkdtemp(prefix="pytest-", dir=stack["MP_VAR"])
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_broken_template_on_hup_keeps_the_old_generation(https, pool_extra,
                                                         sh_stack, stack,
                                                         shared_tmp):
    """HUP re-reads the templates too: one that does not parse is refused
    like a bad key."""
    tpl = os.path.join(shared_tmp, "templates")
    shutil.copytree(os.path.join(stack["MP_VAR"], "app", "templates"), tpl)
    for root, dirs, files in os.walk(tpl):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    name = "badtpl"
    c = https("acme", port=pool_extra(name, workers=1, templates_dir=tpl))
    assert "Acme Hosting" in c.get("/", timeout=T).text
    with open(os.path.join(tpl, "home", "index.cs"), "a") as f:
        f.write('<?cs if:Broken ?>never closed\n')
    sh_stack("pool-extra-signal", name, "HUP")
    wait_until(lambda: "reload refused" in extra_log(stack, name), 10,
               what="the refusal in the log")
    r = c.get("/", timeout=T)
    assert r.status_code == 200 and "Acme Hosting" in r.text
    assert generation(c) == 1


# ------------------------------------------------------------------ stops

def test_quit_lets_a_slow_request_finish(https, pool_extra, sh_stack):
    name = "quit"
    c = https("acme", port=pool_extra(name, workers=1))
    master = extra_pid(sh_stack, name)
    got = {}

    def slow():
        t0 = time.monotonic()
        try:
            got["r"] = c.get("/_test/sleep?ms=2000", timeout=T)
        except requests.RequestException as e:
            got["r"] = e
        got["took"] = time.monotonic() - t0

    t = threading.Thread(target=slow, daemon=True)
    t.start()
    time.sleep(0.5)
    sh_stack("pool-extra-signal", name, "QUIT")
    t.join(T)
    r = got["r"]
    assert not isinstance(r, Exception), r
    assert r.status_code == 200
    assert r.json()["slept_ms"] == 2000
    assert got["took"] >= 2.0
    # Then the pool is gone: no responder was left behind.
    wait_until(lambda: not alive(master), 5, what="the master to exit")


def test_term_stops_fast(https, pool_extra, sh_stack):
    name = "term"
    c = https("acme", port=pool_extra(name, workers=2))
    master = extra_pid(sh_stack, name)
    kids = children(master)
    assert len(kids) == 2
    got = {}

    def slow():
        try:
            got["r"] = c.get("/_test/sleep?ms=4000", timeout=T)
        except requests.RequestException as e:
            got["r"] = e

    t = threading.Thread(target=slow, daemon=True)
    t.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    sh_stack("pool-extra-signal", name, "TERM")
    wait_until(lambda: not alive(master) and not any(map(alive, kids)), 3,
               interval=0.05, what="master and responders to exit")
    assert time.monotonic() - t0 < 1.5
    t.join(T)
    # The request in flight was cut short, not finished.
    r = got["r"]
    assert isinstance(r, Exception) or r.status_code >= 500


def extra_access_lines(stack, name):
    path = os.path.join(stack["MP_LOG_DIR"], "extra-%s-access.log" % name)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.readlines()
    except FileNotFoundError:
        return []


def lines_of(lines, rid):
    return [line for line in lines if " req=%s " % rid in line]


def test_access_lines_of_a_burst_are_all_written(https, pool_extra, stack):
    """Responders write their access lines in batches: every request of a
    burst from several clients at once has its one whole line soon
    after."""
    name = "accburst"
    port = pool_extra(name, workers=2)
    ids, errors = [], []

    def client():
        c = https("acme", port=port)
        c.session.headers["X-Mpanel-No-Cache"] = "1"
        for _ in range(15):
            r = c.get("/_test/sleep?ms=0", timeout=T)
            if r.status_code != 200:
                errors.append(r.status_code)
            ids.append(r.headers["X-Request-Id"])

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(2 * T)
    assert errors == [] and len(set(ids)) == 60

    def all_there():
        lines = extra_access_lines(stack, name)
        return lines if all(lines_of(lines, i) for i in ids) else None

    lines = wait_until(all_there, 5, interval=0.05,
                       what="an access line for each of 60 requests")
    for i in ids:
        mine = lines_of(lines, i)
        assert len(mine) == 1, mine
        assert re.match(r'^\S+Z prog=mpanel-fcgi pid=\d+ req=%s \S+ '
                        r'"GET /_test/sleep" 200 ' % i, mine[0]), mine[0]
        assert re.search(r" host=acme\.\S+ tenant=\S+\n$", mine[0]), mine[0]


def test_term_writes_the_access_lines_a_busy_responder_holds(
        https, pool_extra, sh_stack, stack):
    """A responder that goes straight from one request to the next holds
    the first one's access line; TERM writes it before the responder
    exits."""
    name = "accterm"
    port = pool_extra(name, workers=1)
    master = extra_pid(sh_stack, name)
    kids = children(master)
    got = {}

    def first():
        c = https("acme", port=port)
        c.session.headers["X-Mpanel-No-Cache"] = "1"
        got["a"] = c.get("/_test/sleep?ms=400", timeout=T)

    def second():
        c = https("acme", port=port)
        c.session.headers["X-Mpanel-No-Cache"] = "1"
        try:
            c.get("/_test/sleep?ms=4000", timeout=T)
        except requests.RequestException:
            pass

    ta = threading.Thread(target=first, daemon=True)
    tb = threading.Thread(target=second, daemon=True)
    ta.start()
    time.sleep(0.15)
    # Queued behind the first: the responder takes it as soon as the
    # first is answered, without a moment idle in between.
    tb.start()
    ta.join(T)
    assert got["a"].status_code == 200
    rid = got["a"].headers["X-Request-Id"]
    time.sleep(0.5)
    sh_stack("pool-extra-signal", name, "TERM")
    wait_until(lambda: not alive(master) and not any(map(alive, kids)), 5,
               interval=0.05, what="master and responders to exit")
    tb.join(T)
    mine = lines_of(extra_access_lines(stack, name), rid)
    assert len(mine) == 1, mine
    assert '"GET /_test/sleep" 200 ' in mine[0]


# -------------------------------------------------------------- database

def test_postgresql_restart_under_load_gives_503_then_recovers(
        https, sh_stack, stack):
    c = https("acme")
    # The pool's answers, not nginx's page cache (which would serve the
    # home page's copy through the outage: test_cache.py).
    c.session.headers["X-Mpanel-No-Cache"] = "1"
    master = read_pid(stack["MP_POOL_PIDFILE"])
    log = os.path.join(stack["MP_LOG_DIR"], "mpanel.log")
    log_from = os.path.getsize(log)
    assert generation(c) >= 1
    try:
        with Loop(c, ["/healthz", "/"], threads=2, ok=(200, 503)) as loop:
            wait_until(lambda: loop.count() >= 10, 10, what="requests")
            sh_stack("pg-stop")
            down = time.monotonic()
            # Both routes answer 503, in their own formats, with Retry-After.
            h = c.get("/healthz", timeout=T)
            assert h.status_code == 503
            assert h.headers["Content-Type"].startswith("application/json")
            assert h.json()["database"] == "unreachable"
            assert h.headers.get("Retry-After") == "5"
            p = c.get("/", timeout=T)
            assert p.status_code == 503
            assert p.headers["Content-Type"].startswith("text/html")
            assert "temporarily unavailable" in p.text
            assert p.headers.get("Retry-After") == "5"
            time.sleep(1)
            up = time.monotonic()
            sh_stack("pg-start")
            wait_until(lambda: c.get("/healthz", timeout=T).status_code == 200
                       and c.get("/", timeout=T).status_code == 200, 5,
                       what="200 again")
            n = loop.count()
            wait_until(lambda: loop.count() >= n + 10, 10, what="requests after")
    finally:
        sh_stack("pg-start")
    assert loop.failures == [], loop.failures[:5]
    during = [s for s in loop.statuses if down + 0.2 < s[0] < up]
    assert all(s[2] == 503 and s[3] == "5" for s in during), during[:5]
    # Straight to PostgreSQL, every request of the outage is answered at
    # once.  Through PgBouncer (MP_PGBOUNCER=1) a query may instead wait
    # for the server to come back (its query_wait_timeout) and answer
    # after it: only the two requests above are sure to be refused.
    if stack.get("MP_PGBOUNCER", "0") != "1":
        assert during, "no answer while PostgreSQL was down"
    # Not restarted: same master, and no responder crashed or gave up
    # (under this load they do recycle after max_requests, which is fine).
    assert read_pid(stack["MP_POOL_PIDFILE"]) == master
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(log_from)
        lines = f.read().splitlines()
    assert [l for l in lines if re.search(
        r"killed by signal|exited with status|fatal configuration", l)] == []
    # And the pages are whole again.
    assert "Acme Hosting" in c.get("/", timeout=T).text


# ----------------------------------------------------- configuration checks

def fcgi_bin(stack):
    return os.path.join(stack["MP_VAR"], "app", "bin", "mpanel-fcgi")


def conf_with(stack, path, **keys):
    """A copy of the stack's config with keys replaced, at path."""
    with open(stack["MP_CONF"]) as f:
        lines = [l for l in f if l.split("=", 1)[0].strip() not in keys]
    lines += ["%s = %s\n" % kv for kv in keys.items()]
    with open(path, "w") as f:
        f.writelines(lines)
    return str(path)


def test_dash_t_checks_the_configuration(stack, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPANEL_")}
    ok = subprocess.run([fcgi_bin(stack), "-t", "-c", stack["MP_CONF"]],
                        capture_output=True, text=True, timeout=T, env=env)
    assert ok.returncode == 0, ok.stderr
    assert "is ok" in ok.stdout
    cases = [
        ({"workers": "abc"}, {}, r"workers is not a number"),
        ({"workers": "0"}, {}, r"workers must be between 1 and 256"),
        ({"max_body": "-5"}, {}, r"max_body"),
        ({"templates_dir": str(tmp_path / "nowhere")}, {}, r"nowhere"),
        ({}, {"MPANEL_WORKERS": "many"}, r"MPANEL_WORKERS: workers"),
    ]
    for i, (keys, extra_env, why) in enumerate(cases):
        conf = conf_with(stack, tmp_path / ("bad%d.conf" % i), **keys)
        p = subprocess.run([fcgi_bin(stack), "-t", "-c", conf],
                           capture_output=True, text=True, timeout=T,
                           env=dict(env, **extra_env))
        assert p.returncode != 0, (keys, extra_env, p.stdout)
        assert re.search(why, p.stderr), (keys, p.stderr)
        assert "is ok" not in p.stdout
    # An unknown key is named with its line.
    conf = tmp_path / "unknown.conf"
    with open(conf, "w") as f:
        f.write("workers = 2\nno_such_key = 1\n")
    p = subprocess.run([fcgi_bin(stack), "-t", "-c", str(conf)],
                       capture_output=True, text=True, timeout=T, env=env)
    assert p.returncode != 0
    assert 'unknown.conf:2: unknown key "no_such_key"' in p.stderr


def test_refuses_to_start_on_a_database_lacking_a_migration(stack, tmp_path):
    sqldir = tmp_path / "sql"
    shutil.copytree(os.path.join(stack["MP_VAR"], "app", "sql"), sqldir)
    with open(sqldir / "migrations" / "9999_not_applied.sql", "w") as f:
        f.write("CREATE TABLE never_applied (id int);\n")
    os.chmod(tmp_path, 0o755)
    log = tmp_path / "pool.log"
    pidfile = tmp_path / "pool.pid"
    sock = tmp_path / "pool.sock"
    conf = conf_with(stack, tmp_path / "mpanel.conf", sql_dir=str(sqldir),
                     listen="unix:%s" % sock, pid_file=str(pidfile),
                     log_file=str(log), access_log=str(tmp_path / "acc.log"),
                     workers="1")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPANEL_")}
    p = subprocess.run([fcgi_bin(stack), "-c", conf], capture_output=True,
                       text=True, timeout=30, env=env)
    assert p.returncode == 78, (p.returncode, p.stderr)
    with open(log) as f:
        text = f.read()
    assert re.search(r"refusing to start: .*lacks migration 9999_not_applied", text), text
    assert not pidfile.exists() and not sock.exists()
    # The same config without the extra file starts (the control).
    os.unlink(sqldir / "migrations" / "9999_not_applied.sql")
    ok = subprocess.Popen([fcgi_bin(stack), "-c", conf], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: pidfile.exists() and sock.exists(), 10,
                   what="the pool to start")
        assert ok.poll() is None
    finally:
        ok.send_signal(signal.SIGTERM)
        assert ok.wait(10) == 0
