"""Opendatasoft sources harvested end to end through the engine (real fetcher, loopback) into both stores."""

from __future__ import annotations

import json
from typing import Any

from plugin_support import load_municipalities_into, store_settings
from replay import ReplayServer
from sqlalchemy import select
from test_opendatasoft import JSON, generated, gent_capture, serve_catalogue

from catalog.db.engine import session_scope
from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source
from harvesters.opendatasoft import DATASETS

Store = Any


def test_gent_portal_stored_then_unchanged(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    serve_catalogue(replay, gent_capture()["results"])
    source_id = add_source(
        store.sessions, settings, name="Gent ODS", kind="opendatasoft", url=replay.url("/explore/"),
        options={"where": 'publisher = "Stad Gent"'},
    )  # fmt: skip

    first = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert (first.status, first.counts["created"], first.complete) == ("succeeded", 3, True), first.summary()
    with store.sessions() as session:
        rows = {row.title: row for row in session.scalars(select(DatasetRow))}
        assert sorted(rows) == [
            "Fietstelpaal Visserij 2023 Gent",
            "Fietstelpalen Gent",
            "Jaarverslag mobiliteit 2022",
        ]
        assert {row.municipality_nis for row in rows.values()} == {"44021"}, (
            "placed in Gent by publisher/territory"
        )
        assert all(row.uri.startswith("https://catalog.example/") for row in rows.values()), "URIs minted"
        record = json.loads(rows["Fietstelpaal Visserij 2023 Gent"].record)
        assert (
            record["license"] == "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
        )

    second = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert (second.status, second.counts["unchanged"], second.counts["created"]) == ("succeeded", 3, 0)
    assert second.counts["updated"] == 0 and second.counts["withdrawn"] == 0


def test_full_listing_withdraws_a_removed_dataset_and_a_changed_shape_withdraws_nothing(
    store: Store, replay: ReplayServer
) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url, withdraw_threshold=0.5)
    serve_catalogue(replay, [generated(n) for n in range(4)])
    source_id = add_source(store.sessions, settings, name="ODS", kind="opendatasoft", url=replay.url(""))
    assert run_harvest(store.sessions, source_id=source_id, settings=settings).counts["created"] == 4

    replay.route(DATASETS, body=json.dumps({"total_count": 3, "datasets": []}).encode(), headers=JSON)
    broken = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert broken.status == "failed" and broken.error is not None and "`results`" in broken.error
    assert broken.counts["withdrawn"] == 0
    with session_scope(store.sessions) as session:
        assert count_datasets(session) == 4

    serve_catalogue(replay, [generated(n) for n in range(3)])
    report = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert report.complete and report.counts["withdrawn"] == 1 and report.counts["unchanged"] == 3
    with session_scope(store.sessions) as session:
        assert count_datasets(session) == 3
