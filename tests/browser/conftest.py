"""Fixtures for the browser tests: Debian's chromium + chromedriver through
Selenium, headless, resolving the base domain and its subdomains to the test
stack's nginx.  The stack fixtures (stack, https, db_*, sh_stack) come from
tests/integration/conftest.py."""

import importlib.util
import os
import shutil
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def _integration_conftest():
    # Loaded under its own name: both files are "conftest" to pytest.
    path = os.path.join(HERE, "..", "integration", "conftest.py")
    spec = importlib.util.spec_from_file_location("mpanel_integration_fixtures", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_fx = _integration_conftest()
stack = _fx.stack
https = _fx.https
http = _fx.http
db_app = _fx.db_app
db_owner = _fx.db_owner
db_super = _fx.db_super
sh_stack = _fx.sh_stack
pool_extra = _fx.pool_extra
mailbox = _fx.mailbox
sms_outbox = _fx.sms_outbox

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def site(stack):
    """site("acme", "/path") -> "https://acme.<base>:<port>/path" (the URL a
    person would type); site(None, "/") for the bare base domain."""
    base = stack["MP_BASE_DOMAIN"]
    port = int(stack["MP_HTTPS_PORT"])

    def url(tenant=None, path="/"):
        host = base if tenant is None else (
            tenant if "." in tenant else "%s.%s" % (tenant, base))
        return "https://%s%s%s" % (host, "" if port == 443 else ":%d" % port, path)

    return url


@pytest.fixture
def browser(stack):
    """A fresh headless Chromium (new profile per test), quit afterwards."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    base = stack["MP_BASE_DOMAIN"]
    profile = tempfile.mkdtemp(prefix="mpanel-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
              "--no-default-browser-check", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--disable-extensions", "--ignore-certificate-errors",
              "--window-size=1280,900", "--user-data-dir=" + profile,
              "--host-resolver-rules=MAP *.%s 127.0.0.1, MAP %s 127.0.0.1"
              % (base, base)):
        opts.add_argument(a)
    service = Service(executable_path=CHROMEDRIVER,
                      log_output=os.path.join(profile, "chromedriver.log"))
    drv = webdriver.Chrome(service=service, options=opts)
    drv.set_page_load_timeout(30)
    drv.implicitly_wait(0)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)
