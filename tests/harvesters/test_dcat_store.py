"""DCAT sources harvested end to end through the engine (real fetcher, loopback replay) into both stores."""

from __future__ import annotations

from typing import Any

import pytest
from plugin_support import load_municipalities_into, store_settings
from replay import ReplayServer
from sqlalchemy import select

from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source

pytestmark = pytest.mark.usefixtures("samples")

OLD_NEXT = "http://data.test.org/catalog.jsonld?page=2"
Store = Any


def add(store: Store, settings: Any, url: str, **options: Any) -> int:
    return add_source(store.sessions, settings, name="Feed", kind="dcat", url=url, options=options)


def harvest(store: Store, settings: Any, source_id: int) -> Any:
    return run_harvest(store.sessions, source_id=source_id, settings=settings)


def titles(store: Store) -> list[str]:
    with store.sessions() as session:
        return sorted(
            t or ""
            for t in session.scalars(select(DatasetRow.title).where(DatasetRow.withdrawn_at.is_(None)))
        )


def test_two_page_catalogue_stored_then_unchanged(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    page_2 = replay.url("/catalog.jsonld") + "?page=2"
    replay.sample("/catalog.jsonld", "udata-partial-collection-1.jsonld", rewrite={OLD_NEXT: page_2})
    replay.sample("/catalog.jsonld", "udata-partial-collection-2.jsonld", query={"page": "2"})
    source_id = add(store, settings, replay.url("/catalog.jsonld"))

    first = harvest(store, settings, source_id)
    assert (first.status, first.counts["created"], first.complete) == ("succeeded", 4, True)
    assert titles(store) == ["Dataset 1", "Dataset 1", "Dataset 2", "Dataset 3"]

    again = harvest(store, settings, source_id)
    assert again.status == "succeeded" and again.counts["unchanged"] == 4 and again.counts["created"] == 0


def test_malformed_page_two_keeps_page_one_and_withdraws_nothing(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url, withdraw_threshold=1)
    page_2 = replay.url("/catalog.jsonld") + "?page=2"
    replay.sample("/catalog.jsonld", "udata-paged-collection-1.jsonld", rewrite={OLD_NEXT: page_2})
    replay.route("/catalog.jsonld", query={"page": "2"}, body=b"@prefix broken", content_type="text/turtle")
    source_id = add(store, settings, replay.url("/catalog.jsonld"))

    report = harvest(store, settings, source_id)

    assert report.status == "failed" and "catalog.jsonld?page=2" in (report.error or "")
    assert report.counts["created"] == 3 and report.counts["withdrawn"] == 0
    with store.sessions() as session:
        assert count_datasets(session) == 3


def test_data_json_source_fails_with_a_clear_reason(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    replay.sample("/data.json", "udata-evian.json")
    source_id = add(store, settings, replay.url("/data.json"))

    report = harvest(store, settings, source_id)

    assert report.status == "failed" and "not DCAT RDF" in (report.error or "")
    with store.sessions() as session:
        assert count_datasets(session) == 0


def test_opendatasoft_export_stores_dataset_and_service(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    path = "/api/explore/v2.1/catalog/exports/dcat_ap_vl"
    replay.sample(path, "ods-capatlantique-catalog-exports-dcat.rdf")
    source_id = add(store, settings, replay.url(path))

    report = harvest(store, settings, source_id)

    assert report.status == "succeeded" and report.counts["created"] == 2
    with store.sessions() as session:
        assert count_datasets(session, kind="Dataset") == 1
        assert count_datasets(session, kind="DataService") == 1
