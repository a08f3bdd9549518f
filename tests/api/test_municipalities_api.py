"""GET /api/municipalities and /api/municipalities/{nis} over the demo catalogue."""

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


def test_all_285_municipalities_with_their_counts(client: TestClient) -> None:
    body = client.get("/api/municipalities").json()
    assert body["total"] == len(body["results"]) == 285
    by_nis = {m["nis"]: m for m in body["results"]}
    gent = by_nis["44021"]
    assert gent["name"] == "Gent" and gent["province"] == "Oost-Vlaanderen"
    assert gent["uri"] == "https://data.vlaanderen.be/id/gemeente/44021"
    search = client.get("/api/datasets", params={"per_page": 1, "facet_limit": 300}).json()
    facet = {v["value"]: v["count"] for v in search["facets"]["municipality"]}
    assert {nis: m["datasets"] for nis, m in by_nis.items() if m["datasets"]} == facet
    assert gent["sources"] == 1 and gent["last_harvest"] is not None  # the demo import succeeded
    assert "11007" not in by_nis and sum(m["datasets"] == 0 for m in body["results"]) == 285 - len(facet)


def test_one_municipality_with_publishers_sources_and_themes(client: TestClient) -> None:
    response = client.get("/api/municipalities/44021")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Gent" and body["datasets"] == 10
    assert [p["label"] for p in body["publishers"]] == ["Stad Gent"]
    assert sum(p["count"] for p in body["publishers"]) == 10
    assert [(s["name"], s["datasets"]) for s in body["sources"]] == [("Demo catalogue", 10)]
    assert "options" not in body["sources"][0] and "state" not in body["sources"][0]
    themes = client.get("/api/datasets", params={"municipality": "44021"}).json()["facets"]["theme"]
    assert body["themes"] == themes


def test_an_old_nis_code_redirects_to_the_merged_municipality(client: TestClient) -> None:
    response = client.get(
        "/api/municipalities/11007", follow_redirects=False
    )  # Borsbeek, since 2025 Antwerpen
    assert response.status_code == 308
    assert response.headers["location"].endswith("/api/municipalities/11002")
    assert client.get("/api/municipalities/11007").json()["name"] == "Antwerpen"


@pytest.mark.parametrize(("nis", "status"), [("99999", 404), ("4402", 422), ("gent", 422)])
def test_unknown_or_malformed_codes_are_problems(client: TestClient, nis: str, status: int) -> None:
    response = client.get(f"/api/municipalities/{nis}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
