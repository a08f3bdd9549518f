"""The steward's workspace in a real browser: Debian's Chromium driven by Playwright against uvicorn on
loopback, the source being the loopback replay of DataSud's real CKAN responses.

A steward signs in with a token -> tests a source -> saves it -> runs it (the job page follows the run
with its own script and reloads when it ends) -> reads the report, filtered by action -> signs out.
axe-core finds no serious or critical violation on the workspace's pages. Screenshots go to
``tests/artifacts/`` (not committed).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from catalog.api.app import create_app
from catalog.services import upgrade_database
from tests.api.source_support import SEARCH, make_settings, make_tokens
from tests.harvesters.replay import SAMPLES_DIR, RecordedRequest, ReplayServer, Reply
from tests.web.test_browser import _need_chromium, browser, page, shot

__all__ = ["browser", "page"]  # fixtures

pytestmark = pytest.mark.timeout(240)


GATE = threading.Event()
"""Open: the replay answers at once. The test closes it to see a run going on, then opens it again."""
GATE.set()


def _gated_datasud(_: RecordedRequest) -> Reply:
    """DataSud's real answer, once the gate is open."""
    GATE.wait(30)
    body = (SAMPLES_DIR / "ckan-datasud/package_search.json").read_bytes()
    return Reply(body, 200, {"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """uvicorn on 127.0.0.1 over a fresh SQLite store (SSRF guard open to loopback for the replay)."""
    _need_chromium()
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"reference samples not found at {SAMPLES_DIR}")
    folder: Path = tmp_path_factory.mktemp("steward")
    settings = make_settings(f"sqlite:///{folder / 'catalog.db'}")
    upgrade_database(settings=settings)
    tokens = make_tokens(settings)
    replay = ReplayServer().start()
    replay.route(SEARCH, handler=_gated_datasud)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield {"site": f"http://127.0.0.1:{port}", "tokens": tokens, "replay": replay}
    finally:
        server.should_exit = True
        thread.join(10)
        replay.close()


def serious_violations(p: Any) -> list[tuple[str, str, int]]:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe.Axe().run(p)
    return [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_steward_signs_in_tests_saves_runs_and_reads_the_report(workspace: dict[str, Any], page: Any) -> None:
    p, site = page, workspace["site"]
    p.goto(site + "/")
    p.get_by_role("link", name="Beheer").click()
    p.wait_for_url("**/steward/login?next=/steward")
    shot(p, "steward-login")
    assert serious_violations(p) == []
    p.get_by_label("API-token").fill(workspace["tokens"]["steward"])
    p.get_by_role("button", name="Aanmelden").click()
    p.wait_for_url(site + "/steward")
    assert "token" not in p.url and workspace["tokens"]["steward"] not in p.content()
    assert p.get_by_text("Aangemeld als gent").is_visible()

    p.get_by_role("link", name="Bron toevoegen").click()
    p.wait_for_url("**/steward/sources/new")
    p.get_by_label("Naam", exact=True).fill("Gent open data")
    p.get_by_label("Soort portaal").select_option("ckan")
    p.get_by_label("URL", exact=True).fill(workspace["replay"].url(""))
    assert p.get_by_label("Gemeente (NIS-code)").input_value() == "44021"
    p.get_by_label("Opties (één sleutel=waarde per regel)").fill("language=fr\nincremental=false")
    p.get_by_role("button", name="Testen").click()
    p.wait_for_selector("#preview-title")
    shot(p, "steward-test-source")
    assert p.locator("#preview-summary").inner_text().startswith("7 records bruikbaar, 0 mislukt")
    assert p.get_by_role("heading", name="Parcs de stationnement de la Ville de Gap").is_visible()
    assert p.locator("table.fetch tbody tr").count() >= 1, "the fetch diagnostics"
    assert serious_violations(p) == []

    p.get_by_role("button", name="Bewaren").click()
    p.wait_for_url("**/steward/sources/*?notice=created")
    shot(p, "steward-source")
    assert p.get_by_role("status").inner_text() == "De bron is bewaard."
    assert serious_violations(p) == []

    GATE.clear()
    try:
        p.get_by_role("button", name="Nu oogsten").click()
        p.wait_for_url("**/steward/jobs/*")
        assert p.locator("#job-status").inner_text() == "bezig", "the run is going on"
        shot(p, "steward-job-running")
    finally:
        GATE.set()
    p.wait_for_function("document.getElementById('job-status').textContent === 'geslaagd'", timeout=60_000)
    shot(p, "steward-job-report")
    assert p.locator('#job-counts [data-action="created"] .n').inner_text() == "7"
    assert p.locator("#records-total").inner_text() == "7 records"
    assert serious_violations(p) == []

    p.get_by_label("Toon").select_option("created")
    p.get_by_role("button", name="Filteren").click()
    p.wait_for_url("**action=created")
    assert p.locator("table.report tbody tr").count() == 7
    p.get_by_label("Toon").select_option("failed")
    p.get_by_role("button", name="Filteren").click()
    p.wait_for_url("**action=failed")
    assert p.locator("#records-total").inner_text() == "0 records"

    p.get_by_role("link", name="Beheer van bronnen").click()
    p.wait_for_url(site + "/steward")
    row = p.locator("table.sources tbody tr", has_text="Gent open data")
    assert "geslaagd" in row.inner_text()
    shot(p, "steward-home")
    assert serious_violations(p) == []

    p.get_by_role("button", name="Afmelden").click()
    p.wait_for_url("**/steward/login?signed_out=1")
    p.goto(site + "/steward")
    assert "/steward/login" in p.url, "signed out: the workspace asks to sign in again"


def test_an_outsider_gets_the_friendly_403_page(workspace: dict[str, Any], page: Any) -> None:
    p, site = page, workspace["site"]
    admin = {"Authorization": f"Bearer {workspace['tokens']['admin']}"}
    body = {
        "name": "Gent portal",
        "kind": "ckan",
        "url": workspace["replay"].url("/gent"),
        "municipality": "44021",
    }
    created = httpx.post(site + "/api/sources", json=body, headers=admin, timeout=10)
    assert created.status_code == 201, created.text
    p.goto(site + "/steward/login")
    p.get_by_label("API-token").fill(workspace["tokens"]["outsider"])
    p.get_by_role("button", name="Aanmelden").click()
    p.wait_for_url(site + "/steward")
    assert p.get_by_text("Je beheert nog geen bronnen.").is_visible()
    response = p.goto(site + f"/steward/sources/{created.json()['id']}")
    assert response.status == 403
    assert p.get_by_role("heading", name="Geen toegang").is_visible()
    shot(p, "steward-forbidden")
    assert serious_violations(p) == []


def test_the_workspace_fits_a_phone(workspace: dict[str, Any], browser: Any) -> None:
    site = workspace["site"]
    admin = {"Authorization": f"Bearer {workspace['tokens']['admin']}"}
    workspace["replay"].route("/phone" + SEARCH, handler=_gated_datasud)
    body = {
        "name": "Phone test",
        "kind": "ckan",
        "url": workspace["replay"].url("/phone"),
        "municipality": "44021",
    }
    source = httpx.post(site + "/api/sources", json=body, headers=admin, timeout=10).json()
    started = httpx.post(f"{site}/api/sources/{source['id']}/harvest", headers=admin, timeout=10)
    job_id = started.json()["job_id"]
    deadline = time.monotonic() + 60
    while (job := httpx.get(f"{site}/api/jobs/{job_id}", headers=admin, timeout=10).json())[
        "status"
    ] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert job["stats"]["created"] == 7, job
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        p = context.new_page()
        p.goto(site + "/steward/login")
        p.get_by_label("API-token").fill(workspace["tokens"]["admin"])
        p.get_by_role("button", name="Aanmelden").click()
        p.wait_for_url(site + "/steward")
        for path in (
            "/steward",
            "/steward/sources/new",
            f"/steward/sources/{source['id']}",
            f"/steward/jobs/{job_id}",
        ):
            p.goto(site + path)
            name = "steward-phone-" + (path.strip("/").replace("/", "-") or "home")
            shot(p, name)
            assert p.evaluate("document.documentElement.scrollWidth <= 376"), f"{path}: no sideways scrolling"
    finally:
        context.close()
