"""Chromium uses the preference centre as a person would: a new customer signs
in, opens the preference centre from the account page, switches product mail
to a weekly digest and support mail off with the checkboxes and menus (no JavaScript involved),
saves, and sees the choices kept; then, signed out, opens the /u/ link of a
mail to that address, sees what the address receives and unsubscribes with
the button."""

import os
import sys

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

import auth  # noqa: E402

T = 15


def heading_becomes(browser, text):
    """Wait for the page that replaces this one to show text as its h1
    (the old page's h1 may still be there, or go stale while read)."""
    WebDriverWait(browser, T, ignored_exceptions=(
        StaleElementReferenceException,)).until(
        lambda d: d.find_element(By.TAG_NAME, "h1").text == text)


def rows(db_app, sql, *args):
    with db_app.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT set_config('app.tenant_id', id::text, true)"
                    " FROM tenants WHERE slug = 'acme'")
        cur.execute(sql, args)
        out = cur.fetchall() if cur.description else []
        cur.execute("COMMIT")
    return out


def test_preference_centre_and_unsubscribe_page(browser, site, https, db_super, db_app):
    email, password = auth.make_user(db_super, "acme", "customer")
    browser.get(site("acme", "/login"))
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    WebDriverWait(browser, T).until(lambda d: d.current_url.rstrip("/").endswith("/account"))

    # The account page links the preference centre.
    browser.find_element(By.CSS_SELECTOR, "main a[href='/account/notifications']").click()
    WebDriverWait(browser, T).until(lambda d: d.current_url.endswith("/account/notifications"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Notifications"
    security = browser.find_element(By.ID, "security_frequency")
    assert [o.text for o in Select(security).options] == ["At once"]
    assert browser.find_element(By.ID, "product_email").is_selected()
    # Text messages need a verified phone first.
    assert not browser.find_element(By.ID, "product_sms").is_enabled()

    Select(browser.find_element(By.ID, "product_frequency")).select_by_value("weekly")
    support = browser.find_element(By.ID, "support_email")
    support.click()
    assert not support.is_selected()
    browser.find_element(By.CSS_SELECTOR, "form.prefs button[type=submit]").click()
    WebDriverWait(browser, T).until(lambda d: "done=saved" in d.current_url)
    assert "Your preferences are saved." in browser.find_element(By.TAG_NAME, "body").text
    assert Select(browser.find_element(By.ID, "product_frequency")) \
        .first_selected_option.get_attribute("value") == "weekly"
    assert not browser.find_element(By.ID, "support_email").is_selected()
    assert rows(db_app, "SELECT p.category, p.email, p.frequency FROM notification_preferences p"
                " JOIN users u ON u.id = p.user_id WHERE u.email = %s"
                " AND p.category IN ('product', 'support') ORDER BY 1", email) == [
        ("product", True, "weekly"), ("support", False, "instant")]

    # A mail to this address, and its link opened without signing in.
    r = https("acme").post("/_test/queue/mail", json={
        "to": email, "subject": "Getting started", "category": "surveys"})
    assert r.status_code == 200
    pid = r.json()["ids"][0]
    url = rows(db_app, "SELECT unsubscribe_url FROM notification WHERE public_id = %s",
               pid)[0][0]
    browser.delete_all_cookies()
    assert url.startswith(site("acme", "/u/"))
    browser.get(url)
    heading_becomes(browser, "Email preferences")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Product" in body and "surveys" in body and email not in body
    # The whole preference centre for the address: the matrix is here too.
    assert Select(browser.find_element(By.ID, "product_frequency")) \
        .first_selected_option.get_attribute("value") == "weekly"
    browser.find_element(By.XPATH, "//button[starts-with(., 'Unsubscribe from')]").click()
    heading_becomes(browser, "You are unsubscribed")
    assert rows(db_app, "SELECT source FROM notification_optout WHERE address = %s"
                " AND category = 'product'", email) == [("page",)]
    browser.find_element(By.LINK_TEXT, "Manage your email preferences").click()
    heading_becomes(browser, "Email preferences")
    assert not browser.find_element(By.ID, "product_email").is_selected()
