"""White-label branding: settings through the JSON API and the staff page,
CSS and images written for nginx and served by it (immutable, per tenant
host, rewritten by the pool when missing), CSS injection and contrast
refused, uploads checked by content, /favicon.ico on every host, custom
domain checks, mail sender per tenant, and one navigation per role."""

import hashlib
import json
import os
import re
import struct
import time
import zlib

import pytest

import auth
import helpers

TIMEOUT = 30
CSS_LINK_RE = re.compile(r'<link rel="stylesheet" href="(/brand/([a-z0-9-]+)-(\d+)\.css)">')
NAV_RE = re.compile(r'<nav class="main" aria-label="Main">(.*?)</nav>', re.S)


def png(w, h, rgb=(31, 95, 191), pad=0):
    """A real PNG of w x h pixels in one colour (pad: bytes after IEND)."""
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    body = (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    return body + b"\x00" * pad


def brand_dir(stack):
    return os.path.join(stack["MP_VAR"], "brand")


def host_of(stack, slug):
    return "%s.%s" % (slug, stack["MP_BASE_DOMAIN"])


def pool_lines(stack, needle):
    path = os.path.join(stack["MP_LOG_DIR"], "mpanel-access.log")
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line for line in f if needle in line]


def css_link(client):
    r = client.get("/", timeout=TIMEOUT)
    assert r.status_code == 200
    m = CSS_LINK_RE.search(r.text)
    assert m, r.text[:800]
    return m.group(1), int(m.group(3))


class Admin:
    """A signed-in admin (or support/customer) of a tenant, with the
    session's CSRF token for JSON calls."""

    def __init__(self, https, db_super, slug, role="admin"):
        self.c = https(slug)
        email, pw = auth.make_user(db_super, slug, role)
        self.email = email
        auth.signin(self.c, email, pw)
        page = self.c.get("/account", timeout=TIMEOUT)
        self.csrf = auth.csrf_from(page.text)

    def headers(self):
        h = auth.form_headers(self.c)
        h["X-CSRF-Token"] = self.csrf
        return h

    def put(self, body):
        return self.c.put("/api/white-label", json=body,
                          headers=self.headers(), timeout=TIMEOUT)

    def upload(self, data, kind="light", filename="logo.png",
               ctype="image/png"):
        return self.c.post("/api/white-label/logo", data={"kind": kind},
                           files={"file": (filename, data, ctype)},
                           headers=self.headers(), timeout=TIMEOUT)


COLS = ["site_title", "company_name", "tagline", "primary_color",
        "secondary_color", "accent_color", "logo_light", "logo_dark", "favicon",
        "email_from_name", "email_from_address", "welcome_message",
        "support_email", "support_phone", "meta_description", "footer_links",
        "custom_css"]


@pytest.fixture(autouse=True)
def restore_brand(db_super, https):
    """Every test leaves the demo tenants' brand and sender as it found
    them (with a new version, as an edit would)."""
    with db_super.cursor() as cur:
        cur.execute("SELECT tenant_id, %s FROM tenant_branding" % ", ".join(
            c + "::text" if c == "footer_links" else c for c in COLS))
        rows = cur.fetchall()
        cur.execute("SELECT tenant_id, from_name, from_address"
                    " FROM tenant_mail_settings")
        mails = cur.fetchall()
    yield
    sets = ", ".join("%s = %%s%s" % (c, "::jsonb" if c == "footer_links" else "")
                     for c in COLS)
    with db_super.cursor() as cur:
        for row in rows:
            cur.execute("UPDATE tenant_branding SET %s, version = version + 1"
                        " WHERE tenant_id = %%s" % sets, tuple(row[1:]) + (row[0],))
        for tid, name, addr in mails:
            cur.execute("UPDATE tenant_mail_settings SET from_name = %s,"
                        " from_address = %s WHERE tenant_id = %s", (name, addr, tid))
        cur.execute("DELETE FROM brand_domain")
    # As an edit through the portal would: the new version's files written.
    # Written behind the pool's back, the change reaches nginx's page cache
    # when the worker has moved the generation (milliseconds, at most a tick).
    for slug in ("acme", "globex"):
        helpers.wait_until(lambda: https(slug).get(css_link(https(slug))[0],
                                                   timeout=TIMEOUT).status_code == 200,
                           timeout=5, what="the restored brand of %s" % slug)


