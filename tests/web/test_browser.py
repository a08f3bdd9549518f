"""The pages in a real browser: Debian's Chromium driven by Playwright against uvicorn on loopback.

Skipped when Chromium is not installed (a fresh clone); CI installs it and sets
``CATALOG_TEST_REQUIRE_BROWSER=1``, which turns the skip into a failure. Screenshots of each page go to
``tests/artifacts/`` (not committed).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from catalog.api.app import create_app
from catalog.settings import Settings

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CATALOG_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TRANSPORT = "http://publications.europa.eu/resource/authority/data-theme/TRAN"

pytestmark = pytest.mark.timeout(180)


def _need_chromium() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    if os.environ.get("CATALOG_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} not found and CATALOG_TEST_REQUIRE_BROWSER=1 (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")


@pytest.fixture(scope="module")
def site(demo: Settings) -> Iterator[str]:
    """The demo catalogue served by uvicorn on 127.0.0.1 (a free port) for the module's tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(demo), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _need_chromium()
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")  # type: ignore[attr-defined]
    tab = context.new_page()
    yield tab
    context.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_search_filter_open_a_dataset_and_follow_its_turtle_link(site: str, page: object) -> None:
    p: object = page
    p.goto(site + "/")  # type: ignore[attr-defined]
    shot(p, "home")
    p.get_by_label("Zoek datasets").fill("parkeren")  # type: ignore[attr-defined]
    p.get_by_role("button", name="Zoeken").click()  # type: ignore[attr-defined]
    p.wait_for_url("**/search?q=parkeren")  # type: ignore[attr-defined]
    p.locator("fieldset", has_text="Thema").get_by_label("Vervoer").check()  # type: ignore[attr-defined]
    p.locator("fieldset", has_text="Gemeente").get_by_label("Gent").check()  # type: ignore[attr-defined]
    p.get_by_role("button", name="Filters toepassen").click()  # type: ignore[attr-defined]
    p.wait_for_load_state()  # type: ignore[attr-defined]
    shot(p, "search-filtered")
    assert "municipality=44021" in p.url and "theme=" in p.url  # type: ignore[attr-defined]
    assert p.get_by_role("link", name="Filter Gent verwijderen").is_visible()  # type: ignore[attr-defined]
    heading = p.locator("#result-count").inner_text()  # type: ignore[attr-defined]
    assert heading == "1 resultaten"
    p.locator("ol.hits a").first.click()  # type: ignore[attr-defined]
    p.wait_for_load_state()  # type: ignore[attr-defined]
    shot(p, "dataset")
    assert p.locator("h1").inner_text() == "Bezetting parkeergarages (real time)"  # type: ignore[attr-defined]
    with p.expect_response(lambda r: r.url.endswith(".ttl")) as answer:  # type: ignore[attr-defined]
        p.get_by_role("link", name="Turtle", exact=True).click()  # type: ignore[attr-defined]
    response = answer.value
    assert response.status == 200 and response.headers["content-type"].startswith("text/turtle")
    assert "dcat:Dataset" in response.text()


def test_switch_to_english_and_back(site: str, page: object) -> None:
    p: object = page
    p.goto(site + "/search?q=fiets")  # type: ignore[attr-defined]
    p.get_by_role("link", name="English").click()  # type: ignore[attr-defined]
    p.wait_for_load_state()  # type: ignore[attr-defined]
    assert p.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    assert p.get_by_role("button", name="Apply filters").is_visible()  # type: ignore[attr-defined]
    p.get_by_role("link", name="Municipalities", exact=True).click()  # type: ignore[attr-defined]
    p.wait_for_load_state()  # type: ignore[attr-defined]
    shot(p, "municipalities-en")
    assert p.locator("h1").inner_text() == "All 285 municipalities"  # type: ignore[attr-defined]
    p.get_by_role("link", name="Nederlands").click()  # type: ignore[attr-defined]
    p.wait_for_load_state()  # type: ignore[attr-defined]
    assert p.locator("html").get_attribute("lang") == "nl"  # type: ignore[attr-defined]


def test_keyboard_only_through_search_to_a_dataset(site: str, page: object) -> None:
    p: object = page
    p.goto(site + "/")  # type: ignore[attr-defined]
    p.keyboard.press("Tab")  # type: ignore[attr-defined]
    focused = p.evaluate("document.activeElement.textContent")  # type: ignore[attr-defined]
    assert focused == "Naar de inhoud", "the skip link is the first stop"
    p.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert p.evaluate("document.activeElement.id") == "main"  # type: ignore[attr-defined]
    for _ in range(5):
        p.keyboard.press("Tab")  # type: ignore[attr-defined]
        if p.evaluate("document.activeElement.id") == "q":  # type: ignore[attr-defined]
            break
    assert p.evaluate("document.activeElement.id") == "q", "the search box is reached by Tab"  # type: ignore[attr-defined]
    p.keyboard.type("luchtkwaliteit")  # type: ignore[attr-defined]
    p.keyboard.press("Enter")  # type: ignore[attr-defined]
    p.wait_for_url("**/search?q=luchtkwaliteit")  # type: ignore[attr-defined]
    for _ in range(80):
        p.keyboard.press("Tab")  # type: ignore[attr-defined]
        href = p.evaluate("document.activeElement.getAttribute('href') || ''")  # type: ignore[attr-defined]
        if href.startswith("/datasets/"):
            break
    else:
        raise AssertionError("no result link reached by Tab")
    outline = p.evaluate("getComputedStyle(document.activeElement).outlineStyle")  # type: ignore[attr-defined]
    assert outline != "none", "the focused link shows where focus is"
    p.keyboard.press("Enter")  # type: ignore[attr-defined]
    p.wait_for_url("**/datasets/*")  # type: ignore[attr-defined]
    assert p.locator("h1").inner_text()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path", ["/", "/search?q=parkeren", "/municipalities/44021", "/statistics", "/provinces"]
)
def test_no_serious_accessibility_violations(site: str, page: object, path: str) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    p: object = page
    p.goto(site + path)  # type: ignore[attr-defined]
    results = axe.Axe().run(p)
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def test_dataset_page_is_accessible_and_fits_a_phone(site: str, browser: object) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)  # type: ignore[attr-defined]
    p = context.new_page()
    p.goto(site + "/search?q=parkings")
    p.locator("ol.hits a").first.click()
    p.wait_for_load_state()
    shot(p, "dataset-phone")
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        "no sideways scrolling"
    )
    violations = axe.Axe().run(p).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    context.close()
