"""Help center in a real browser: suggestions as you type, search, open a
result, vote and get a thank-you without a reload."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def test_search_open_result_and_vote(browser, site):
    wait = WebDriverWait(browser, 10)
    browser.get(site("acme", "/help"))
    assert "How can we help?" in browser.page_source
    box = browser.find_element(By.ID, "kb-q")

    # Two letters: no suggestions; three and more: a list of articles.
    box.send_keys("wo")
    assert not browser.find_element(By.ID, "kb-suggest").is_displayed()
    box.send_keys("rdp")
    wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#kb-suggest a")))
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#kb-suggest a")]
    assert any("WordPress" in t for t in titles)

    # A full search through the form.
    box.clear()
    box.send_keys("renew certificate", Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".kb-hit h2 a")))
    assert "/help/search?q=renew+certificate" in browser.current_url
    marks = browser.find_elements(By.CSS_SELECTOR, ".kb-snippet mark")
    assert marks, "snippets highlight the search terms"
    first = browser.find_element(By.CSS_SELECTOR, ".kb-hit h2 a")
    title = first.text
    first.click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.kb-article h1")))
    assert browser.find_element(By.CSS_SELECTOR, "article.kb-article h1").text == title

    # Vote: the page must not reload (the marker survives) and thanks us.
    browser.execute_script("window.__kbNoReload = 1;")
    browser.find_element(By.ID, "vote-reason").send_keys("Clear steps")
    browser.find_element(By.CSS_SELECTOR, ".kb-vote-form button[value=yes]").click()
    note = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".kb-vote-form .kb-thanks")))
    assert "Thank you" in note.text
    assert browser.execute_script("return window.__kbNoReload;") == 1
    assert not browser.find_element(By.CSS_SELECTOR, ".kb-vote-form button[value=yes]").is_displayed()

    # A second vote today, after a reload, is refused politely.
    browser.refresh()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".kb-vote-form button[value=no]")))
    browser.find_element(By.CSS_SELECTOR, ".kb-vote-form button[value=no]").click()
    note = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".kb-vote-form .kb-thanks")))
    assert "already" in note.text


def test_vote_works_without_javascript(browser, site):
    """The same form posts and redirects when scripts are off."""
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.get(site("acme", "/help/search?q=autoresponder"))
    browser.find_element(By.CSS_SELECTOR, ".kb-hit h2 a").click()
    browser.find_element(By.CSS_SELECTOR, ".kb-vote-form button[value=no]").click()
    WebDriverWait(browser, 10).until(lambda d: "voted=" in d.current_url)
    assert "?voted=" in browser.current_url
    assert "Thank you" in browser.find_element(By.CSS_SELECTOR, "#vote .kb-thanks").text