@pytest.fixture
def acme_admin(https, db_super):
    return Admin(https, db_super, "acme")


@pytest.fixture
def globex_admin(https, db_super):
    return Admin(https, db_super, "globex")


def version_of(db_super, slug):
    with db_super.cursor() as cur:
        cur.execute("SELECT b.version FROM tenant_branding b JOIN tenants t"
                    " ON t.id = b.tenant_id WHERE t.slug = %s", (slug,))
        return cur.fetchone()[0]


# ------------------------------------------------------------ settings

def test_get_settings_public_and_for_staff(https, acme_admin):
    anon = https("acme").get("/api/white-label", timeout=TIMEOUT)
    assert anon.status_code == 200
    s = anon.json()
    assert s["company_name"] == "Acme Hosting Ltd"
    assert re.match(r"^#[0-9a-f]{6}$", s["primary_color"])
    assert s["css_url"] == "/brand/acme-%d.css" % s["version"]
    assert "custom_css" not in s and "email_from_address" not in s
    staff = acme_admin.c.get("/api/white-label", timeout=TIMEOUT).json()
    assert "custom_css" in staff and staff["email_from_address"]
    g = https("globex").get("/api/white-label", timeout=TIMEOUT).json()
    assert g["company_name"] == "Globex Cloud Inc."
    assert g["primary_color"] != s["primary_color"]


def test_put_needs_an_admin(https, db_super):
    sup = Admin(https, db_super, "acme", role="support")
    r = sup.put({"tagline": "x"})
    assert r.status_code == 403
    anon = https("acme").put("/api/white-label", json={"tagline": "x"},
                             timeout=TIMEOUT)
    assert anon.status_code in (401, 403)


def test_update_writes_a_new_css_version_nginx_serves(https, stack,
                                                     acme_admin, db_super):
    before, v0 = css_link(https("acme"))
    assert https("acme").get(before, timeout=TIMEOUT).status_code == 200
    r = acme_admin.put({"primary_color": "#2A4D8F", "secondary_color": "#123"})
    assert r.status_code == 200, r.text
    assert r.json()["primary_color"] == "#2a4d8f"
    assert r.json()["secondary_color"] == "#112233"
    assert version_of(db_super, "acme") == v0 + 1
    # Every page links the new version at once (no cache to wait for).
    for path in ("/", "/help", "/account"):
        page = acme_admin.c.get(path, timeout=TIMEOUT)
        assert 'href="/brand/acme-%d.css"' % (v0 + 1) in page.text, path
    url, v1 = css_link(https("acme"))
    assert v1 == v0 + 1 and url != before
    # The pool wrote the file at once: nginx serves it, the pool never sees it.
    assert os.path.isfile(os.path.join(brand_dir(stack), "t", "acme",
                                       "acme-%d.css" % v1))
    c = https("acme")
    for _ in range(2):
        r = c.get(url, timeout=TIMEOUT)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/css")
        assert "--brand:#2a4d8f" in r.text and "--brand-secondary:#112233" in r.text
        cc = r.headers["Cache-Control"]
        assert "max-age=31536000" in cc and "immutable" in cc, cc
        assert r.headers.get("Content-Security-Policy"), "security headers"
    time.sleep(0.5)
    assert pool_lines(stack, " %s\" " % url) == []
    # The old version stays for its grace period.
    assert c.get(before, timeout=TIMEOUT).status_code == 200


def test_other_tenant_host_cannot_fetch_the_file(https, acme_admin):
    url, _ = css_link(https("acme"))
    assert https("acme").get(url, timeout=TIMEOUT).status_code == 200
    r = https("globex").get(url, timeout=TIMEOUT)
    assert r.status_code == 404
    assert "--brand" not in r.text
    # Nor an unknown host.
    assert https("nosuch").get(url, timeout=TIMEOUT).status_code == 404
    # Uploaded images the same.
    up = acme_admin.upload(png(40, 20, (10, 20, 30)))
    assert up.status_code == 201, up.text
    img = up.json()["url"]
    assert https("acme").get(img, timeout=TIMEOUT).status_code == 200
    assert https("globex").get(img, timeout=TIMEOUT).status_code == 404


