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
from collections.abc import Iterator
from pathlib import Path

import pytest

from govsim.viz.server import app_environment, solara_command
from tests.support import DEMO

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
    "--window-size=1500,1100",
)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """Serve the app for the demo city on a free loopback port; stop it afterwards."""
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        solara_command(port),
        env=app_environment(DEMO, "status_quo"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the app server did not start in 30 s"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Chromium with a fresh profile, driven by chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="govsim-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_app_shows_map_and_charts_and_steps(app_url: str, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    browser.get(app_url)
    day = wait.until(
        ec.presence_of_element_located((By.CLASS_NAME, "govsim-day")),
        "the page did not show the day counter within 20 s (scripts missing? see the server log)",
    )
    assert day.text.startswith("Simulated day 0 of 365")
    map_png = _panel_image(browser, "govsim-map")
    charts_png = _panel_image(browser, "govsim-charts")
    assert map_png and charts_png

    step = next(b for b in browser.find_elements(By.TAG_NAME, "button") if b.text == "STEP")
    step.click()
    wait.until(
        lambda d: d.find_element(By.CLASS_NAME, "govsim-day").text.startswith("Simulated day 1 "),
        "clicking Step did not advance the day",
    )
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Step: 1" in body or "Time: 1" in body  # Mesa's own counter (3.3 / 3.5)
    wait.until(lambda d: _panel_image(d, "govsim-map") != map_png)  # the map was redrawn
    assert _panel_image(browser, "govsim-charts") != charts_png
    for day in range(2, 6):  # a few more days, so that the screenshot shows the charts move
        step.click()
        wait.until(
            lambda d, day=day: d.find_element(By.CLASS_NAME, "govsim-day").text.startswith(
                f"Simulated day {day} "
            )
        )
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 50_000


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
