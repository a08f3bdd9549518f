"""GET /api/stats over the demo catalogue."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings


def test_totals_and_counts_per_theme_format_licence_province(store: Any) -> None:
    settings = Settings(database={"url": store.url}, catalog={"base_uri": "https://catalog.example/"})
    upgrade_database(settings=settings)
    import_demo(settings)
    client = TestClient(create_app(settings))
    body = client.get("/api/stats").json()
    totals = body["totals"]
    assert totals["datasets"] + totals["services"] + totals["series"] == 46
    assert totals["services"] == 3 and totals["series"] == 1 and totals["sources"] == 1
    facets = client.get("/api/datasets", params={"facet_limit": 300}).json()["facets"]
    assert totals["municipalities_with_data"] == len(facets["municipality"])
    for name, facet in [
        ("per_theme", "theme"),
        ("per_format", "format"),
        ("per_licence", "licence"),
        ("per_province", "province"),
    ]:
        assert body[name] == facets[facet], name
    assert {p["label"] for p in body["per_province"]} == {
        "Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen"
    }  # fmt: skip
