"""CKAN sources harvested end to end through the engine (real fetcher, loopback replay) into both stores."""

from __future__ import annotations

import json
from typing import Any

from plugin_support import load_municipalities_into, store_settings
from replay import ReplayServer
from sqlalchemy import select

from catalog.db.engine import session_scope
from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow, Source
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source

SEARCH = "/api/3/action/package_search"
Store = Any


def package(n: int, modified: str) -> dict[str, Any]:
    return {
        "id": f"pkg-{n}",
        "name": f"dataset-{n}",
        "title": f"Dataset {n}",
        "notes": "Beschrijving",
        "license_id": "cc-zero",
        "metadata_modified": modified,
        "organization": {"name": "gent", "title": "Stad Gent"},
        "resources": [{"id": f"r{n}", "url": f"https://example.org/{n}.csv", "format": "CSV"}],
    }


def answer(*packages: dict[str, Any]) -> bytes:
    return json.dumps(
        {"success": True, "result": {"count": len(packages), "results": list(packages)}}
    ).encode()


def test_datasud_stored_then_incremental_run_withdraws_nothing(
    store: Store, replay: ReplayServer, samples: object
) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    replay.sample(SEARCH, "ckan-datasud/package_search.json")
    source_id = add_source(
        store.sessions, settings, name="DataSud", kind="ckan", url=replay.url(""), options={"language": "fr"}
    )

    first = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert (first.status, first.counts["created"], first.complete) == ("succeeded", 7, True)
    with store.sessions() as session:
        assert count_datasets(session) == 7
        source = session.get(Source, source_id)
        assert source is not None and source.state["high_water_mark"] == "2025-07-16T00:00:00.000Z"

    replay.route(SEARCH, body=answer(package(1, "2025-08-01T09:00:00")), content_type="application/json")
    second = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert replay.requests[-1].param("fq") == "metadata_modified:[2025-07-16T00:00:00.000Z TO *]"
    assert second.status == "succeeded" and second.counts["created"] == 1 and second.counts["withdrawn"] == 0
    assert second.complete is False
    with store.sessions() as session:
        assert count_datasets(session) == 8, "an incremental listing never withdraws the rest"
        gent = session.scalars(select(DatasetRow).where(DatasetRow.title == "Dataset 1")).one()
        assert gent.municipality_nis == "44021", "the engine places the package by its organisation"
        source = session.get(Source, source_id)
        assert source is not None and source.state["high_water_mark"] == "2025-08-01T09:00:00.000Z"


def test_full_run_withdraws_a_deleted_package(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url, withdraw_threshold=0.5)
    replay.route(
        SEARCH, body=answer(*(package(n, "2026-01-01") for n in range(4))), content_type="application/json"
    )
    source_id = add_source(
        store.sessions, settings, name="Gent", kind="ckan", url=replay.url(""), options={"incremental": False}
    )
    first = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert first.counts["created"] == 4, first.summary()

    replay.route(
        SEARCH, body=answer(*(package(n, "2026-01-01") for n in range(3))), content_type="application/json"
    )
    report = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert report.complete and report.counts["withdrawn"] == 1 and report.counts["unchanged"] == 3
    with session_scope(store.sessions) as session:
        assert count_datasets(session) == 3
