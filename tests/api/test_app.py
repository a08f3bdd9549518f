"""The minimal web service over a real store (SQLite file and PostgreSQL) holding the demo catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings


@pytest.fixture
def client(store: Any) -> TestClient:
    settings = Settings(database={"url": store.url}, catalog={"base_uri": "https://catalog.example/"})
    upgrade_database(settings=settings)
    import_demo(settings)
    return TestClient(create_app(settings))


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_list_pages_through_every_dataset_once(client: TestClient) -> None:
    first = client.get("/api/datasets", params={"per_page": 20}).json()
    assert first["total"] == 46 and len(first["results"]) == 20
    ids: list[str] = []
    for page in (1, 2, 3):
        body = client.get("/api/datasets", params={"per_page": 20, "page": page}).json()
        ids += [r["id"] for r in body["results"]]
    assert len(ids) == len(set(ids)) == 46
    modified = [r["modified"] for r in first["results"] if r["modified"]]
    assert modified == sorted(modified, reverse=True)


def test_filter_by_municipality(client: TestClient) -> None:
    body = client.get("/api/datasets", params={"municipality": "44021"}).json()
    assert body["total"] > 0
    assert {r["municipality"] for r in body["results"]} == {"44021"}


def test_dataset_json_has_its_record(client: TestClient) -> None:
    summary = client.get("/api/datasets", params={"municipality": "44021", "per_page": 1}).json()["results"][
        0
    ]
    response = client.get(summary["href"])
    assert response.status_code == 200
    body = response.json()
    assert body["uri"] == summary["uri"]
    assert body["record"]["title"]["nl"] == summary["title"]
    assert body["record"]["access_rights"].endswith("/access-right/PUBLIC")


def test_errors_are_problem_json(client: TestClient) -> None:
    missing = client.get("/api/datasets/does-not-exist")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404 and "does-not-exist" in missing.json()["detail"]
    invalid = client.get("/api/datasets", params={"per_page": 5000, "municipality": "Gent"})
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == "application/problem+json"
    assert {e["location"] for e in invalid.json()["errors"]} == {"query.per_page", "query.municipality"}


def test_home_page_lists_datasets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "42 datasets, 3 dataservices en 1 reeksen uit 13 gemeenten" in page.text
    assert 'lang="nl"' in page.text


def test_the_vocabularies_of_facet_labels_are_loaded_when_the_server_starts(store: Any) -> None:
    """No user's first search pays for loading them: they are there once the app has started."""
    from vocab.concepts import _all_concepts
    from vocab.formats import _file_types

    _file_types.cache_clear()
    _all_concepts.cache_clear()
    app = create_app(Settings(database={"url": store.url}))
    assert (_file_types.cache_info().currsize, _all_concepts.cache_info().currsize) == (0, 0)
    with TestClient(app):
        assert (_file_types.cache_info().currsize, _all_concepts.cache_info().currsize) == (1, 1)