def test_missing_file_falls_back_to_the_pool_which_writes_it(https, stack):
    url, v = css_link(https("acme"))
    path = os.path.join(brand_dir(stack), "t", "acme", "acme-%d.css" % v)
    if os.path.exists(path):
        os.unlink(path)
    n0 = len(pool_lines(stack, " %s\" " % url))
    r = https("acme").get(url, timeout=TIMEOUT)
    assert r.status_code == 200 and "--brand:" in r.text
    assert "immutable" in r.headers["Cache-Control"]
    assert os.path.isfile(path)
    helpers.wait_until(lambda: len(pool_lines(stack, " %s\" " % url)) == n0 + 1,
                       5, 0.05, "the pool's access line")
    assert https("acme").get(url, timeout=TIMEOUT).status_code == 200
    time.sleep(0.5)
    assert len(pool_lines(stack, " %s\" " % url)) == n0 + 1


def test_a_new_host_link_is_made_on_first_request(https, stack):
    url, _ = css_link(https("acme"))
    link = os.path.join(brand_dir(stack), "h", host_of(stack, "acme"))
    if os.path.lexists(link):
        os.unlink(link)
    assert https("acme").get(url, timeout=TIMEOUT).status_code == 200
    assert os.path.islink(link)
    assert os.readlink(link) == "../t/acme"


def test_versions_past_their_grace_are_removed(https, stack, acme_admin):
    for colour in ("#1f5fbf", "#2a4d8f", "#1f5fbf"):
        assert acme_admin.put({"primary_color": colour}).status_code == 200
    _, v = css_link(https("acme"))
    d = os.path.join(brand_dir(stack), "t", "acme")
    old = [os.path.join(d, "acme-%d.css" % (v - k)) for k in (1, 2)]
    assert all(os.path.exists(p) for p in old)
    cur = os.path.join(d, "acme-%d.css" % v)
    past = time.time() - 2 * 86400
    os.utime(cur, (past, past))
    # Any fallback publishes the tenant's files again and tidies them.
    link = os.path.join(brand_dir(stack), "h", host_of(stack, "acme"))
    os.unlink(link)
    assert https("acme").get("/favicon.ico", timeout=TIMEOUT).status_code == 200
    assert not any(os.path.exists(p) for p in old)
    assert os.path.exists(cur)


