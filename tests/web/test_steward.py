"""The steward's workspace through HTTP: signing in and out with a token (an HTTP-only session cookie, the
session kept server-side by a hash), revocation ending the session at once, CSRF refused on every form,
the token's scope (a Gent steward neither sees nor changes an Antwerpen source), the add-a-source form's
errors next to their fields, and a whole path: test -> save -> run -> report -> held withdrawal. On
SQLite and PostgreSQL, with the loopback replay of DataSud's real CKAN responses."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from catalog.auth.tokens import revoke_token
from catalog.db.auth_tables import AuditEntry
from catalog.db.engine import session_scope
from catalog.db.jobs import JobRecord, add_job_records
from catalog.db.tables import Source
from catalog.db.web_sessions import WebSession
from tests.api.source_support import (
    ANTWERPEN,
    GENT,
    SEARCH,
    Env,
    build_env,
    datasud,
    empty_listing,
    env,
    replay,
)
from tests.harvesters.replay import SAMPLES_DIR, RecordedRequest, ReplayServer, Reply

__all__ = ["datasud", "env", "replay"]  # fixtures

HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has a form with a CSRF value"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> str:
    """Sign in through the form; the workspace's CSRF value."""
    form = client.get("/steward/login", headers=HTML)
    assert form.status_code == 200
    done = client.post(
        "/steward/login", data={"csrf": csrf_of(form.text), "token": token, "next": "/steward"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/steward", done.text
    home = client.get("/steward", headers=HTML)
    assert home.status_code == 200
    return csrf_of(home.text)


@pytest.fixture
def browser(env: Env) -> Iterator[TestClient]:
    """A second client on the same app: its own cookies, as a separate browser would have."""
    with TestClient(env.client.app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def guarded(store: Any, datasud: ReplayServer) -> Iterator[Env]:
    """The app with the SSRF guard as in production: private and loopback addresses refused."""
    yield from build_env(store, datasud, harvest={"allow_private_networks": False})


def test_sign_in_and_out(env: Env, browser: TestClient) -> None:
    first = browser.get("/steward/sources/new", headers=HTML)
    assert (
        first.status_code == 303 and first.headers["location"] == "/steward/login?next=/steward/sources/new"
    )

    form = browser.get("/steward/login", headers=HTML)
    refused = browser.post("/steward/login", data={"csrf": csrf_of(form.text), "token": "cat_" + "x" * 43})
    assert refused.status_code == 401 and "onbekend of ingetrokken" in refused.text
    assert "steward_session" not in browser.cookies

    form = browser.get("/steward/login", headers=HTML)
    done = browser.post("/steward/login", data={"csrf": csrf_of(form.text), "token": env.tokens["steward"]})
    assert done.status_code == 303
    cookie = done.headers["set-cookie"]
    assert "steward_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/steward" in cookie and "Secure" not in cookie, "plain http here: no Secure flag"
    value = browser.cookies["steward_session"]
    with env.store.sessions() as session:
        (row,) = session.scalars(select(WebSession))
        assert row.session_hash != value and value not in row.session_hash, "only a hash is stored"
        stored = [row.session_hash, row.csrf_secret]
        assert env.tokens["steward"] not in stored

    home = browser.get("/steward", headers=HTML)
    assert home.status_code == 200 and "Aangemeld als gent" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert env.tokens["steward"] not in home.text, "the token is never shown again"

    out = browser.post("/steward/logout", data={"csrf": csrf_of(home.text)})
    assert out.status_code == 303 and out.headers["location"].startswith("/steward/login")
    assert browser.get("/steward", headers=HTML).status_code == 303
    with env.store.sessions() as session:
        assert list(session.scalars(select(WebSession))) == [], "the session is gone from the store"
    browser.cookies.set("steward_session", value, path="/steward")
    assert browser.get("/steward", headers=HTML).status_code == 303, "the old cookie opens nothing"


def test_revoking_the_token_ends_the_session_at_once(env: Env, browser: TestClient) -> None:
    sign_in(browser, env.tokens["steward"])
    assert browser.get("/steward", headers=HTML).status_code == 200
    with session_scope(env.store.sessions) as session:
        revoke_token(session, name="gent")
    after = browser.get("/steward", headers=HTML)
    assert after.status_code == 303 and after.headers["location"].startswith("/steward/login")
    form = browser.get("/steward/login", headers=HTML)
    again = browser.post("/steward/login", data={"csrf": csrf_of(form.text), "token": env.tokens["steward"]})
    assert again.status_code == 401, "a revoked token cannot sign in"


def test_forms_without_this_sessions_csrf_value_are_refused(env: Env, browser: TestClient) -> None:
    source = env.create()
    csrf = sign_in(browser, env.tokens["steward"])
    with TestClient(env.client.app, follow_redirects=False) as other:
        other_csrf = sign_in(other, env.tokens["admin"])
    assert other_csrf != csrf
    path = f"/steward/sources/{source['id']}/active"
    for data in ({"active": "0"}, {"active": "0", "csrf": ""}, {"active": "0", "csrf": other_csrf}):
        refused = browser.post(path, data=data, headers=HTML)
        assert refused.status_code == 403, data
        assert refused.headers["content-type"].startswith("text/html") and "Geen toegang" in refused.text
    assert browser.post(f"/steward/sources/{source['id']}/harvest", data={}).status_code == 403
    assert browser.post("/steward/logout", data={}).status_code == 403
    with env.store.sessions() as session:
        stored = session.get(Source, source["id"])
        assert stored is not None and stored.active, "nothing changed"
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "harvest")).first() is None

    with TestClient(env.client.app, follow_redirects=False) as stranger:  # no sign-in form cookie
        login = stranger.post("/steward/login", data={"csrf": "x" * 43, "token": env.tokens["admin"]})
        assert login.status_code == 403 and "steward_session" not in stranger.cookies

    done = browser.post(path, data={"active": "0", "csrf": csrf})
    assert done.status_code == 303, "the same form with the session's value goes through"
    with env.store.sessions() as session:
        stored = session.get(Source, source["id"])
        assert stored is not None and not stored.active


def test_a_gent_steward_can_neither_see_nor_change_an_antwerpen_source(env: Env, browser: TestClient) -> None:
    gent = env.create(name="Gent CKAN")
    antwerpen = env.create(name="Antwerpen CKAN", url=env.replay.url("/a"), municipality=ANTWERPEN)
    job = env.harvest(antwerpen["id"])
    csrf = sign_in(browser, env.tokens["steward"])

    home = browser.get("/steward", headers=HTML).text
    assert "Gent CKAN" in home and "Antwerpen CKAN" not in home
    for path in (f"/steward/sources/{antwerpen['id']}", f"/steward/jobs/{job['id']}"):
        page = browser.get(path, headers=HTML)
        assert page.status_code == 403 and "Geen toegang" in page.text, path
        assert "Antwerpen CKAN" not in page.text
    assert browser.get(f"/steward/jobs/{job['id']}/progress").status_code == 403
    for action, data in (("harvest", {}), ("active", {"active": "0"})):
        refused = browser.post(f"/steward/sources/{antwerpen['id']}/{action}", data={"csrf": csrf, **data})
        assert refused.status_code == 403, action
    for job_action in ("abort", "withdrawal"):
        refused = browser.post(f"/steward/jobs/{job['id']}/{job_action}", data={"csrf": csrf})
        assert refused.status_code == 403, job_action
    with env.store.sessions() as session:
        stored = session.get(Source, antwerpen["id"])
        assert stored is not None and stored.active
    assert (
        len(env.client.get(antwerpen["href"] + "/jobs", headers=env.headers("admin")).json()["results"]) == 1
    )

    form = browser.post(
        "/steward/sources/new",
        data={
            "csrf": csrf,
            "action": "save",
            "name": "Mine",
            "kind": "ckan",
            "url": env.replay.url("/b"),
            "municipality": ANTWERPEN,
            "schedule": "daily",
            "options": "",
        },
    )
    assert form.status_code == 422 and "beheert deze gemeente of organisatie niet" in form.text
    assert browser.get(f"/steward/sources/{gent['id']}", headers=HTML).status_code == 200
    for missing in (
        "/steward/sources/999999",
        "/steward/jobs/999999",
        "/steward/sources/abc",
        "/steward/x/y",
    ):
        page = browser.get(missing, headers=HTML)
        assert page.status_code == 404 and "Niet gevonden" in page.text, missing


def _form(csrf: str, env: Env, **values: str) -> dict[str, str]:
    data = {
        "csrf": csrf,
        "action": "save",
        "name": "Gent open data",
        "kind": "ckan",
        "url": env.replay.url(""),
        "municipality": GENT,
        "organisation": "",
        "schedule": "daily",
        "options": "language=fr\nincremental=false",
    }
    data.update(values)
    return data


def test_errors_are_shown_next_to_their_fields(guarded: Env) -> None:
    env = guarded
    with TestClient(env.client.app, follow_redirects=False) as browser:
        csrf = sign_in(browser, env.tokens["steward"])
        ssrf = browser.post("/steward/sources/new", data=_form(csrf, env, url="http://127.0.0.1:9/"))
        assert ssrf.status_code == 422
        assert re.search(
            r'id="url-error" class="error">refusing to fetch http://127\.0\.0\.1:9/: [^<]*internal address',
            ssrf.text,
        ), ssrf.text
        assert 'aria-describedby="url-error"' in ssrf.text and 'value="Gent open data"' in ssrf.text, (
            "the field is marked and the other values are kept"
        )
        unknown = browser.post("/steward/sources/new", data=_form(csrf, env, options="colour=blue"))
        assert unknown.status_code == 422 and re.search(r'id="options-error"[^>]*>[^<]*colour', unknown.text)
        nameless = browser.post(
            "/steward/sources/new", data=_form(csrf, env, name="", url="https://x.example/")
        )
        assert nameless.status_code == 422 and 'id="name-error"' in nameless.text
        with env.store.sessions() as session:
            assert list(session.scalars(select(Source))) == [], "nothing was saved"


def test_duplicate_url_and_kind_points_at_the_existing_source(env: Env, browser: TestClient) -> None:
    existing = env.create()
    csrf = sign_in(browser, env.tokens["steward"])
    again = browser.post("/steward/sources/new", data=_form(csrf, env, name="Another name"))
    assert again.status_code == 422
    assert 'id="url-error"' in again.text and f'href="/steward/sources/{existing["id"]}"' in again.text


def wait_for(browser: TestClient, job_id: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = browser.get(f"/steward/jobs/{job_id}/progress").json()
        if not body["running"]:
            return body
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.05)


def test_test_save_run_read_the_report_and_answer_a_held_withdrawal(env: Env, browser: TestClient) -> None:
    csrf = sign_in(browser, env.tokens["steward"])
    blank = browser.get("/steward/sources/new", headers=HTML)
    assert blank.status_code == 200 and 'value="44021"' in blank.text, "the steward's one municipality"
    tested = browser.post("/steward/sources/new", data=_form(csrf, env, action="test"))
    assert tested.status_code == 200, tested.text
    assert "7 records bruikbaar, 0 mislukt, 0 overgeslagen" in tested.text
    assert "<h3>Parcs de stationnement de la Ville de Gap</h3>" in tested.text, "the mapped title"
    assert SEARCH in tested.text, "the fetch diagnostics list the request"
    with env.store.sessions() as session:
        assert list(session.scalars(select(Source))) == [], "a test writes nothing"

    saved = browser.post("/steward/sources/new", data=_form(csrf, env))
    assert saved.status_code == 303
    source_page = saved.headers["location"]
    source_id = int(source_page.split("/")[3].split("?")[0])
    assert "De bron is bewaard" in browser.get(source_page, headers=HTML).text

    run = browser.post(f"/steward/sources/{source_id}/harvest", data={"csrf": csrf})
    assert run.status_code == 303 and run.headers["location"].startswith("/steward/jobs/")
    job_id = int(run.headers["location"].rsplit("/", 1)[1])
    assert wait_for(browser, job_id)["counts"]["created"] == 7
    report = browser.get(f"/steward/jobs/{job_id}", headers=HTML).text
    assert "geslaagd" in report and "7 records" in report
    created = browser.get(f"/steward/jobs/{job_id}?action=created", headers=HTML).text
    assert "7 records" in created and created.count('class="action-created"') == 7
    assert "0 records" in browser.get(f"/steward/jobs/{job_id}?action=failed", headers=HTML).text

    env.replay.route(SEARCH, body=empty_listing(), content_type="application/json")
    held = browser.post(f"/steward/sources/{source_id}/harvest", data={"csrf": csrf})
    held_id = int(held.headers["location"].rsplit("/", 1)[1])
    wait_for(browser, held_id)
    held_page = browser.get(f"/steward/jobs/{held_id}", headers=HTML).text
    assert "7 datasets staan niet meer in de bron" in held_page and "Intrekken bevestigen" in held_page
    refused = browser.post(f"/steward/jobs/{held_id}/withdrawal", data={"csrf": csrf, "decision": "refuse"})
    assert refused.headers["location"] == f"/steward/jobs/{held_id}?notice=refused"
    assert env.client.get("/api/datasets").json()["total"] == 7, "refusing withdraws nothing"
    confirmed = browser.post(
        f"/steward/jobs/{held_id}/withdrawal", data={"csrf": csrf, "decision": "confirm"}
    )
    new_id = int(confirmed.headers["location"].rsplit("/", 1)[1])
    assert new_id != held_id and wait_for(browser, new_id)["counts"]["withdrawn"] == 7
    assert env.client.get("/api/datasets").json()["total"] == 0
    with env.store.sessions() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == ["create", "harvest", "harvest", "refuse-withdrawal", "confirm-withdrawal"]

    off = browser.post(f"/steward/sources/{source_id}/active", data={"csrf": csrf, "active": "0"})
    assert off.headers["location"].endswith("notice=deactivated")
    page = browser.get(f"/steward/sources/{source_id}", headers=HTML).text
    assert "niet actief" in page and "Activeren" in page
    inactive = browser.post(f"/steward/sources/{source_id}/harvest", data={"csrf": csrf})
    assert inactive.headers["location"].endswith("notice=inactive")


def test_a_running_job_page_follows_its_progress_without_and_with_javascript(
    env: Env, browser: TestClient
) -> None:
    source = env.create()
    release = threading.Event()

    def held_answer(_: RecordedRequest) -> Reply:
        """DataSud's answer, given only when the test says so: the run is surely going on until then."""
        release.wait(30)
        body = (SAMPLES_DIR / "ckan-datasud/package_search.json").read_bytes()
        return Reply(body, 200, {"Content-Type": "application/json"})

    env.replay.route(SEARCH, handler=held_answer)
    csrf = sign_in(browser, env.tokens["steward"])
    run = browser.post(f"/steward/sources/{source['id']}/harvest", data={"csrf": csrf})
    job_path = run.headers["location"]
    page = browser.get(job_path, headers=HTML).text
    assert '<meta http-equiv="refresh"' in page and "/static/steward.js" in page
    assert f'data-progress-url="{job_path}/progress"' in page
    second = browser.post(f"/steward/sources/{source['id']}/harvest", data={"csrf": csrf})
    assert second.headers["location"] == job_path + "?notice=already_running"
    aborted = browser.post(job_path + "/abort", data={"csrf": csrf})
    assert aborted.headers["location"] == job_path + "?notice=abort_requested"
    try:  # the run stops where it waits for the page
        assert wait_for(browser, int(job_path.rsplit("/", 1)[1]))["status"] == "aborted"
    finally:
        release.set()
    assert '<meta http-equiv="refresh"' not in browser.get(job_path, headers=HTML).text


def test_the_report_is_paged_and_the_filter_survives_paging(env: Env, browser: TestClient) -> None:
    source = env.create()
    job = env.harvest(source["id"])
    failures = [JobRecord(f"bad-{i:03d}", "failed", f"reason {i}") for i in range(120)]
    with session_scope(env.store.sessions) as session:
        add_job_records(session, job_id=job["id"], records=failures)
    sign_in(browser, env.tokens["steward"])
    path = f"/steward/jobs/{job['id']}"
    first = browser.get(path + "?action=failed", headers=HTML).text
    assert "120 records" in first and first.count('class="action-failed"') == 50
    assert "Pagina 1 van 3" in first and "bad-000" in first and "bad-050" not in first
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following is not None and "action=failed" in following.group(1)
    last = browser.get(path + "?action=failed&page=3", headers=HTML).text
    assert last.count('class="action-failed"') == 20 and "bad-119" in last and 'rel="next"' not in last
    everything = browser.get(path, headers=HTML).text
    assert "127 records" in everything and "Pagina 1 van 3" in everything
    odd = browser.get(path + "?action=exploded&page=x", headers=HTML)
    assert odd.status_code == 200 and "127 records" in odd.text, "an unknown filter shows everything"


def test_an_unexpected_failure_gets_the_friendly_500_page(env: Env, browser: TestClient) -> None:
    if env.store.dialect != "sqlite":
        pytest.skip("breaks the store on purpose; one backend is enough")
    source = env.create()
    job = env.harvest(source["id"])
    sign_in(browser, env.tokens["steward"])
    with env.store.engine.begin() as connection:  # a real failure: the report's table is gone
        connection.exec_driver_sql("ALTER TABLE harvest_job_records RENAME TO gone_for_a_moment")
    try:
        broken = browser.get(f"/steward/jobs/{job['id']}", headers=HTML)
    finally:
        with env.store.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE gone_for_a_moment RENAME TO harvest_job_records")
    assert broken.status_code == 500 and broken.headers["content-type"].startswith("text/html")
    assert "Er ging iets mis" in broken.text
    assert "Traceback" not in broken.text and "harvest_job_records" not in broken.text
    assert browser.get(f"/steward/jobs/{job['id']}", headers=HTML).status_code == 200


@pytest.fixture
def strict(store: Any, datasud: ReplayServer) -> Iterator[Env]:
    """The app allowing two tests of a source a minute per token."""
    yield from build_env(store, datasud, server={"test_rate_per_minute": 2})


def test_tests_of_a_source_share_the_apis_rate_limit(strict: Env) -> None:
    env = strict
    with TestClient(env.client.app, follow_redirects=False) as browser:
        csrf = sign_in(browser, env.tokens["steward"])
        bad = _form(csrf, env, action="test", options="colour=blue")  # refused before any fetch
        assert [browser.post("/steward/sources/new", data=bad).status_code for _ in range(2)] == [422, 422]
        third = browser.post("/steward/sources/new", data=bad)
        assert third.status_code == 429 and "Even geduld" in third.text
        assert int(third.headers["retry-after"]) >= 1
        body = {"kind": "ckan", "url": env.replay.url(""), "municipality": GENT}
        api = env.client.post("/api/sources/test", json=body, headers=env.headers("steward"))
        assert api.status_code == 429, "the web pages spend the token's API budget"
        other = env.client.post("/api/sources/test", json=body, headers=env.headers("admin"))
        assert other.status_code == 200, "another token has its own budget"


def test_over_https_the_cookie_is_secure_and_sign_in_never_leaves_the_site(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(env.client.app, base_url="https://catalog.example", follow_redirects=False) as tls:
        form = tls.get("/steward/login?next=//evil.example/x", headers=HTML)
        assert 'name="next" value="/steward"' in form.text, "a foreign next is dropped from the form"
        data = {"csrf": csrf_of(form.text), "token": env.tokens["steward"], "next": "//evil.example/x"}
        done = tls.post("/steward/login", data=data)
        assert done.status_code == 303 and done.headers["location"] == "/steward"
        assert "Secure" in done.headers["set-cookie"] and "HttpOnly" in done.headers["set-cookie"]
        inside = tls.get("/steward/login?next=/steward/sources/new", headers=HTML)
        assert inside.status_code == 303 and inside.headers["location"] == "/steward/sources/new"
    assert env.tokens["steward"] not in caplog.text, "the token is never logged"


def test_fix_a_setting_of_a_saved_source(env: Env, browser: TestClient) -> None:
    first = env.create()
    second = env.create(name="Second", url=env.replay.url("/second"))
    csrf = sign_in(browser, env.tokens["steward"])
    edit = f"/steward/sources/{first['id']}/edit"
    form = browser.get(edit, headers=HTML)
    assert form.status_code == 200 and "Instellingen aanpassen" in form.text
    assert ">incremental=false\nlanguage=fr</textarea>" in form.text, "the saved options as key=value lines"
    assert f'action="{edit}"' in form.text and 'value="Gent CKAN"' in form.text

    values = _form(csrf, env, name="Gent CKAN", options="language=fr\nincremental=false\nrows=3")
    bad = browser.post(edit, data={**values, "options": "rows=many"})
    assert bad.status_code == 422 and re.search(r'id="options-error"[^>]*>[^<]*rows', bad.text)
    done = browser.post(edit, data=values)
    assert done.status_code == 303 and done.headers["location"].endswith("notice=updated")
    saved = env.client.get(first["href"], headers=env.headers("admin")).json()
    assert saved["options"] == {"language": "fr", "incremental": False, "rows": 3}

    clash = browser.post(f"/steward/sources/{second['id']}/edit", data=_form(csrf, env, name="Second"))
    assert clash.status_code == 422 and f'href="/steward/sources/{first["id"]}"' in clash.text
    assert env.client.get(second["href"]).json()["url"].endswith("/second"), "nothing changed"
    with env.store.sessions() as session:
        updates = session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).all()
        assert len(updates) == 1 and updates[0].before["options"] == {"language": "fr", "incremental": False}

    english = browser.get("/steward?lang=en", headers=HTML).text
    assert "Signed in as gent" in english and "Your sources" in english and 'lang="en"' in english


def test_an_outsider_cannot_open_or_post_the_edit_form(env: Env, browser: TestClient) -> None:
    source = env.create()
    csrf = sign_in(browser, env.tokens["outsider"])
    edit = f"/steward/sources/{source['id']}/edit"
    assert browser.get(edit, headers=HTML).status_code == 403
    refused = browser.post(edit, data=_form(csrf, env, municipality=ANTWERPEN, name="Taken"))
    assert refused.status_code == 403
    assert env.client.get(source["href"]).json()["name"] == "Gent CKAN"
