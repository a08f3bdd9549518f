"""The quality API: a dataset's score and findings, a source, a municipality, the whole catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from catalog.api.app import create_app
from catalog.db.quality_tables import DatasetQuality
from catalog.db.tables import DatasetRow, Source
from catalog.services import import_location, upgrade_database
from catalog.settings import Settings, get_settings
from tests.quality.quality_support import BARE_URI, RICH_URI, write_feed


@pytest.fixture
def client(store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.delenv("CATALOG_QUALITY__SCORE_ON_HARVEST", raising=False)
    get_settings.cache_clear()
    settings = Settings(database={"url": store.url}, catalog={"base_uri": "https://catalog.example/"})
    upgrade_database(settings=settings)
    path = write_feed(tmp_path)
    import_location(str(path), name="quality", municipality="44021", settings=settings)
    return TestClient(create_app(settings))


def _slug(store: Any, uri: str) -> str:
    with store.sessions() as session:
        return session.scalars(select(DatasetRow.slug).where(DatasetRow.uri == uri)).one()


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_a_dataset_quality_has_score_band_dimensions_criteria_and_findings(
    client: TestClient, store: Any
) -> None:
    response = client.get(f"/api/datasets/{_slug(store, RICH_URI)}/quality")
    assert response.status_code == 200
    body = response.json()
    assert body["uri"] == RICH_URI and body["band"] == "good" and body["max_score"] == 405
    assert body["score"] == pytest.approx(sum(body["dimensions"].values()))
    assert body["max_points"]["interoperability"] == 110
    criteria = {c["key"]: c for c in body["criteria"]}
    assert criteria["keyword"]["points"] == 30 and criteria["keyword"]["label_nl"] == "trefwoorden"
    assert criteria["access_url_answers"]["points"] == 0  # never checked
    assert sum(c["points"] for c in body["criteria"]) == pytest.approx(body["score"])
    assert body["links_checked"] is False
    assert isinstance(body["findings"], list)
    assert body["violations"] == sum(1 for f in body["findings"] if f["severity"] == "violation")


def test_unknown_or_unscored_datasets_are_404_problems(client: TestClient, store: Any) -> None:
    assert "no dataset" in _problem(client.get("/api/datasets/nosuchdataset/quality"), 404)["detail"]
    with store.sessions() as session:
        session.execute(delete(DatasetQuality))
        session.commit()
    body = _problem(client.get(f"/api/datasets/{_slug(store, BARE_URI)}/quality"), 404)
    assert "no quality score" in body["detail"]


def test_source_quality_with_its_last_job_and_problems(client: TestClient, store: Any) -> None:
    with store.sessions() as session:
        source_id = session.scalars(select(Source.id).where(Source.name == "quality")).one()
    body = client.get(f"/api/sources/{source_id}/quality").json()
    assert body["datasets"] == 2
    assert body["bands"] == {"excellent": 0, "good": 1, "sufficient": 0, "bad": 1}
    assert body["last_job"]["scored"] == 2 and body["last_job"]["job_id"] >= 1
    assert isinstance(body["problems"], list)
    _problem(client.get(f"/api/sources/{source_id + 100}/quality"), 404)


def test_municipality_quality(client: TestClient) -> None:
    gent = client.get("/api/municipalities/44021/quality").json()
    assert gent["key"] == "44021" and gent["datasets"] == 2 and gent["average"] is not None
    antwerp = client.get("/api/municipalities/11002/quality").json()
    assert antwerp["datasets"] == 0 and antwerp["average"] is None
    _problem(client.get("/api/municipalities/99999/quality"), 404)
    assert client.get("/api/municipalities/gent/quality").status_code == 422


def test_catalogue_quality_overview(client: TestClient) -> None:
    body = client.get("/api/quality").json()
    assert body["overall"]["datasets"] == 2
    assert sum(b["datasets"] for b in body["histogram"]) == 2
    assert [b["from_score"] for b in body["histogram"]][:3] == [0, 50, 100]
    assert [(g["key"], g["datasets"]) for g in body["groups"]] == [("Oost-Vlaanderen", 2)]
    by_source = client.get("/api/quality", params={"group": "source"}).json()["groups"]
    assert [g["label"] for g in by_source] == ["quality"]
    assert client.get("/api/quality", params={"group": "planet"}).status_code == 422


def test_search_filters_by_score_and_band_and_sorts_by_score(client: TestClient) -> None:
    def uris(**params: Any) -> list[str]:
        response = client.get("/api/datasets", params=params)
        assert response.status_code == 200, response.text
        return [hit["uri"] for hit in response.json()["results"]]

    assert uris(min_score=100) == [RICH_URI]
    assert uris(band="bad") == [BARE_URI]
    assert sorted(uris(band=["bad", "good"])) == sorted([RICH_URI, BARE_URI])
    assert uris(band="excellent") == []
    assert uris(sort="score") == [RICH_URI, BARE_URI]
    assert uris(sort="score", direction="asc") == [BARE_URI, RICH_URI]
    assert uris(q="fietstellingen", min_score=100) == [RICH_URI]
    assert client.get("/api/datasets", params={"min_score": 500}).status_code == 422
    assert client.get("/api/datasets", params={"band": "great"}).status_code == 422


def test_a_withdrawn_dataset_quality_is_gone(client: TestClient, store: Any) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import update

    with store.sessions() as session:
        gone = update(DatasetRow).where(DatasetRow.uri == BARE_URI)
        session.execute(gone.values(withdrawn_at=datetime.now(UTC), withdrawn_reason="no longer listed"))
        session.commit()
    body = _problem(client.get(f"/api/datasets/{_slug(store, BARE_URI)}/quality"), 410)
    assert "withdrawn" in body["detail"]


def test_a_source_id_beyond_the_key_range_is_a_validation_problem(store: Any) -> None:
    from fastapi.testclient import TestClient

    from catalog.api.app import create_app
    from catalog.settings import Settings

    client = TestClient(create_app(Settings(database={"url": store.url})))
    response = client.get(f"/api/sources/{2**63}/quality")
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/sources/0/quality").status_code == 422
