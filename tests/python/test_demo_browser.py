"""The live demo in a real headless browser: Debian's chromium driven by Selenium through
chromedriver (scripts/setup-system.sh installs both; no browser is downloaded).

The page loads from the local server alone, Play advances the days, a changed setting (the blockade
switched off) changes the outcome, a bad value shows a message, and a screenshot is saved (into the
test's temporary directory; also to $SAHELSIM_DEMO_SCREENSHOT when set, e.g. docs/img/demo.png).
"""

import json
import os
import shutil
import socket
import time
from urllib.parse import urlparse

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
pytest.importorskip("flask")
pytest.importorskip("plotly")

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from sahelsim.demo import DemoServer  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="needs Debian's chromium and chromium-driver (scripts/setup-system.sh)"),
    pytest.mark.timeout(90),
]


@pytest.fixture(scope="module")
def server():
    with DemoServer(port=0, threads=2) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    # Selenium reaches chromedriver at "localhost"; without that name it only says it "can not
    # connect" after 30 s. A system without it (a bare debootstrap chroot has no /etc/hosts) is told.
    try:
        socket.getaddrinfo("localhost", None)
    except socket.gaierror as error:
        pytest.fail(f"the name 'localhost' does not resolve ({error}): Selenium reaches chromedriver by it; "
                    "add '127.0.0.1 localhost' to /etc/hosts")
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1600,1000", "--disable-extensions", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-default-apps", "--metrics-recording-only", "--no-default-browser-check"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait_for(driver, script, timeout=30.0, what=""):
    """Polls a JavaScript expression until it is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return {script};")
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or script}")


def requested_urls(driver):
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def open_page(driver, server, scenario=None):
    driver.get(server.url + (f"?scenario={scenario}" if scenario else ""))
    wait_for(driver, "window.sahelsimDemo && window.sahelsimDemo.state !== null && !window.sahelsimDemo.busy",
             what="the first state")


def current_step(driver):
    return driver.execute_script("return window.sahelsimDemo.state.step;")


def play_until(driver, step, speed="30"):
    Select(driver.find_element("id", "speed")).select_by_value(speed)
    driver.find_element("id", "play").click()
    wait_for(driver, f"window.sahelsimDemo.state.step >= {step}", timeout=40, what=f"day {step}")
    driver.find_element("id", "pause").click()
    wait_for(driver, "!window.sahelsimDemo.busy", what="the last request")


def test_page_loads_everything_from_the_local_server(browser, server):
    open_page(browser, server)
    assert browser.find_element("id", "day").text == "day 0 / 184"
    assert browser.find_element("id", "date").text == "2025-07-01"
    assert browser.find_element("id", "readout-price").text == "775 FCFA/L"
    # The map and the six charts are drawn by plotly.js.
    assert browser.execute_script("return document.querySelectorAll('#map .main-svg').length") >= 1
    assert browser.execute_script("return document.querySelectorAll('#charts .js-plotly-plot').length") == 6
    names = browser.execute_script("return document.getElementById('map').data.map(t => t.name)")
    for name in ("villages (control)", "markets (fuel price)", "garrisons", "militant bands", "convoys"):
        assert name in names
    origin = urlparse(server.url)
    outside = [u for u in requested_urls(browser)
               if not u.startswith(("data:", "blob:")) and urlparse(u).netloc != origin.netloc]
    assert outside == [], f"the page asked for URLs outside the demo server: {outside}"
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_play_advances_the_days_and_a_screenshot_is_saved(browser, server, tmp_path):
    open_page(browser, server)
    play_until(browser, 100)
    step = current_step(browser)
    assert step >= 100
    assert browser.find_element("id", "day").text == f"day {step} / 184"
    history = browser.execute_script("return window.sahelsimDemo.history.step")
    assert history == list(range(step + 1))
    # After the blockade of 3 September (day 64) tankers burn and fuel gets dear in Bamako.
    prices = browser.execute_script("return window.sahelsimDemo.history.fuel_price_bamako")
    assert max(prices[70:]) > 2 * prices[0]
    path = tmp_path / "demo.png"
    assert browser.save_screenshot(str(path))
    assert path.stat().st_size > 50_000
    extra = os.environ.get("SAHELSIM_DEMO_SCREENSHOT")
    if extra:
        shutil.copyfile(path, extra)


def set_setting(driver, name, value):
    element = driver.find_element("id", f"setting-{name}")
    if element.get_attribute("type") == "checkbox":
        if element.is_selected() != value:
            element.click()
    else:
        element.clear()
        element.send_keys(str(value))


def test_blockade_switched_off_keeps_the_price_in_the_capital(browser, server):
    open_page(browser, server)
    set_setting(browser, "blockade_start_day", 1)
    browser.find_element("id", "reset").click()
    wait_for(browser, "window.sahelsimDemo.static.settings.blockade_start_day === 1", what="the reset")
    play_until(browser, 25)
    with_blockade = browser.execute_script("return Math.max(...window.sahelsimDemo.history.fuel_price_bamako)")
    set_setting(browser, "blockade", False)
    assert browser.find_element("id", "pending").is_displayed()
    browser.find_element("id", "reset").click()
    wait_for(browser, "window.sahelsimDemo.static.settings.blockade === false && window.sahelsimDemo.state.step === 0",
             what="the reset without blockade")
    play_until(browser, 25)
    without = browser.execute_script("return Math.max(...window.sahelsimDemo.history.fuel_price_bamako)")
    assert without == 775
    assert with_blockade > 2 * without


def test_a_bad_value_shows_a_message_and_keeps_the_run(browser, server):
    open_page(browser, server)
    session = browser.execute_script("return window.sahelsimDemo.session")
    set_setting(browser, "escort_detachments", "many")
    browser.find_element("id", "reset").click()
    message = wait_for(browser, "!document.getElementById('error').hidden && document.getElementById('error').textContent",
                       what="the error message")
    assert message == "escort_detachments = 'many' is not allowed: expected an integer in [0, 200]"
    assert "invalid" in browser.find_element("id", "setting-escort_detachments").get_attribute("class")
    assert browser.execute_script("return window.sahelsimDemo.session") == session


def test_epstein_runs_in_the_same_page(browser, server):
    open_page(browser, server, scenario="epstein")
    assert Select(browser.find_element("id", "scenario")).first_selected_option.get_attribute("value") == "epstein"
    browser.find_element("id", "step").click()
    wait_for(browser, "window.sahelsimDemo.state.step === 1", what="one step")
    play_until(browser, 30)
    assert browser.find_element("id", "day").text.startswith("step ")
    # The lattice is drawn top down: row 0 at the top, the image's top edge at y = 0.
    assert browser.execute_script("return document.getElementById('map').layout.images[0].y") == 0
    assert browser.execute_script("return window.sahelsimDemo.history.active.length") == current_step(browser) + 1
