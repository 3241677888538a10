"""The review queue in a real browser: headless Debian Chromium driven by Selenium through
chromedriver. A reviewer clicks through the queue and adjudicates; the ledger gains review
records and the register's status changes; the hostile reply never runs script on any page."""

from __future__ import annotations

import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from assurance_harness.register.ledger import read_ledger, verify_ledger
from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (dev extra)")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="headless Chromium and chromedriver (Debian 'chromium', 'chromium-driver') "
        "not installed",
    ),
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _assert_no_script_ran(driver: object, page: str) -> None:
    assert driver.title != "pwned", page  # type: ignore[attr-defined]
    # Selenium can run script itself (devtools), so this reads the page's own state.
    assert driver.execute_script("return document.title") != "pwned", page  # type: ignore[attr-defined]


def test_click_through_the_queue_adjudicate_and_see_ledger_and_register(
    browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    project = make_project(tmp_path)
    outcome = project.run()
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        driver.get(base + "/register")  # type: ignore[attr-defined]
        assert "awaiting review" in driver.find_element(By.ID, "risks").text  # type: ignore[attr-defined]

        for key, choice in (("c2#0", "label-false"), ("c1#0", "agree"), ("c3#0", "agree")):
            driver.get(base + "/review")  # type: ignore[attr-defined]
            _assert_no_script_ran(driver, "/review")
            driver.find_element(By.LINK_TEXT, key).click()  # type: ignore[attr-defined]
            _assert_no_script_ran(driver, key)
            response = (
                WebDriverWait(driver, 30)
                .until(lambda d: d.find_element(By.ID, "response"))  # type: ignore[attr-defined]
                .text
            )
            if key == "c3#0":
                assert "<script>document.title='pwned'</script>" in response
            driver.find_element(By.ID, choice).click()  # type: ignore[attr-defined]
            driver.find_element(By.ID, "note").send_keys(f"checked {key}")  # type: ignore[attr-defined]
            driver.find_element(By.ID, "submit").click()  # type: ignore[attr-defined]
            # The POST and its redirect load a new page: wait for it (a busy machine took longer
            # than the immediate lookup allowed, and the test failed without a defect).
            saved = (
                WebDriverWait(driver, 30)
                .until(lambda d: d.find_element(By.ID, "saved"))  # type: ignore[attr-defined]
                .text
            )
            assert saved.startswith("Saved: alice")
            assert "EV-" in saved

        driver.get(base + "/review")  # type: ignore[attr-defined]
        assert "Nothing waits for review." in driver.find_element(By.ID, "queue").text  # type: ignore[attr-defined]
        driver.get(base + "/register")  # type: ignore[attr-defined]
        risks = driver.find_element(By.ID, "risks").text  # type: ignore[attr-defined]
        assert "verified" in risks and "awaiting review" not in risks
        driver.get(base + "/register/R-001")  # type: ignore[attr-defined]
        page = driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
        assert "checked c2#0" in page and "correct" in page

        q = urllib.parse.quote
        for path in (
            "/",
            f"/runs/{q(outcome.run_id)}",
            f"/runs/{q(outcome.run_id)}/report.html",
            "/register/R-001",
            "/trend?suite=review-demo&metric=bad_rate",
            f"/compare?a={q(outcome.run_id)}&b={q(outcome.run_id)}",
            "/review?show=all",
        ):
            driver.get(base + path)  # type: ignore[attr-defined]
            _assert_no_script_ran(driver, path)

    reviews = [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert [r.review["row"] for r in reviews] == ["c2#0", "c1#0", "c3#0"]
    assert reviews[0].review["label"] is False and reviews[0].review["reviewer"] == "alice"
    assert verify_ledger(project.ledger).ok
