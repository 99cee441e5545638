"""The live app in a real browser: served by ``solara run``, driven in headless Chromium.

Uses Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); nothing
is downloaded. Skipped only when they are absent.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from govsim.viz.server import app_environment, solara_command
from tests.support import DEMO
from tests.viz_support import geojson_scenario, small_results

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOT = Path(__file__).resolve().parents[1] / "out" / "viz.png"
#: Flags without which Chromium's background connections are refused on a closed network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,720",
)
#: The page as a laptop projector shows it: 1280 × 720 CSS pixels at scale 1.
VIEWPORT = {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False}

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    """A running app: its address and the file its server writes to."""

    url: str
    log: Path

    def warnings(self) -> list[str]:
        """Lines of the server's output that report a warning."""
        return [line for line in self.log.read_text().splitlines() if "Warning" in line]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Serve the app (``serve(scenario, results=None)``) on a free loopback port, as
    ``govsim viz`` does; stop every server afterwards."""
    servers: list[subprocess.Popen[bytes]] = []

    def start(scenario: Path, results: Path | None = None) -> Served:
        port = _free_port()
        log = tmp_path / f"server-{port}.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                solara_command(port),
                env=app_environment(scenario, "status_quo", results=results),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        servers.append(server)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return Served(f"http://localhost:{port}/", log)
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the app server did not start in 30 s"
                time.sleep(0.2)

    try:
        yield start
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Chromium with a fresh profile, driven by chromedriver, its page 1280 × 720."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="govsim-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORT)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(browser, url: str, shown: str = "govsim-day") -> object:
    """Load the app at ``url`` and wait for the element of class ``shown`` (the live tab's
    day counter); returns the waiter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(url)
    wait.until(
        ec.presence_of_element_located((By.CLASS_NAME, shown)),
        f"the page did not show {shown} within 30 s (scripts missing? see the server log)",
    )
    return wait


def _step(browser) -> None:
    """Press Step (found afresh: the sidebar is redrawn as the model changes)."""
    from selenium.webdriver.common.by import By

    buttons = browser.find_elements(By.TAG_NAME, "button")
    next(b for b in buttons if b.text == "STEP").click()


def test_app_shows_map_charts_and_levers_and_steps(serve, browser) -> None:
    from selenium.webdriver.common.by import By

    served = serve(DEMO)
    wait = _open(browser, served.url)
    assert browser.title == "govsim — demo · status_quo"
    day = browser.find_element(By.CLASS_NAME, "govsim-day")
    assert day.text.startswith("Simulated day 0 of 365")
    tabs = [t.text for t in browser.find_elements(By.CSS_SELECTOR, ".v-tab")]
    assert tabs == ["LIVE RUN", "RESULTS"]  # not Mesa's "PAGE 0"
    levers = [e.text for e in browser.find_elements(By.CLASS_NAME, "govsim-lever")]
    assert levers[:2] == ["seed: 0", "grid workers: 2 per grid"]
    assert "weight: government: 4 points" in levers
    map_png = _panel_image(browser, "govsim-map")
    charts_png = _panel_image(browser, "govsim-charts")

    _step(browser)
    wait.until(
        lambda d: d.find_element(By.CLASS_NAME, "govsim-day").text.startswith("Simulated day 1 "),
        "clicking Step did not advance the day",
    )
    wait.until(lambda d: _panel_image(d, "govsim-map") != map_png)  # the map was redrawn
    assert _panel_image(browser, "govsim-charts") != charts_png
    for day in range(2, 6):  # a few more days, so that the screenshot shows the charts move
        _step(browser)
        wait.until(
            lambda d, day=day: d.find_element(By.CLASS_NAME, "govsim-day").text.startswith(
                f"Simulated day {day} "
            )
        )
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 50_000
    slider = browser.find_elements(By.CSS_SELECTOR, ".govsim-levers .v-slider")[1]
    slider.click()  # the grid workers' slider, clicked in its middle: 4 or 5 of 1–8
    wait.until(lambda d: d.find_elements(By.CLASS_NAME, "govsim-lever")[1].text != levers[1])
    moved = browser.find_elements(By.CLASS_NAME, "govsim-lever")[1].text
    assert moved in ("grid workers: 4 per grid", "grid workers: 5 per grid")
    workers = moved.split()[2]
    assert "2 grid workers per grid" in browser.find_element(By.CLASS_NAME, "govsim-run").text
    reset = browser.find_elements(By.TAG_NAME, "button")
    next(b for b in reset if b.text == "RESET").click()  # rebuilt with the lever as set
    wait.until(
        lambda d: (
            f"{workers} grid workers per grid" in d.find_element(By.CLASS_NAME, "govsim-run").text
        )
    )
    assert browser.find_element(By.CLASS_NAME, "govsim-day").text.startswith("Simulated day 0 ")
    assert served.warnings() == []  # nothing warned, from start-up to here


def test_a_geojson_map_is_served_as_its_polygons(serve, browser, tmp_path: Path) -> None:
    served = serve(geojson_scenario(tmp_path))
    # by address, as a room reaches it over plain http: solara's cookie note stays silent
    _open(browser, served.url.replace("localhost", "127.0.0.1"))
    assert browser.title == "govsim — slanted · status_quo"
    _panel_image(browser, "govsim-map")  # drawn (its polygons: tests/test_viz.py)
    assert served.warnings() == []


def test_results_tab_shows_a_results_folders_comparison(serve, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    served = serve(DEMO, results=small_results(tmp_path))
    _open(browser, served.url, shown="govsim-report")  # it opens on the Results tab
    assert browser.title == "govsim — demo · status_quo"
    text = (
        WebDriverWait(browser, 90)
        .until(
            lambda d: d.find_elements(By.CLASS_NAME, "govsim-report-text"),
            "the Results tab showed no report within 90 s",
        )[0]
        .text
    )
    assert "test: 8 of 8 runs (complete), baseline status_quo" in text
    assert "sample 1 (staffing.grid_workers_per_grid=3)" in text and "Δ" in text
    names = [e.text for e in browser.find_elements(By.CLASS_NAME, "govsim-report-figure")]
    assert {"compare-demo-0.png", "compare-demo-1.png", "series.png", "sweep.png"} <= set(names)
    images = browser.find_elements(By.CSS_SELECTOR, ".govsim-report img")
    assert len(images) == len(names) and all(image.size["width"] > 300 for image in images)
    assert served.warnings() == []


def _panel_image(driver, panel: str) -> str:
    """The address of the image shown in ``panel``, asserting the browser decoded and
    laid it out (a real picture, at least 200 × 150 pixels)."""
    from selenium.webdriver.common.by import By

    image = driver.find_element(By.CSS_SELECTOR, f".{panel} img")
    decoded = driver.execute_script(
        "return arguments[0].complete ? arguments[0].naturalWidth : 0", image
    )
    assert decoded > 200, f"{panel}: image not decoded"
    assert image.size["width"] > 200 and image.size["height"] > 150, image.size
    return image.get_attribute("src")
