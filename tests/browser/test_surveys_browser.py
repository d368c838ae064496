"""A survey in a real browser: the mail's score link (through the click
tracker) opens the form with that score chosen; a person picks another
score with the keyboard, writes a comment, sends it and sees the thanks;
the answer is in the database and the page loads without CSP errors."""

import os
import re
import secrets
import sys

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

import auth  # noqa: E402


def heading_becomes(browser, text):
    """Wait for the page that replaces this one to show text as its h1
    (the old page's h1 may still be there, or gone stale, meanwhile)."""
    WebDriverWait(browser, 10, ignored_exceptions=(
        StaleElementReferenceException,)).until(
        lambda b: b.find_element(By.TAG_NAME, "h1").text == text)


def csp_errors(browser):
    try:
        logs = browser.get_log("browser")
    except Exception:
        return []
    return [e["message"] for e in logs
            if "Content Security Policy" in e.get("message", "")]


def test_answer_from_the_mail_link(browser, https, db_super, mailbox):
    # Support sends a survey now, as the helpdesk would.
    email, pw = auth.make_user(db_super, "acme", role="support")
    staff = https("acme")
    auth.signin(staff, email, pw)
    h = auth.form_headers(staff)
    h["X-CSRF-Token"] = auth.csrf_from(staff.get("/staff/surveys").text)
    cust = "browser-%s@example.com" % secrets.token_hex(4)
    r = staff.post("/api/admin/surveys", headers=h, json={
        "email": cust, "type": "csat", "reference": "TICKET-B1", "delay": 0})
    assert r.status_code == 201, r.text
    sid = r.json()["survey"]["id"]

    msg = mailbox.wait(to=cust, timeout=30)[-1]["msg"]
    html = msg.get_body(("html",)).get_content()
    # The scale's links: each <a> shows its score.
    link = re.search(r'<a href="([^"]+)"[^>]*>4</a>', html).group(1)
    browser.get(link)
    assert "/s/" in browser.current_url and "score=4" in browser.current_url
    four = browser.find_element(By.CSS_SELECTOR, "input[name=score][value='4']")
    assert four.is_selected()
    assert browser.find_element(By.TAG_NAME, "legend").text == \
        "How satisfied are you with the help you received?"
    # Click the visible 3, then the keyboard: an arrow key moves the
    # choice within the radio group.
    # (The transparent radio covers its label, as for a finger.)
    box = browser.find_element(By.XPATH,
                               "//label[@class='survey-option'][span='3']/span")
    ActionChains(browser).move_to_element(box).click().perform()
    three = browser.find_element(By.CSS_SELECTOR,
                                 "input[name=score][value='3']")
    assert three.is_selected() and not four.is_selected()
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    two = browser.find_element(By.CSS_SELECTOR, "input[name=score][value='2']")
    assert two.is_selected() and not three.is_selected()
    browser.find_element(By.ID, "comment").send_keys("Took <b>too</b> long")
    # Large enough to tap on a phone.
    assert browser.find_element(
        By.CSS_SELECTOR, "label.survey-option span").size["height"] >= 44
    browser.find_element(By.CSS_SELECTOR, "button.survey-submit").click()
    heading_becomes(browser, "Thank you!")
    assert not csp_errors(browser)
    with db_super.cursor() as c:
        c.execute("SELECT score, comment, followup FROM survey"
                  " WHERE public_id = %s", (sid,))
        assert c.fetchone() == (2, "Took <b>too</b> long", "open")
    # Back and send again: already answered, nothing changed.
    browser.back()
    browser.refresh()
    heading_becomes(browser, "Already answered")