def test_api_css_revalidates_by_version(https):
    c = https("globex")
    r = c.get("/api/white-label/css", timeout=TIMEOUT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/css")
    assert "--brand:#6b3fa0" in r.text
    assert "border-bottom: 6px solid var(--brand-accent)" in r.text
    r2 = c.get("/api/white-label/css", headers={"If-None-Match": r.headers["ETag"]},
               timeout=TIMEOUT)
    assert r2.status_code == 304


# ------------------------------------------------- what is refused

@pytest.mark.parametrize("css,needle", [
    ("@import url(https://evil.example/x.css);", "line 1: @import is not allowed"),
    (".a{}\n@\\69mport 'x.css';", "line 2: @import is not allowed"),
    (".a{}\n</style><script>alert(1)</script>", "line 2: the character \"<\""),
    (".a {\n background: url(https://evil.example/x.png)\n}",
     "line 2: url(https://evil.example/x.png) is not one of this portal's"),
    (".a { width: expression(alert(1)) }", "expression() is not allowed"),
    (".a { background: url(\"javascript:alert(1)\") }", "is not one of"),
    (".a { x: \"javascript:alert(1)\" }", "\"javascript:\" is not allowed"),
    (".a { color: red", "is missing at the end"),
])
def test_css_injection_refused(acme_admin, db_super, css, needle):
    v = version_of(db_super, "acme")
    r = acme_admin.put({"custom_css": css, "tagline": "must not be saved"})
    assert r.status_code == 400 or r.status_code == 422, r.text
    e = r.json()["error"]
    assert e["field"] == "custom_css"
    assert needle in e["message"], e["message"]
    assert version_of(db_super, "acme") == v
    with db_super.cursor() as cur:
        cur.execute("SELECT tagline FROM tenant_branding b JOIN tenants t ON"
                    " t.id = b.tenant_id WHERE t.slug = 'acme'")
        assert cur.fetchone()[0] != "must not be saved"


def test_css_size_limit_at_its_boundary(acme_admin):
    ok = "/*" + "x" * (20000 - 4) + "*/"
    assert len(ok) == 20000
    r = acme_admin.put({"custom_css": ok})
    assert r.status_code == 200, r.text[:300]
    r = acme_admin.put({"custom_css": ok + " "})
    assert r.status_code in (400, 422)
    assert "longer than 20000 bytes" in r.json()["error"]["message"]
    assert acme_admin.put({"custom_css": ""}).status_code == 200


def test_own_uploaded_image_allowed_in_css(acme_admin, https):
    up = acme_admin.upload(png(8, 8, (1, 2, 3)))
    assert up.status_code == 201
    r = acme_admin.put({"custom_css": ".hero { background: url(%s) }" % up.json()["url"]})
    assert r.status_code == 200, r.text
    url, _ = css_link(https("acme"))
    assert up.json()["url"] in https("acme").get(url, timeout=TIMEOUT).text
    assert acme_admin.put({"custom_css": ""}).status_code == 200


@pytest.mark.parametrize("field,value,needle", [
    ("primary_color", "#ffcc00", "contrast ratio of 1.51:1"),
    ("primary_color", "#fc0", "WCAG AA needs at least 4.5:1"),
    ("accent_color", "#7c7c7c", "contrast ratio of 4.1"),
    ("primary_color", "red", "must be a colour"),
    ("primary_color", "#12345", "must be a colour"),
    ("support_email", "not-an-address", "support_email"),
    ("custom_domain", "acme.localhost", "custom_domain"),
    ("footer_links", [{"label": "x", "url": "javascript:alert(1)"}], "https://"),
])
def test_bad_settings_refused(acme_admin, db_super, field, value, needle):
    v = version_of(db_super, "acme")
    r = acme_admin.put({field: value})
    assert r.status_code in (400, 422), r.text
    e = r.json()["error"]
    assert e["field"] == field
    assert needle in e["message"], e["message"]
    assert version_of(db_super, "acme") == v


def test_contrast_boundary(acme_admin):
    # #767676 on white is 4.54:1 (passes); #777777 is 4.48:1 (refused).
    assert acme_admin.put({"accent_color": "#767676"}).status_code == 200
    assert acme_admin.put({"accent_color": "#777777"}).status_code in (400, 422)
    assert acme_admin.put({"accent_color": "#0b7a53"}).status_code == 200


# ----------------------------------------------------------- uploads

def test_png_logo_upload_shows_in_the_layout(acme_admin, https, db_super):
    data = png(120, 40, (200, 30, 30))
    r = acme_admin.upload(data)
    assert r.status_code == 201, r.text
    j = r.json()
    assert j["name"] == hashlib.sha256(data).hexdigest() + ".png"
    page = https("acme").get("/", timeout=TIMEOUT).text
    assert '<img class="logo" src="%s"' % j["url"] in page
    img = https("acme").get(j["url"], timeout=TIMEOUT)
    assert img.status_code == 200 and img.content == data
    assert img.headers["Content-Type"] == "image/png"
    assert "immutable" in img.headers["Cache-Control"]
    # globex's layout does not show it.
    assert j["url"] not in https("globex").get("/", timeout=TIMEOUT).text


@pytest.mark.parametrize("data,filename,ctype,needle", [
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "logo.svg", "image/svg+xml", "SVG images are not accepted"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.png", "image/png",
     "SVG images are not accepted"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
     "logo.png", "image/png", "not a PNG, JPEG, WebP or ICO"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "logo.jpg", "image/jpeg",
     "not a PNG, JPEG, WebP or ICO"),
])
def test_svg_and_renamed_executables_refused(acme_admin, db_super, data,
                                             filename, ctype, needle):
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM brand_asset")
        n = cur.fetchone()[0]
    r = acme_admin.upload(data, filename=filename, ctype=ctype)
    assert r.status_code in (400, 422), r.text
    assert r.json()["error"]["field"] == "file"
    assert needle in r.json()["error"]["message"]
    with db_super.cursor() as cur:
        cur.execute("SELECT count(*) FROM brand_asset")
        assert cur.fetchone()[0] == n


