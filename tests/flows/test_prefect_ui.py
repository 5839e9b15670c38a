"""The Prefect UI of ``ingest serve``, used as a person would: in headless Chromium.

The browser is Debian's ``chromium`` with its ``chromedriver`` (packages ``chromium`` and
``chromium-driver``), driven by Selenium; nothing is downloaded. Without them the test is
skipped, unless ``INGEST_REQUIRE_CHROMIUM`` is set (CI sets it): then it fails.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

from ingest.store import open_store
from ingest.store.models import Document
from tests.flows.flows_testing import make_config, wait_for_deployment

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

CLI = [sys.executable, "-c", "from ingest.cli import main; main()"]
#: Generous bounds for a loaded 2-core machine: a fresh Prefect server, a flow run.
STARTUP = 240.0
UI = 120.0


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Chromium from the system's packages."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        reason = (
            "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        )
        if os.environ.get("INGEST_REQUIRE_CHROMIUM"):
            pytest.fail(f"INGEST_REQUIRE_CHROMIUM is set but: {reason}")
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,1000")
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium'}")
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def _lines(stream: Iterator[str]) -> queue.Queue[str]:
    """The lines of ``stream`` as they come, read by a thread."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def _next_line(lines: queue.Queue[str], prefix: str, seen: list[str]) -> str:
    """The next line that starts with ``prefix`` (the lines before it go to ``seen``)."""
    while True:
        try:
            line = lines.get(timeout=STARTUP)
        except queue.Empty:
            raise AssertionError(f"no line {prefix!r} within {STARTUP} s: {seen}") from None
        seen.append(line)
        if line.startswith(prefix):
            return line.removeprefix(prefix)


def _click(browser: WebDriver, locator: tuple[str, str]) -> WebElement:
    element: WebElement = WebDriverWait(browser, UI).until(ec.element_to_be_clickable(locator))
    # A script click: toasts and menus that are still sliding in would intercept a real one.
    browser.execute_script("arguments[0].click()", element)
    return element


def _wait_for_text(browser: WebDriver, locator: tuple[str, str], text: str) -> None:
    WebDriverWait(browser, UI).until(ec.text_to_be_present_in_element(locator, text))


@contextmanager
def _explained(browser: WebDriver, screenshot: Path) -> Iterator[None]:
    """A wait that times out says what the page showed (and leaves a screenshot)."""
    try:
        yield
    except TimeoutException as exc:
        browser.save_screenshot(str(screenshot))
        page = browser.find_element(By.TAG_NAME, "body").text[:3000]
        raise AssertionError(f"{browser.current_url} ({screenshot}):\n{page}") from exc


def _button(text: str) -> tuple[str, str]:
    return (By.XPATH, f"//button[normalize-space(.)='{text}']")


def _run_from_the_ui(browser: WebDriver, ui: str) -> str:
    """Open the deployment from the Deployments page, Quick run it; the flow run's id."""
    browser.get(f"{ui}/deployments")
    _wait_for_text(browser, (By.TAG_NAME, "body"), "1 Deployment")
    _click(browser, (By.LINK_TEXT, "local"))
    _click(browser, _button("Run"))
    _click(browser, _button("Quick run"))
    _click(browser, (By.CSS_SELECTOR, ".toast-flow-run-create__button"))  # "View run"
    WebDriverWait(browser, UI).until(ec.url_contains("/runs/flow-run/"))
    return browser.current_url.rsplit("/", 1)[-1].split("?")[0]


def _final_state(browser: WebDriver) -> str:
    """The state the flow run page shows once the run has ended (the page follows it)."""

    def ended(driver: WebDriver) -> str | None:
        badges = driver.find_elements(By.CSS_SELECTOR, ".state-badge")
        state = badges[0].text.strip() if badges else ""
        return state if state in ("Completed", "Failed", "Crashed", "Cancelled") else None

    state: str = WebDriverWait(browser, STARTUP).until(ended)
    return state


def test_ui_of_ingest_serve_lists_deployments_runs_one_and_shows_its_summary(
    tmp_path: Path, browser: WebDriver
) -> None:
    home = tmp_path / "prefect-home"
    home.mkdir()
    make_config(tmp_path, None, schedule="0 6 * * *")
    db_url = f"sqlite:///{tmp_path / 'ingest.db'}"
    env = {**os.environ, "PREFECT_HOME": str(home), "INGEST_DB_URL": db_url}
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "2"  # pick the run up quickly
    errors = (tmp_path / "serve.err").open("w")
    process = subprocess.Popen(
        [*CLI, "--config", str(tmp_path), "serve"],
        env=env, stdout=subprocess.PIPE, stderr=errors, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    seen: list[str] = []
    try:
        lines = _lines(process.stdout)
        starting = _next_line(lines, "starting a Prefect server at ", seen)
        ui = _next_line(lines, "Prefect UI: ", seen)
        assert starting.split(" ")[0] == ui
        # The UI calls the API of the server that serves it, not Prefect's default port.
        assert httpx.get(f"{ui}/ui-settings", timeout=10).json()["api_url"] == f"{ui}/api"
        wait_for_deployment(f"{ui}/api", "local", timeout=STARTUP)

        with _explained(browser, tmp_path / "ui.png"):
            flow_run_id = _run_from_the_ui(browser, ui)
            assert _final_state(browser) == "Completed"
            _click(browser, (By.CSS_SELECTOR, "li.p-tab#artifacts"))
            _click(browser, (By.XPATH, "//*[normalize-space(text())='ingest-run-summary']"))
            _wait_for_text(browser, (By.TAG_NAME, "body"), "ingest run 1: completed")
            _wait_for_text(browser, (By.TAG_NAME, "body"), "3 new documents")
        flow_run = httpx.get(f"{ui}/api/flow_runs/{flow_run_id}", timeout=10).json()
        assert flow_run["state_type"] == "COMPLETED"
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=90)
        errors.close()
    assert returncode == 0, (tmp_path / "serve.err").read_text()
    store = open_store(db_url)
    try:
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(Document)) == 3
    finally:
        store.close()
