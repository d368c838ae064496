"""Fixtures for the integration tests: the stack started by scripts/test
(described by MP_* environment variables), HTTPS clients that talk to its
nginx with any tenant's Host, database connections, and scripts/stack.

Run through scripts/test; run by hand against a running stack with
    eval "$(scripts/stack env-print)"; /usr/bin/python3 -m pytest -q tests/integration
"""

import os
import sys
import warnings

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    """Dict of the stack's MP_* variables; skips the session without one."""
    if not os.environ.get("MP_HTTPS_PORT"):
        pytest.skip("no stack: run the tests with scripts/test "
                    "(or export the variables printed by `scripts/stack env-print`)",
                    allow_module_level=True)
    return helpers.stack_env()


class Client:
    """A requests.Session bound to one Host: get("/path") goes to
    https://127.0.0.1:<MP_HTTPS_PORT>/path with Host: <host>.  TLS is not
    verified (self-signed).  Redirects are not followed unless asked
    (allow_redirects=True).  .url(path) gives the full URL; .session is the
    requests.Session (cookies live there)."""

    def __init__(self, host, port, scheme="https"):
        import requests
        import urllib3
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.host = host
        self.port = int(port)
        self.scheme = scheme
        self.base = "%s://127.0.0.1:%d" % (scheme, self.port)
        self.session = requests.Session()
        self.session.verify = False
        # As a browser does: the port is part of Host unless it is the default.
        default = 443 if scheme == "https" else 80
        self.session.headers["Host"] = (
            host if self.port == default else "%s:%d" % (host, self.port))
        self.session.headers["User-Agent"] = "mpanel-tests"

    def url(self, path):
        return self.base + path

    def origin(self):
        """The browser-visible origin of this host, for Origin headers."""
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port == default else ":%d" % self.port
        return "%s://%s%s" % (self.scheme, self.host, port)

    def request(self, method, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 30)
        # Per request: REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment
        # would otherwise override session.verify.
        kw.setdefault("verify", False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.session.request(method, self.url(path), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def close(self):
        self.session.close()


@pytest.fixture
def https(stack):
    """Factory: https("acme") or https("acme.localhost") -> Client for that
    tenant host; https() -> the bare base domain.  port= targets another
    nginx server (an extra pool).  Sessions are closed after the test."""
    made = []
    base = stack["MP_BASE_DOMAIN"]

    def make(host=None, port=None):
        if host is None:
            host = base
        elif "." not in host and host != base:
            host = "%s.%s" % (host, base)
        c = Client(host, port or stack["MP_HTTPS_PORT"])
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def http(stack):
    """Factory like https() but plain HTTP to MP_HTTP_PORT (the redirect
    server)."""
    made = []
    base = stack["MP_BASE_DOMAIN"]

    def make(host=None):
        if host is None:
            host = base
        elif "." not in host and host != base:
            host = "%s.%s" % (host, base)
        c = Client(host, stack["MP_HTTP_PORT"], scheme="http")
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def _connect(stack, role):
    import psycopg2
    conn = psycopg2.connect(host=stack["MP_PG_HOST"], port=stack["MP_PG_PORT"],
                            dbname=stack["MP_DB"], user=role,
                            application_name="pytest", connect_timeout=10)
    conn.autocommit = True
    return conn


@pytest.fixture
def db_app(stack):
    """psycopg2 connection as the app role (RLS applies; autocommit on: use
    `with conn:` or BEGIN for a transaction and set_config(..., true))."""
    conn = _connect(stack, stack["MP_APP_ROLE"])
    yield conn
    conn.close()


@pytest.fixture
def db_owner(stack):
    """psycopg2 connection as the owner role (autocommit on)."""
    conn = _connect(stack, stack["MP_OWNER_ROLE"])
    yield conn
    conn.close()


@pytest.fixture
def db_super(stack):
    """psycopg2 connection as the superuser (autocommit on)."""
    conn = _connect(stack, stack["MP_SUPER_ROLE"])
    yield conn
    conn.close()


@pytest.fixture
def sh_stack(stack):
    """sh_stack("pg-stop") runs scripts/stack; returns the CompletedProcess,
    raises on failure (check=False to allow it)."""
    return helpers.sh_stack


@pytest.fixture
def pool_extra(stack):
    """Factory: pool_extra("small", max_requests=5, workers=1) starts an extra
    pool with those config keys behind its own nginx server and returns its
    HTTPS port; all are stopped after the test."""
    names = []

    def start(name, **keys):
        args = ["pool-extra", name] + ["%s=%s" % kv for kv in keys.items()]
        port = int(helpers.sh_stack(*args).stdout.split()[-1])
        names.append(name)
        return port

    yield start
    for n in names:
        helpers.sh_stack("pool-extra-stop", n, check=False)


@pytest.fixture
def mailbox(stack):
    """Module helpers for caught mail: mailbox.read(), mailbox.wait(to=...)."""
    class Mailbox:
        read = staticmethod(lambda: helpers.read_mail(stack["MP_MAILDIR"]))
        wait = staticmethod(lambda to=None, timeout=15.0, count=1:
                            helpers.wait_for_mail(to, timeout, count, stack["MP_MAILDIR"]))
    return Mailbox


@pytest.fixture
def sms_outbox(stack):
    """Callable returning every request the SMS stand-in received."""
    return lambda: helpers.read_sms(stack["MP_SMS_DIR"])
