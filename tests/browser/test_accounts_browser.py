"""Chromium signs in through the form as the demo customer, finds its own
session on "Your sessions", sees a second device signed in over HTTP, and
ends that session with its button: the other device's cookie stops working
at once."""

import os
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

from auth import DEMO, FIREFOX, signin  # noqa: E402

T = 15


def sign_in(browser, site, email, password):
    browser.get(site("acme", "/login"))
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    WebDriverWait(browser, T).until(
        lambda d: d.current_url.rstrip("/").endswith("/account"))


def session_items(browser):
    return browser.find_elements(By.CSS_SELECTOR, "ul.sessions li.session")


def test_sessions_page_ends_another_device(browser, site, https):
    email, password = DEMO["acme"]["customer"]
    sign_in(browser, site, email, password)
    assert email in browser.find_element(By.TAG_NAME, "body").text

    # This browser's own session, marked as such.
    browser.get(site("acme", "/account/sessions"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Your sessions"
    mine = [li for li in session_items(browser)
            if "current" in li.get_attribute("class").split()]
    assert len(mine) == 1
    assert "This device" in mine[0].find_element(By.CSS_SELECTOR, "h2.device").text
    assert "Chrome" in mine[0].text

    # A second device signs in over HTTP.
    other = https("acme")
    signin(other, email, password, user_agent=FIREFOX)
    r = other.get("/api/sessions", timeout=T)
    assert r.status_code == 200
    other_id = [s["id"] for s in r.json()["sessions"] if s["current"]][0]
    assert other.get("/account", timeout=T).status_code == 200

    browser.refresh()
    action = "/account/sessions/%s/end" % other_id
    forms = browser.find_elements(By.CSS_SELECTOR, "form[action='%s']" % action)
    assert len(forms) == 1, "the other device is not listed"
    item = forms[0].find_element(By.XPATH, "./ancestor::li[1]")
    assert "Firefox 121" in item.text
    assert "This device" not in item.text

    forms[0].find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, T).until(lambda d: not d.find_elements(
        By.CSS_SELECTOR, "form[action='%s']" % action))
    assert browser.current_url.startswith(site("acme", "/account/sessions"))
    # Still signed in here, still marked.
    assert any("This device" in li.text for li in session_items(browser))

    # The other device's cookie no longer works.
    r = other.get("/account", timeout=T)
    assert r.status_code == 303
    assert r.headers["Location"].startswith("/login")
    assert other.get("/api/sessions", timeout=T).status_code == 401