def test_upload_limits_at_their_boundaries(acme_admin):
    assert acme_admin.upload(png(512, 1), kind="favicon").status_code == 201
    r = acme_admin.upload(png(513, 1), kind="favicon")
    assert r.status_code in (400, 422)
    assert "at most 512x512" in r.json()["error"]["message"]
    base = png(4, 4)
    exact = png(4, 4, pad=512 * 1024 - len(base))
    assert len(exact) == 512 * 1024
    assert acme_admin.upload(exact).status_code == 201
    r = acme_admin.upload(exact + b"\x00")
    assert r.status_code == 413
    assert "larger than 512 KB" in r.json()["error"]["message"]
    # Put the seed's look back: no logo.
    assert acme_admin.put({"logo_light": "", "favicon": ""}).status_code == 200


def test_favicon_on_every_host(https, stack, acme_admin):
    default = open(os.path.join(stack["MP_SRC"], "static", "favicon.ico"), "rb").read()
    for host in ("acme", "globex", "nosuch", None):
        r = https(host).get("/favicon.ico", timeout=TIMEOUT)
        assert r.status_code == 200, host
        assert r.headers["Content-Type"] == "image/x-icon"
        assert r.content == default, host
    icon = png(32, 32, (0, 128, 0))
    up = acme_admin.upload(icon, kind="favicon", filename="favicon.png")
    assert up.status_code == 201
    assert https("acme").get("/favicon.ico", timeout=TIMEOUT).content == icon
    assert https("globex").get("/favicon.ico", timeout=TIMEOUT).content == default
    page = https("acme").get("/", timeout=TIMEOUT).text
    assert '<link rel="icon" href="%s">' % up.json()["url"] in page
    assert acme_admin.put({"favicon": ""}).status_code == 200
    assert https("acme").get("/favicon.ico", timeout=TIMEOUT).content == default


# ---------------------------------------------------- custom domains

def domain_row(db_super, slug):
    with db_super.cursor() as cur:
        cur.execute("SELECT d.domain, d.token, d.status, d.detail FROM"
                    " brand_domain d JOIN tenants t ON t.id = d.tenant_id"
                    " WHERE t.slug = %s", (slug,))
        return cur.fetchone()


def test_domain_check_refuses_private_addresses(acme_admin, db_super):
    r = acme_admin.c.post("/api/white-label/verify-domain",
                          json={"domain": "portal.acme.localhost"},
                          headers=acme_admin.headers(), timeout=TIMEOUT)
    assert r.status_code == 202, r.text
    j = r.json()
    assert j["domain"] == "portal.acme.localhost"
    assert re.match(r"^[A-Za-z0-9_-]{43}$", j["token"])
    assert j["url"] == ("https://portal.acme.localhost/.well-known/"
                        "mpanel-verification/" + j["token"])
    row = helpers.wait_until(
        lambda: (lambda x: x if x and x[2] == "failed" else None)(
            domain_row(db_super, "acme")), 20, 0.2, "the domain check")
    assert "private" in row[3], row
    with db_super.cursor() as cur:
        cur.execute("SELECT custom_domain FROM tenants WHERE slug = 'acme'")
        assert cur.fetchone()[0] is None
    # The same domain keeps its token.
    r2 = acme_admin.c.post("/api/white-label/verify-domain", json={},
                           headers=acme_admin.headers(), timeout=TIMEOUT)
    assert r2.status_code == 202 and r2.json()["token"] == j["token"]


@pytest.mark.parametrize("domain", ["127.0.0.1", "localhost", "acme.localhost",
                                    "a..example.com", "-x.example.com",
                                    "x" * 64 + ".example.com"])
def test_domain_names_checked(acme_admin, domain):
    r = acme_admin.c.post("/api/white-label/verify-domain", json={"domain": domain},
                          headers=acme_admin.headers(), timeout=TIMEOUT)
    assert r.status_code in (400, 422), (domain, r.text)
    assert r.json()["error"]["field"] == "domain"


