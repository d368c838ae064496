"""Chromium opens each demo tenant's home page over HTTPS, as a person
would type it, and sees that tenant: its name, and its brand colours
applied from the brand CSS (so CSP let the stylesheets through)."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

TENANTS = [
    ("acme", "Acme Hosting", "#1f5fbf", "Fast, friendly web hosting"),
    ("globex", "Globex Cloud", "#6b3fa0", "Cloud servers and managed hosting"),
]


@pytest.mark.parametrize("slug,name,colour,tagline", TENANTS)
def test_home_page_shows_the_tenant(browser, site, slug, name, colour, tagline):
    browser.get(site(slug, "/"))
    assert browser.current_url == site(slug, "/")
    WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "h1").text.strip() != "")
    assert browser.title == name
    assert browser.find_element(By.TAG_NAME, "h1").text == name
    assert browser.find_element(By.CSS_SELECTOR, "header a.brand").text == name
    assert tagline in browser.find_element(By.CSS_SELECTOR, "p.lead").text
    others = [n for s, n, _, _ in TENANTS if s != slug]
    body = browser.find_element(By.TAG_NAME, "body").text
    for other in others:
        assert other not in body
    # The tenant's stylesheet loaded and applies.
    brand = WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "return getComputedStyle(document.documentElement)"
        ".getPropertyValue('--brand').trim()"))
    assert brand == colour


def test_plain_http_ends_on_https(browser, stack, site):
    port = int(stack["MP_HTTP_PORT"])
    browser.get("http://acme.%s:%d/" % (stack["MP_BASE_DOMAIN"], port))
    WebDriverWait(browser, 10).until(lambda d: d.current_url.startswith("https://"))
    assert browser.current_url == site("acme", "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Acme Hosting"
