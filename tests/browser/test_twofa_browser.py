"""Chromium sets up two-factor sign-in the way a person does: reads the key
off the setup page (and sees the QR code drawn), types the code an
authenticator app would show (computed here from that key), keeps the
backup codes page, signs out, signs in with the password and then a fresh
code on the second-step page, and lands on the account page signed in."""

import base64
import hashlib
import hmac
import os
import struct
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

from auth import make_user  # noqa: E402

T = 15


def totp(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF)
                     % 1000000)


def fresh_step():
    if int(time.time()) % 30 >= 20:
        time.sleep(30 - time.time() % 30 + 0.2)
    return int(time.time()) // 30


def path_is(browser, site, path):
    return WebDriverWait(browser, T).until(
        lambda d: d.current_url.split("?")[0] == site("acme", path))


def sign_in_password(browser, site, email, password):
    browser.get(site("acme", "/login"))
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR,
                         "form[action='/login'] button[type=submit]").click()


def test_set_up_sign_out_sign_in_with_code(browser, site, db_super):
    email, password = make_user(db_super, "acme", name="Brook Browser")
    sign_in_password(browser, site, email, password)
    path_is(browser, site, "/account")

    # From the account page to the security page, then set it up.
    browser.find_element(By.LINK_TEXT, "Two-factor sign-in").click()
    path_is(browser, site, "/account/security")
    assert "Off" in browser.find_element(By.ID, "twofa-state").text
    browser.find_element(By.ID, "setup-password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR,
                         "form[action='/account/security/2fa/setup'] button").click()
    WebDriverWait(browser, T).until(
        lambda d: d.find_elements(By.ID, "secret"))
    key = browser.find_element(By.ID, "secret")
    secret = key.text.replace(" ", "")
    assert len(secret) == 32 and secret == key.get_attribute("data-secret")
    # The QR code is a picture the browser actually drew.
    qr = browser.find_element(By.CSS_SELECTOR, "img.qr")
    assert browser.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", qr) > 0

    step = fresh_step()
    browser.find_element(By.ID, "code").send_keys(totp(secret, step))
    browser.find_element(By.CSS_SELECTOR,
                         "form[action='/account/security/2fa/enable'] button").click()
    WebDriverWait(browser, T).until(
        lambda d: d.find_elements(By.ID, "backup-codes"))
    codes = browser.find_elements(By.CSS_SELECTOR, "#backup-codes code")
    assert len(codes) == 10
    browser.find_element(By.PARTIAL_LINK_TEXT, "continue").click()
    path_is(browser, site, "/account/security")
    assert "On" in browser.find_element(By.ID, "twofa-state").text
    assert secret not in browser.page_source

    # Sign out, then in again: the password alone is not enough.
    browser.find_element(By.CSS_SELECTOR, "form.signout button").click()
    path_is(browser, site, "/login")
    sign_in_password(browser, site, email, password)
    path_is(browser, site, "/login/2fa")
    browser.get(site("acme", "/account"))
    path_is(browser, site, "/login")

    sign_in_password(browser, site, email, password)
    path_is(browser, site, "/login/2fa")
    # A fresh code; never the one used to set up (it is spent).
    now = fresh_step()
    browser.find_element(By.ID, "code").send_keys(
        totp(secret, now + 1 if now == step else now))
    browser.find_element(By.CSS_SELECTOR,
                         "form[action='/login/2fa'] button[type=submit]").click()
    path_is(browser, site, "/account")
    assert email in browser.find_element(By.TAG_NAME, "body").text
