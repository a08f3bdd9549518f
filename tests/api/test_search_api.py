"""GET /api/datasets: search with facets over the demo catalogue, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.search import FACETS
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
RESULT_KEYS = {"id", "uri", "kind", "title", "description", "publisher", "municipality", "themes", "formats"}


@pytest.fixture
def client(store: Any) -> TestClient:
    settings = Settings(database={"url": store.url}, catalog={"base_uri": "https://catalog.example/"})
    upgrade_database(settings=settings)
    import_demo(settings)
    return TestClient(create_app(settings))


def test_response_shape(client: TestClient) -> None:
    body = client.get("/api/datasets", params={"per_page": 5}).json()
    assert set(body) == {"total", "page", "per_page", "results", "facets"}
    assert body["total"] == 46 and body["page"] == 1 and body["per_page"] == 5 and len(body["results"]) == 5
    assert RESULT_KEYS | {"modified", "href"} == set(body["results"][0])
    assert list(body["facets"]) == list(FACETS)
    for values in body["facets"].values():
        for value in values:
            assert set(value) == {"value", "label", "count"} and value["count"] > 0
    assert sum(v["count"] for v in body["facets"]["access_rights"]) == 46


def test_the_body_is_what_the_documented_model_writes(client: TestClient) -> None:
    from catalog.api.routes.schemas import SearchBody

    response = client.get("/api/datasets", params={"per_page": 50, "facet_limit": 300, "sort": "title"})
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert any(r["modified"] for r in body["results"]) and any(r["description"] for r in body["results"])
    # the same fields, in the same order, with the same formats (dates) as the model serialises them
    assert SearchBody.model_validate_json(response.content).model_dump_json().encode() == response.content
    schema = client.get("/openapi.json").json()["paths"]["/api/datasets"]["get"]["responses"]["200"]
    assert schema["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SearchBody"}
    href = body["results"][0]["href"]
    assert href == f"http://testserver/api/datasets/{body['results'][0]['id']}"
    assert client.get(href).json()["id"] == body["results"][0]["id"]


def test_text_query_with_accents_and_prefix(client: TestClient) -> None:
    titles = {r["title"] for r in client.get("/api/datasets", params={"q": "fiets"}).json()["results"]}
    assert {"Fietstelpaal Coupure Links", "Fietstellingen", "Fietsenstallingen"} <= titles
    assert client.get("/api/datasets", params={"q": "financien"}).json()["total"] >= 1
    assert (
        client.get("/api/datasets", params={"q": "financiën"}).json()["total"]
        == (client.get("/api/datasets", params={"q": "FINANCIEN"}).json()["total"])
    )
    assert client.get("/api/datasets", params={"q": "xyzzy"}).json() | {"facets": {}} == {
        "total": 0,
        "page": 1,
        "per_page": 20,
        "results": [],
        "facets": {},
    }


def test_repeated_filter_values_are_alternatives(client: TestClient) -> None:
    gent = client.get("/api/datasets", params={"municipality": "44021"}).json()
    antwerpen = client.get("/api/datasets", params={"municipality": "11002"}).json()
    both = client.get("/api/datasets", params=[("municipality", "44021"), ("municipality", "11002")]).json()
    assert both["total"] == gent["total"] + antwerpen["total"]
    assert {r["municipality"] for r in both["results"]} == {"44021", "11002"}
    # the municipality facet ignores its own filter: every municipality still shows its count
    assert both["facets"]["municipality"] == gent["facets"]["municipality"]
    tran = client.get("/api/datasets", params={"municipality": "44021", "theme": THEME + "TRAN"}).json()
    assert 0 < tran["total"] < gent["total"]
    assert all(THEME + "TRAN" in r["themes"] and r["municipality"] == "44021" for r in tran["results"])


def test_facet_labels_come_from_the_vocabularies(client: TestClient) -> None:
    facets = client.get("/api/datasets").json()["facets"]
    assert {v["value"]: v["label"] for v in facets["theme"]}[THEME + "TRAN"] == "Vervoer"
    assert {v["value"]: v["label"] for v in facets["municipality"]}["44021"] == "Gent"
    assert {v["value"]: v["label"] for v in facets["province"]}["40000"] == "Oost-Vlaanderen"
    assert all(v["label"] for v in facets["licence"])


def test_paging_walks_every_dataset_once(client: TestClient) -> None:
    ids: list[str] = []
    for page in range(1, 6):
        body = client.get("/api/datasets", params={"per_page": 10, "page": page, "sort": "title"}).json()
        ids += [r["id"] for r in body["results"]]
    assert len(ids) == len(set(ids)) == 46
    titles = [
        r["title"]
        for r in client.get("/api/datasets", params={"per_page": 100, "sort": "title"}).json()["results"]
    ]
    assert titles == sorted(titles)


def test_modified_since_and_sort_direction(client: TestClient) -> None:
    body = client.get(
        "/api/datasets", params={"modified_since": "2025-06-01", "direction": "asc", "per_page": 100}
    ).json()
    modified = [r["modified"] for r in body["results"]]
    assert modified and all(m >= "2025-06-01" for m in modified) and modified == sorted(modified)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"municipality": "Gent"}, "query.municipality"),
        ({"source": "one"}, "query.source"),
        ({"sort": "popularity"}, "query.sort"),
        ({"direction": "up"}, "query.direction"),
        ({"page": "0"}, "query.page"),
        ({"per_page": "5000"}, "query.per_page"),
        ({"modified_since": "yesterday"}, "query.modified_since"),
        ({"facet_limit": "0"}, "query.facet_limit"),
    ],
)
def test_invalid_parameters_are_problems_naming_the_parameter(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    response = client.get("/api/datasets", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["location"] for e in response.json()["errors"]] == [parameter]


def test_every_facet_is_a_documented_filter_parameter(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/datasets"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert set(FACETS) | {"q", "modified_since", "sort", "direction", "page", "per_page"} <= names