def test_verified_domain_resolves_to_its_tenant(https, db_super, db_app, stack):
    domain = "portal.globex-test.example"
    with db_super.cursor() as cur:
        cur.execute("INSERT INTO brand_domain (tenant_id, domain, token, status)"
                    " SELECT id, %s, %s, 'pending' FROM tenants WHERE slug ="
                    " 'globex' ON CONFLICT (tenant_id) DO UPDATE SET domain ="
                    " EXCLUDED.domain, token = EXCLUDED.token, status = 'pending'",
                    (domain, "t" * 43))

    def apply():
        with db_app.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('app.tenant_id', id::text, true)"
                        " FROM tenants WHERE slug = 'globex'")
            cur.execute("SELECT mp_brand_domain_apply(%s)", (domain,))
            ok = cur.fetchone()[0]
            cur.execute("COMMIT")
            return ok
    assert apply() is False            # not verified: nothing happens
    with db_super.cursor() as cur:
        cur.execute("UPDATE brand_domain SET status = 'verified' WHERE domain = %s",
                    (domain,))
    assert apply() is True
    try:
        c = https(domain)
        page = helpers.wait_until(
            lambda: (lambda r: r if r.status_code == 200 else None)(
                c.get("/", timeout=TIMEOUT)), 5, 0.2, "the domain to resolve")
        assert "Globex Cloud" in page.text
        m = CSS_LINK_RE.search(page.text)
        assert m.group(2) == "globex"
        assert c.get(m.group(1), timeout=TIMEOUT).status_code == 200
        assert https("acme").get(m.group(1), timeout=TIMEOUT).status_code == 404
    finally:
        with db_app.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('app.tenant_id', id::text, true)"
                        " FROM tenants WHERE slug = 'globex'")
            cur.execute("SELECT mp_brand_domain_clear()")
            cur.execute("COMMIT")


# -------------------------------------------------------------- mail

def test_mail_from_name_per_tenant(https, db_super, acme_admin, mailbox):
    assert acme_admin.put({"email_from_name": "Acme Support Desk",
                           "email_from_address": "desk@acme.example"}).status_code == 200
    logo = acme_admin.upload(png(60, 20, (5, 5, 5)))
    assert logo.status_code == 201
    try:
        sent = {}
        for slug in ("acme", "globex"):
            email, _ = auth.make_user(db_super, slug)
            r = auth.post_form(https(slug), "/password/forgot", "/password/forgot",
                               {"email": email})
            assert r.status_code in (200, 303)
            sent[slug] = mailbox.wait(to=email)[-1]
        a, g = sent["acme"]["msg"], sent["globex"]["msg"]
        assert a["From"].addresses[0].display_name == "Acme Support Desk"
        assert a["From"].addresses[0].addr_spec == "desk@acme.example"
        assert g["From"].addresses[0].display_name == "Globex Cloud"
        html = a.get_body(("html",)).get_content()
        assert "/brand/%s" % logo.json()["name"] in html
        assert "Acme Hosting Ltd" in html
        assert logo.json()["name"] not in g.get_body(("html",)).get_content()
    finally:
        acme_admin.put({"email_from_name": "Acme Hosting",
                        "email_from_address": "noreply@acme.example",
                        "logo_light": ""})


# ------------------------------------------------ navigation and pages

PAGES_ANON = ["/", "/help", "/status", "/status/history", "/login",
              "/password/forgot", "/no-such-page"]
PAGES_USER = ["/", "/help", "/status", "/status/history", "/account",
              "/account/sessions", "/no-such-page"]


def nav_of(html):
    m = NAV_RE.search(html)
    assert m, html[:500]
    return re.sub(r' aria-current="page"', "", re.sub(r'value="[^"]*"', "", m.group(1)))


@pytest.mark.parametrize("role", [None, "customer", "support", "admin"])
def test_one_navigation_per_role_on_every_page(https, db_super, role):
    if role is None:
        c, pages = https("acme"), PAGES_ANON
    else:
        c, pages = Admin(https, db_super, "acme", role).c, list(PAGES_USER)
        if role != "customer":
            pages += ["/admin", "/staff", "/staff/help", "/staff/status"]
        if role == "admin":
            pages += ["/admin/branding", "/admin/users"]
    navs = {}
    for p in pages:
        r = c.get(p, timeout=TIMEOUT)
        assert r.status_code in (200, 404), (p, r.status_code)
        navs[p] = nav_of(r.text)
    assert len(set(navs.values())) == 1, navs
    nav = navs["/"]
    for href in ("/", "/help", "/status"):
        assert 'href="%s"' % href in nav
    assert ('href="/login"' in nav) == (role is None)
    assert ("Sign out" in nav) == (role is not None)
    assert ('href="/admin"' in nav) == (role in ("support", "admin"))


