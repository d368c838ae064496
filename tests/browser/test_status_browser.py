"""The status page in a real browser: the banner, groups and 90-day bars
render without CSP errors, a bar's tooltip names the day, an incident page
opens from the history, and the subscribe form is reachable."""

from selenium.webdriver.common.by import By


def csp_errors(browser):
    try:
        logs = browser.get_log("browser")
    except Exception:
        return []
    return [e["message"] for e in logs
            if "Content Security Policy" in e.get("message", "")]


def test_status_page_and_incident_page(browser, site):
    browser.get(site("acme", "/status"))
    assert browser.title.startswith("System status")
    h1 = browser.find_element(By.ID, "status-description")
    assert h1.text in ("All Systems Operational", "Minor Service Outage",
                       "Partial System Outage", "Major Service Outage",
                       "Major System Outage", "Service Under Maintenance")
    groups = browser.find_elements(By.CSS_SELECTOR, ".group-name")
    assert [g.find_element(By.TAG_NAME, "span").text for g in groups][:3] == [
        "Web hosting", "Email and DNS", "Control panel and backups"]
    svgs = browser.find_elements(By.CSS_SELECTOR, "svg.bars")
    assert len(svgs) >= 9
    # The stylesheet applies: bars have a height and colours from classes.
    assert svgs[0].size["height"] > 20 and svgs[0].size["width"] > 200
    fill = browser.execute_script(
        "return getComputedStyle(document.querySelector('svg.bars rect.d-ok')).fill")
    assert fill.replace(" ", "") == "rgb(59,165,92)"
    titles = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg.bars title'))"
        ".map(function (t) { return t.textContent; })")
    assert len(titles) >= 9 * 90
    assert any(t.endswith(": no downtime") for t in titles)
    assert any("minutes down" in t for t in titles)
    assert not csp_errors(browser)

    browser.find_element(By.LINK_TEXT, "Incident history").click()
    assert browser.title.startswith("Incident history")
    link = browser.find_elements(By.CSS_SELECTOR, "ul.past li > a")[0]
    name = link.text
    link.click()
    assert browser.find_element(By.TAG_NAME, "h1").text == name
    steps = browser.find_elements(By.CSS_SELECTOR, "ol.timeline li")
    assert len(steps) >= 1
    assert not csp_errors(browser)

    browser.find_element(By.LINK_TEXT, "Get updates by email").click()
    assert browser.find_element(By.ID, "sub-email").get_attribute("type") == "email"
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[name=components]")
    assert len(boxes) == 9
