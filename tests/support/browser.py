"""Debian's chromium, headless, driven through its chromedriver by
Selenium (never a browser build of Selenium's or Playwright's own): what
the dashboard's tests and its benchmark read the page with, as a person
sees it.

Selenium is imported when a browser is made, so that importing this
module costs nothing where no browser is wanted.
"""

import shutil

from tests.support.waiting import wait_for

CHROMIUM = ("chromium", "chromium-browser")
WINDOW = (1280, 1100)


def find_chromium():
    """(chromium, chromedriver) as found on PATH, or None."""
    found = next(filter(None, map(shutil.which, CHROMIUM)), None)
    driver = shutil.which("chromedriver")
    return (found, driver) if found and driver else None


class Browser:
    def __init__(self, profile, binary, driver):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                         f"--window-size={WINDOW[0]},{WINDOW[1]}", "--lang=en-GB"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(driver))

    def open(self, url, user=None, password=None, path="/"):
        """Load ``url`` + ``path``; with ``user``, its credentials in the URL."""
        host = url.removeprefix("http://")
        self.driver.get(f"http://{user}:{password}@{host}{path}" if user else url + path)

    def ready(self, timeout=20):
        """Wait until every panel has been drawn (the page marks its body)."""
        assert wait_for(lambda: self.driver.execute_script(
            "return document.body && document.body.dataset.state") == "ready", timeout)

    def text(self, css):
        """What a person reads in the element (hidden parts left out)."""
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def rows(self, css):
        """The visible rows of a table body, each as its cells' texts."""
        from selenium.webdriver.common.by import By

        return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in self.driver.find_elements(By.CSS_SELECTOR, f"{css} tbody tr")
                if tr.is_displayed()]

    def screenshot(self, path):
        """A PNG of the whole page, not only the window's part of it."""
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": WINDOW[0], "height": height, "deviceScaleFactor": 1, "mobile": False})
        try:
            return self.driver.save_screenshot(str(path))
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def errors(self):
        """The console's errors since the last call (a refused script or
        fetch, a script that failed)."""
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    def close(self):
        self.driver.quit()