def test_signed_in_status_page_is_not_shared(https, db_super):
    admin = Admin(https, db_super, "acme")
    r = admin.c.get("/status", timeout=TIMEOUT)
    assert "Sign out" in r.text and 'href="/login"' not in nav_of(r.text)
    assert r.headers["Cache-Control"] == "no-store"
    anon = https("acme").get("/status", timeout=TIMEOUT)
    assert "Sign out" not in anon.text and admin.email not in anon.text


@pytest.mark.parametrize("path", ["/", "/help", "/status", "/login",
                                  "/password/forgot"])
def test_public_pages_have_a_meta_description(https, path):
    r = https("globex").get(path, timeout=TIMEOUT)
    m = re.search(r'<meta name="description" content="([^"]+)">', r.text)
    assert m and len(m.group(1)) > 20, path


def test_home_description_is_the_brand(https):
    r = https("acme").get("/", timeout=TIMEOUT)
    assert ('<meta name="description" content="Acme Hosting customer portal: '
            'help center, system status and your account.">') in r.text
    assert "Welcome to Acme Hosting." in r.text


def article_path(db_super, slug):
    """The path of one published article of tenant slug."""
    with db_super.cursor() as cur:
        cur.execute("SELECT a.public_id, a.slug FROM kb_articles a"
                    " JOIN tenants t ON t.id = a.tenant_id"
                    " WHERE t.slug = %s AND a.status = 'published'"
                    " ORDER BY a.id LIMIT 1", (slug,))
        pid, aslug = cur.fetchone()
    return "/help/articles/%s-%s" % (pid, aslug)


def test_article_and_status_pages_show_a_brand_edit_at_once(https, db_super,
                                                            acme_admin):
    """The article page, the status page and a search with hits read the
    brand in their own statement (a search without hits, through the
    layout): an edit shows on the very next request, signed in or not,
    and each tenant's pages show its own brand."""
    paths = (article_path(db_super, "acme"), "/status", "/help/search?q=dns",
             "/help/search?q=zzqqxxnothing")
    r = acme_admin.put({"company_name": "Acme <Edited> & Co",
                        "support_email": "help@acme.example",
                        "support_phone": "+44 20 7946 0000",
                        "footer_links": [{"label": "Terms",
                                          "url": "https://acme.example/terms"}]})
    assert r.status_code == 200, r.text
    v = version_of(db_super, "acme")
    anon = https("acme")
    for c in (acme_admin.c, anon):
        for path in paths:
            page = c.get(path, timeout=TIMEOUT)
            assert page.status_code == 200, path
            assert 'href="/brand/acme-%d.css"' % v in page.text, path
            assert "Acme &lt;Edited&gt; &amp; Co · Powered by mPanel" in page.text, path
            assert "Acme <Edited>" not in page.text, path
            assert 'href="mailto:help%40acme.example"' in page.text or \
                'href="mailto:help@acme.example"' in page.text, path
            assert '<a href="https://acme.example/terms">Terms</a>' in page.text, path
    # Another tenant's pages keep their own brand.
    gv = version_of(db_super, "globex")
    for path in (article_path(db_super, "globex"), "/status",
                 "/help/search?q=dns"):
        page = https("globex").get(path, timeout=TIMEOUT)
        assert page.status_code == 200, path
        assert 'href="/brand/globex-%d.css"' % gv in page.text, path
        assert "Acme" not in page.text, path
    # A second edit shows too: nothing of the first is kept.
    r = acme_admin.put({"company_name": "Acme Again"})
    assert r.status_code == 200, r.text
    for path in paths:
        page = anon.get(path, timeout=TIMEOUT)
        assert 'href="/brand/acme-%d.css"' % (v + 1) in page.text, path
        assert "Acme Again · Powered by mPanel" in page.text, path


