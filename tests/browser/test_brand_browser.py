"""Chromium sees each tenant in its own look: its colours and its logo
(screenshots of the two home pages compared), a favicon that loads on every
public page (nothing for Lighthouse's console audit to count), navigation
links large enough to tap on a phone, and the branding page's live preview."""

import hashlib
import struct
import zlib

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import auth

SEED = {
    "acme": {"primary_color": "#1f5fbf", "secondary_color": "#0d2b57",
             "accent_color": "#0b7a53"},
    "globex": {"primary_color": "#6b3fa0", "secondary_color": "#2e1a47",
               "accent_color": "#b3541e"},
}


def png(w, h, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def admin_client(https, db_super, slug):
    c = https(slug)
    email, pw = auth.make_user(db_super, slug, "admin")
    auth.signin(c, email, pw)
    csrf = auth.csrf_from(c.get("/account").text)
    h = auth.form_headers(c)
    h["X-CSRF-Token"] = csrf
    return c, h, email, pw


@pytest.fixture
def logos(https, db_super):
    """Each demo tenant gets a logo of its own colour; put back after."""
    made = {}
    clients = {}
    for slug, rgb in (("acme", (200, 40, 40)), ("globex", (40, 160, 60))):
        c, h, _, _ = admin_client(https, db_super, slug)
        r = c.post("/api/white-label/logo", data={"kind": "light"},
                   files={"file": ("logo.png", png(160, 40, rgb), "image/png")},
                   headers=h)
        assert r.status_code == 201, r.text
        made[slug] = r.json()["url"]
        clients[slug] = (c, h)
    yield made
    for slug, (c, h) in clients.items():
        body = dict(SEED[slug], logo_light="")
        assert c.put("/api/white-label", json=body, headers=h).status_code == 200


def test_two_tenants_in_their_own_colours_and_logos(browser, site, logos):
    shots = {}
    for slug, colour in (("acme", "rgb(31, 95, 191)"),
                         ("globex", "rgb(107, 63, 160)")):
        browser.get(site(slug, "/"))
        logo = WebDriverWait(browser, 10).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "header a.brand img.logo"))
        assert logo.get_attribute("src").endswith(logos[slug])
        WebDriverWait(browser, 10).until(lambda d: d.execute_script(
            "var i = document.querySelector('img.logo');"
            " return i.complete && i.naturalWidth === 160;"))
        bg = browser.execute_script(
            "return getComputedStyle(document.querySelector('header.site'))"
            ".backgroundColor")
        assert bg == colour
        shots[slug] = browser.get_screenshot_as_png()
    assert hashlib.sha256(shots["acme"]).digest() != \
        hashlib.sha256(shots["globex"]).digest()


@pytest.mark.parametrize("path", ["/", "/help", "/status", "/login"])
@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_public_pages_have_a_favicon_that_loads(browser, site, slug, path):
    browser.get(site(slug, path))
    href = browser.execute_script(
        "var l = document.querySelector('link[rel=icon]'); return l && l.href;")
    assert href, "no icon link"
    status = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        " Promise.all([fetch(arguments[0]), fetch('/favicon.ico')])"
        ".then(function (rs) { done([rs[0].status, rs[1].status,"
        " rs[1].headers.get('content-type')]); })"
        ".catch(function (e) { done(String(e)); });", href)
    assert status == [200, 200, "image/x-icon"], status
    desc = browser.execute_script(
        "var m = document.querySelector('meta[name=description]');"
        " return m && m.content;")
    assert desc and len(desc) > 20


def test_navigation_links_are_tap_sized_on_a_phone(browser, site):
    browser.set_window_size(390, 844)
    browser.get(site("acme", "/"))
    sizes = browser.execute_script(
        "return Array.from(document.querySelectorAll('nav.main a'))"
        ".map(function (a) { var r = a.getBoundingClientRect();"
        " return [a.textContent, r.width, r.height]; });")
    assert len(sizes) >= 4
    for label, w, h in sizes:
        assert w >= 48 and h >= 48, (label, w, h)


def test_branding_preview_follows_the_colour_field(browser, site, https,
                                                   db_super):
    _, _, email, pw = admin_client(https, db_super, "acme")
    browser.get(site("acme", "/login"))
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(pw)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "/login" not in d.current_url)
    browser.get(site("acme", "/admin/branding"))
    head = browser.find_element(By.CSS_SELECTOR, "#brand-preview .pv-head")
    assert head.value_of_css_property("background-color") == "rgba(31, 95, 191, 1)"
    field = browser.find_element(By.ID, "f-primary_color")
    field.clear()
    field.send_keys("#8a1538")
    WebDriverWait(browser, 10).until(
        lambda d: head.value_of_css_property("background-color") ==
        "rgba(138, 21, 56, 1)")
