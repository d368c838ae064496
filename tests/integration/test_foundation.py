"""The foundation through nginx over TLS: health checks, security headers,
HTTPS redirect, error pages in HTML and JSON, request limits (body, JSON,
path, query), request ids and the access log, tenants by Host, brand CSS
and static files."""

import gzip
import http.client
import json
import os
import re
import secrets
import ssl
import time

import pytest

from auth import csrf_from, make_user, signin

TIMEOUT = 15

# reference/security.md, "Headers": the exact values.
HSTS = "max-age=63072000; includeSubDomains"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
       "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
       "form-action 'self'")


def raw_get(stack, host, path, port=None, headers=None, method="GET"):
    """Send path to nginx exactly as written (requests and urllib3 would
    remove dot segments); returns (status, headers dict lower-cased, body)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection("127.0.0.1",
                                    int(port or stack["MP_HTTPS_PORT"]),
                                    context=ctx, timeout=TIMEOUT)
    try:
        h = {"Host": host, "User-Agent": "mpanel-tests"}
        h.update(headers or {})
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        body = r.read().decode("utf-8", "replace")
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        c.close()


def host_of(stack, slug):
    return "%s.%s" % (slug, stack["MP_BASE_DOMAIN"])


def access_lines(stack, needle, name="mpanel-access.log"):
    path = os.path.join(stack["MP_LOG_DIR"], name)
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line for line in f if needle in line]


def wait_access_lines(stack, needle, count=1, timeout=5.0):
    """The access-log lines holding needle, once there are count of them
    (the line is written after the response, so allow a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = access_lines(stack, needle)
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def tenant_names(db_super):
    with db_super.cursor() as cur:
        cur.execute("SELECT slug, name FROM tenants WHERE slug IN"
                    " ('acme', 'globex')")
        return dict(cur.fetchall())


# ------------------------------------------------------------ health

def test_healthz_reports_database_version_generation(https):
    r = https("acme").get("/healthz", timeout=TIMEOUT)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", body["version"]), body
    assert isinstance(body["generation"], int) and body["generation"] >= 1
    assert r.headers["Cache-Control"] == "no-store"


def test_healthz_answers_on_the_bare_domain_too(https):
    # No tenant needed: load balancers probe the base domain.
    r = https().get("/healthz", timeout=TIMEOUT)
    assert r.status_code == 200
    assert r.json()["database"] == "ok"


def test_healthz_live(https):
    r = https().get("/healthz/live", timeout=TIMEOUT)
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------- headers

def assert_security_headers(r):
    h = r.headers
    assert h.get("Strict-Transport-Security") == HSTS, (r.url, h)
    assert h.get("Content-Security-Policy") == CSP, (r.url, h)
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    pp = h.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in pp, pp


@pytest.mark.parametrize("path,status", [
    ("/", 200),                          # page from the pool
    ("/healthz", 200),                   # JSON from the pool
    ("/no-such-page", 404),              # error page from the pool
    ("/api/no-such-thing", 404),         # JSON error from the pool
    ("/static/css/site.css", 200),       # file from nginx
    ("/static/no-such-file.css", 404),   # nginx's own error
    ("/favicon.ico", 200),               # brand file from nginx or the pool
])
def test_security_headers_everywhere(https, path, status):
    r = https("acme").get(path, timeout=TIMEOUT)
    assert r.status_code == status
    assert_security_headers(r)


def test_security_headers_on_nginx_limits(https):
    # A 413 produced by nginx itself still carries them.
    r = https("acme").post("/login", data=b"x" * (1024 * 1024 + 1),
                           headers={"Content-Type": "text/plain"},
                           timeout=TIMEOUT)
    assert r.status_code == 413
    assert_security_headers(r)


def test_http_redirects_to_https(http, stack):
    c = http("acme")
    r = c.get("/account/sessions?x=1&y=2", timeout=TIMEOUT)
    assert r.status_code == 301
    port = int(stack["MP_HTTPS_PORT"])
    suffix = "" if port == 443 else ":%d" % port
    assert r.headers["Location"] == (
        "https://%s%s/account/sessions?x=1&y=2" % (c.host, suffix))
    # Posts too: nothing is served over plain HTTP.
    assert c.post("/login", data={"a": "b"}, timeout=TIMEOUT).status_code == 301


# ------------------------------------------------------- 404 and 405

def test_404_html(https):
    r = https("acme").get("/no-such-page", timeout=TIMEOUT)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<h1>Not Found</h1>" in r.text
    assert "There is no page at this address." in r.text
    assert "Acme Hosting" in r.text          # inside the tenant's layout


def test_404_json_under_api(https):
    r = https("acme").get("/api/no-such-thing", timeout=TIMEOUT)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    err = r.json()["error"]
    assert err["code"] == "not_found"
    assert err["message"] == "There is no page at this address."


def test_404_json_when_the_client_asks_for_json(https):
    r = https("acme").get("/no-such-page", timeout=TIMEOUT,
                          headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_405_html_with_allow(https):
    r = https("acme").delete("/", timeout=TIMEOUT)
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    assert r.headers["Content-Type"].startswith("text/html")
    assert "DELETE is not allowed here." in r.text


def test_405_json_with_allow(https):
    # /api/sessions answers GET; /api/account/tokens answers POST only.
    c = https("acme")
    r = c.put("/api/sessions", timeout=TIMEOUT)
    assert r.status_code == 405
    allow = [m.strip() for m in r.headers["Allow"].split(",")]
    assert "GET" in allow and "PUT" not in allow
    err = r.json()["error"]
    assert err["code"] == "method_not_allowed"
    assert err["message"] == "PUT is not allowed here."
    r = c.get("/api/account/tokens", timeout=TIMEOUT)
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_405_json_by_accept(https):
    r = https("acme").delete("/", timeout=TIMEOUT,
                             headers={"Accept": "application/json"})
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    assert r.json()["error"]["code"] == "method_not_allowed"


# ------------------------------------------------------------ bodies

def test_body_over_nginx_cap_gives_413(https):
    # nginx's client_max_body_size is 1m.
    c = https("acme")
    r = c.post("/api/account/tokens", data=b"{" + b" " * (1024 * 1024),
               headers={"Content-Type": "application/json"}, timeout=TIMEOUT)
    assert r.status_code == 413


def test_body_cap_of_the_pool_itself(https, pool_extra, db_super):
    """Behind an nginx that lets 1 MiB through, a pool with max_body = 1000
    refuses 1001 bytes itself and accepts exactly 1000."""
    port = pool_extra("body", max_body=1000, workers=1)
    c = https("acme", port=port)
    email, pw = make_user(db_super, "acme")
    signin(c, email, pw)
    csrf = csrf_from(c.get("/account", timeout=TIMEOUT).text)

    def body_of(size):
        name = "body-" + secrets.token_hex(4)
        doc = {"name": name, "pad": ""}
        doc["pad"] = "p" * (size - len(json.dumps(doc)))
        b = json.dumps(doc).encode()
        assert len(b) == size
        return name, b

    def post(b):
        return c.post("/api/account/tokens", data=b, timeout=TIMEOUT,
                      headers={"Content-Type": "application/json",
                               "X-CSRF-Token": csrf,
                               "Origin": c.origin(),
                               "Sec-Fetch-Site": "same-origin"})

    name, b = body_of(1001)
    r = post(b)
    assert r.status_code == 413
    err = r.json()["error"]
    assert err["code"] == "too_large"
    assert err["message"] == "The request body is larger than 1000 bytes."
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM api_tokens WHERE name = %s", (name,))
        assert cur.fetchone()[0] == 0

    name, b = body_of(1000)
    r = post(b)
    assert r.status_code in (200, 201), r.text
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM api_tokens WHERE name = %s", (name,))
        assert cur.fetchone()[0] == 1


@pytest.mark.parametrize("body,where", [
    (b'{"name": ', " at byte 9: unexpected end of data"),
    (b'{"name": "x",}', " at byte 13: unexpected character"),
    (b"{'name': 'x'}", " at byte "),
    (b'{"name": "x"} trailing', " at byte 14: unexpected character"),
    (b'{"name": "x\\u0000y"}', ": a string contains a NUL character"),
])
def test_malformed_json_gives_400_naming_the_problem(https, body, where):
    # The body is parsed (and refused) before anything looks at who asks.
    r = https("acme").post("/api/account/tokens", data=body, timeout=TIMEOUT,
                           headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_request"
    assert err["message"].startswith("Invalid JSON: malformed JSON")
    assert where in err["message"], err["message"]


def test_json_depth_cap_at_the_boundary(https):
    """max_json_depth = 32 (the test stack's config): the object is level 1,
    so 31 nested arrays inside it are fine and 32 are one too many."""
    c = https("acme")

    def post(arrays):
        doc = '{"name":"x","p":%s%s}' % ("[" * arrays, "]" * arrays)
        return c.post("/api/account/tokens", data=doc, timeout=TIMEOUT,
                      headers={"Content-Type": "application/json"})

    ok = post(31)
    # Parsed: the request went on to ask who is calling.
    assert ok.status_code == 401, ok.text
    assert ok.json()["error"]["code"] == "unauthorized"
    deep = post(32)
    assert deep.status_code == 400
    assert deep.json()["error"]["message"] == (
        "Invalid JSON: JSON nested deeper than 32 levels")


# ------------------------------------------------------------ paths

@pytest.mark.parametrize("path", [
    "/a/../b", "/account/..", "/static/../mpanel.conf", "/a/%2e%2e/b",
    "/a/./b", "/a%2fb", "/a%2Fb/c", "/a%5cb",
])
def test_unsafe_paths_rejected_by_the_pool(stack, path):
    status, headers, body = raw_get(stack, host_of(stack, "acme"), path)
    assert status == 400, (path, status)
    assert "The request path is not allowed." in body
    assert headers.get("strict-transport-security") == HSTS


@pytest.mark.parametrize("path", ["/..", "/%2e%2e/x", "/a%00b", "/x/%00"])
def test_unsafe_paths_rejected_before_the_pool(stack, path):
    # nginx refuses these itself; whoever answers, nothing is served.
    status, headers, body = raw_get(stack, host_of(stack, "acme"), path)
    assert status == 400, (path, status)
    assert "Acme Hosting" not in body


def test_path_length_boundary(stack):
    """max_path = 2048: a 2048-byte path is routed (404), 2049 gets 414."""
    host = host_of(stack, "acme")
    at = "/" + "a" * 2047
    status, _, _ = raw_get(stack, host, at)
    assert status == 404
    status, _, body = raw_get(stack, host, at + "a")
    assert status == 414
    assert "The request path is too long." in body
    status, _, body = raw_get(stack, host, "/api/" + "a" * 2100,
                              headers={"Accept": "application/json"})
    assert status == 414
    assert json.loads(body)["error"]["code"] == "uri_too_long"


def test_query_field_count_boundary(https, pool_extra):
    """max_fields = 5: five query fields pass, six get 413 naming the
    query string (checked before any field is decoded)."""
    port = pool_extra("fields", max_fields=5, workers=1)
    c = https("acme", port=port)
    five = "&".join("f%d=%d" % (i, i) for i in range(5))
    r = c.get("/?" + five, timeout=TIMEOUT)
    assert r.status_code == 200
    assert "Acme Hosting" in r.text
    r = c.get("/?" + five + "&f5=5", timeout=TIMEOUT)
    assert r.status_code == 413
    assert "The query string has too many or too long fields." in r.text
    r = c.get("/api/sessions?" + five + "&f5=5", timeout=TIMEOUT)
    assert r.status_code == 413
    assert r.json()["error"] == {
        "code": "too_large",
        "message": "The query string has too many or too long fields.",
        "request_id": r.headers["X-Request-Id"]}
    # Empty pairs ("&&") are not fields.
    r = c.get("/?" + five + "&&&", timeout=TIMEOUT)
    assert r.status_code == 200


def test_query_field_count_default_limit(https):
    """The stack's own max_fields = 200, through nginx's default URI size."""
    c = https("acme")
    r = c.get("/?" + "&".join("f%d=1" % i for i in range(200)), timeout=TIMEOUT)
    assert r.status_code == 200
    r = c.get("/?" + "&".join("f%d=1" % i for i in range(201)), timeout=TIMEOUT)
    assert r.status_code == 413


def test_bad_query_escape_gives_400(stack):
    status, _, body = raw_get(stack, host_of(stack, "acme"), "/?q=%zz")
    assert status == 400
    assert "The query string is malformed." in body


# ------------------------------------------------ request id and log

def test_request_id_matches_the_access_log(https, stack):
    c = https("acme")
    marker = "/no-such-page-" + secrets.token_hex(8)
    r = c.get(marker, timeout=TIMEOUT)
    assert r.status_code == 404
    rid = r.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid), rid
    lines = wait_access_lines(stack, marker)
    assert len(lines) == 1, lines
    assert "req=%s " % rid in lines[0]
    assert '"GET %s" 404 ' % marker in lines[0]
    assert "tenant=acme" in lines[0]
    # The error page shows the same id to the visitor.
    assert rid in r.text
    # And each request gets its own.
    assert c.get(marker, timeout=TIMEOUT).headers["X-Request-Id"] != rid


def test_one_access_line_per_request_with_its_duration(https, stack):
    c = https("acme")
    ids = []
    for ms in (0, 300):
        r = c.get("/_test/sleep?ms=%d" % ms, timeout=TIMEOUT)
        assert r.status_code == 200
        ids.append((r.headers["X-Request-Id"], ms))
    for rid, ms in ids:
        lines = wait_access_lines(stack, "req=%s " % rid)
        assert len(lines) == 1, lines
        m = re.search(r'"GET /_test/sleep" 200 \d+ (\d+)ms ', lines[0])
        assert m, lines[0]
        took = int(m.group(1))
        assert ms <= took < ms + 2000, (ms, took)


def test_json_errors_carry_the_request_id(https):
    r = https("acme").get("/api/no-such-thing", timeout=TIMEOUT)
    assert r.json()["error"]["request_id"] == r.headers["X-Request-Id"]


# ----------------------------------------------------------- tenants

def test_two_tenant_hosts_show_two_tenants(https, db_super):
    names = tenant_names(db_super)
    assert names == {"acme": "Acme Hosting", "globex": "Globex Cloud"}
    a = https("acme").get("/", timeout=TIMEOUT)
    g = https("globex").get("/", timeout=TIMEOUT)
    assert a.status_code == g.status_code == 200
    assert "<title>Acme Hosting</title>" in a.text
    assert "<title>Globex Cloud</title>" in g.text
    assert "Globex" not in a.text and "Acme" not in g.text
    assert 'href="/brand/acme-' in a.text
    assert 'href="/brand/globex-' in g.text


def test_tenant_host_is_case_insensitive_and_ignores_the_port(stack):
    status, _, body = raw_get(stack, "ACME.%s:%s" % (
        stack["MP_BASE_DOMAIN"].upper(), stack["MP_HTTPS_PORT"]), "/")
    assert status == 200
    assert "<title>Acme Hosting</title>" in body


@pytest.mark.parametrize("host", [
    "nosuchtenant", "www.acme", "acme.example.org",
])
def test_unknown_host_gets_a_404_page(https, host):
    r = https(host).get("/", timeout=TIMEOUT)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "There is no portal at this address." in r.text
    assert "Acme" not in r.text and "Globex" not in r.text


def test_unknown_host_json(https):
    r = https("nosuchtenant").get("/api/sessions", timeout=TIMEOUT)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "There is no portal at this address."


def test_brand_css_stays_with_its_tenant(https):
    a = https("acme")
    g = https("globex")
    links = {}
    for slug, c, colour in (("acme", a, "#1f5fbf"), ("globex", g, "#6b3fa0")):
        m = re.search(r'href="(/brand/%s-\d+\.css)"' % slug,
                      c.get("/", timeout=TIMEOUT).text)
        own = c.get(m.group(1), timeout=TIMEOUT)
        assert own.status_code == 200
        assert own.headers["Content-Type"].startswith("text/css")
        assert "--brand:%s" % colour in own.text
        links[slug] = (m.group(1), colour)
    # Each tenant's colours only under its own host.
    for c, slug in ((a, "globex"), (g, "acme")):
        r = c.get(links[slug][0], timeout=TIMEOUT)
        assert r.status_code == 404
        assert links[slug][1] not in r.text


# ------------------------------------------------------- static files

def test_static_files_cached_long_and_gzipped(https, stack):
    c = https("acme")
    plain = c.get("/static/css/site.css", timeout=TIMEOUT,
                  headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["Content-Type"].startswith("text/css")
    assert "Content-Encoding" not in plain.headers
    cc = plain.headers["Cache-Control"]
    m = re.search(r"max-age=(\d+)", cc)
    assert m and int(m.group(1)) >= 365 * 86400, cc
    assert "public" in cc and "immutable" in cc
    assert "Expires" in plain.headers
    # Compressed on request, same bytes once inflated.
    z = c.get("/static/css/site.css", timeout=TIMEOUT, stream=True,
              headers={"Accept-Encoding": "gzip"})
    assert z.headers.get("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in z.headers.get("Vary", "")
    raw = z.raw.read()
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content)
    with open(os.path.join(stack["MP_SRC"], "static", "css", "site.css"),
              "rb") as f:
        assert f.read() == plain.content


def test_dynamic_pages_are_not_compressed(https):
    # BREACH: pages carry CSRF tokens next to attacker-influenced text.
    r = https("acme").get("/login", timeout=TIMEOUT, stream=True,
                          headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert "Content-Encoding" not in r.headers