def test_status_page_without_a_brand_row(https, db_super):
    """A tenant with no brand row: the status, article and search pages
    still render, with the default stylesheet and the portal's name."""
    with db_super.cursor() as cur:
        cur.execute("SELECT t.id FROM tenants t WHERE t.slug = 'globex'")
        tid = cur.fetchone()[0]
        cur.execute("SELECT * FROM tenant_branding WHERE tenant_id = %s", (tid,))
        cols = [d[0] for d in cur.description]
        row = cur.fetchone()
        cur.execute("DELETE FROM tenant_branding WHERE tenant_id = %s", (tid,))
    try:
        for path in (article_path(db_super, "globex"), "/status",
                     "/help/search?q=dns"):
            page = https("globex").get(path, headers={"X-Mpanel-No-Cache": "1"},
                                       timeout=TIMEOUT)
            assert page.status_code == 200, path
            assert 'href="/brand/globex-1.css"' in page.text, path
            assert "Globex" in page.text, path
    finally:
        with db_super.cursor() as cur:
            cur.execute("INSERT INTO tenant_branding (%s) VALUES (%s)" % (
                ", ".join(cols), ", ".join(["%s"] * len(cols))),
                [json_or(v) for v in row])


def json_or(v):
    """A row value as psycopg takes it back (jsonb comes out as a list)."""
    return json.dumps(v) if isinstance(v, (list, dict)) else v


def test_staff_landing_lists_what_each_role_manages(https, db_super):
    sup = Admin(https, db_super, "acme", "support")
    for path in ("/admin", "/staff"):
        r = sup.c.get(path, timeout=TIMEOUT)
        assert r.status_code == 200
        for href in ("/staff/help", "/staff/status", "/staff/surveys",
                     "/admin/notifications"):
            assert 'href="%s"' % href in r.text
        assert 'href="/admin/branding"' not in r.text
    adm = Admin(https, db_super, "acme", "admin")
    r = adm.c.get("/admin", timeout=TIMEOUT)
    assert 'href="/admin/branding"' in r.text and 'href="/admin/users"' in r.text
    cust = Admin(https, db_super, "acme", "customer")
    assert cust.c.get("/admin", timeout=TIMEOUT).status_code == 403
    anon = https("acme").get("/staff", timeout=TIMEOUT)
    assert anon.status_code == 303 and anon.headers["Location"].startswith("/login")


def test_branding_page_saves_and_shows_errors(acme_admin, db_super):
    c = acme_admin.c
    page = c.get("/admin/branding", timeout=TIMEOUT)
    assert page.status_code == 200 and "Acme Hosting Ltd" in page.text
    v = version_of(db_super, "acme")
    r = auth.post_form(c, "/admin/branding", "/admin/branding", {
        "tagline": "Hosting with a smile",
        "custom_css": ".a{}\n.b { background: url(https://x.example/y.png) }",
    })
    assert r.status_code == 422
    assert "custom_css line 2" in r.text
    assert "Hosting with a smile" in r.text          # the visitor's value kept
    assert version_of(db_super, "acme") == v
    r = auth.post_form(c, "/admin/branding", "/admin/branding", {
        "tagline": "Hosting with a smile",
        "footer_links": "Terms | https://acme.example/terms\nStatus | /status",
    })
    assert r.status_code == 303, r.text[:400]
    assert version_of(db_super, "acme") == v + 1
    home = c.get("/", timeout=TIMEOUT).text
    assert "Hosting with a smile" in home
    assert '<a href="/status">Status</a>' in home
    pv = c.get("/admin/branding/preview.css?primary_color=%23123456",
               timeout=TIMEOUT)
    assert pv.status_code == 200 and ".brand-preview{--brand:#123456" in pv.text
    auth.post_form(c, "/admin/branding", "/admin/branding", {
        "tagline": "Fast, friendly web hosting since 2009.",
        "footer_links": "Terms | https://acme.example/terms\n"
                        "Privacy | https://acme.example/privacy"})


def test_tenant_isolation_of_brand_tables(db_app):
    with db_app.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT set_config('app.tenant_id', id::text, true)"
                    " FROM tenants WHERE slug = 'globex'")
        cur.execute("SELECT count(*) FROM brand_asset a JOIN tenants t ON"
                    " t.id = a.tenant_id WHERE t.slug = 'acme'")
        assert cur.fetchone()[0] == 0
        cur.execute("UPDATE tenant_branding SET tagline = 'x' WHERE tenant_id ="
                    " (SELECT id FROM tenants WHERE slug = 'acme')")
        assert cur.rowcount == 0
        cur.execute("ROLLBACK")
