"""ArcGIS Hub sources harvested through the engine (real fetcher, loopback replay) into both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugin_support import load_municipalities_into, store_settings
from replay import RecordedRequest, ReplayServer, Reply
from sqlalchemy import select

from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow, Source
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source

DATA = Path(__file__).resolve().parents[1] / "data" / "arcgis"
US = "/api/feed/dcat-us/1.1.json"
AP2 = "/api/feed/dcat-ap/2.1.1.json"
Store = Any


def add(store: Store, settings: Any, url: str, **options: Any) -> int:
    return add_source(store.sessions, settings, name="Hub", kind="arcgis", url=url, options=options)


def test_evian_data_json_stored_then_unchanged(store: Store, replay: ReplayServer, samples: Path) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    replay.sample(US, "udata-evian.json")
    source_id = add(store, settings, replay.url(""), language="fr")

    first = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert (first.status, first.counts["created"], first.complete) == ("succeeded", 8, True), first.summary()
    with store.sessions() as session:
        assert count_datasets(session) == 8
        source = session.get(Source, source_id)
        assert source is not None and source.state["feed_url"] == replay.url(US)
        velos = session.scalars(select(DatasetRow).where(DatasetRow.title == "stationnement velos")).one()
        assert velos.municipality_nis is None, "Evian is not a Flemish municipality"

    second = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert second.status == "succeeded" and second.counts["unchanged"] == 8 and second.counts["created"] == 0
    assert replay.requests[-1].path == US, "the remembered feed is asked for first"


def test_broken_datasets_fail_alone_and_records_get_their_municipality(
    store: Store, replay: ReplayServer
) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    replay.route(
        US,
        body=(DATA / "dcat-us-html-everywhere.project-written.json").read_bytes(),
        content_type="application/json",
    )
    source_id = add(store, settings, replay.url(""), feed="dcat-us")

    report = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert report.status == "partial", report.summary()
    assert (report.counts["created"], report.counts["skipped"], report.counts["failed"]) == (2, 2, 1)
    with store.sessions() as session:
        rows = {row.title: row for row in session.scalars(select(DatasetRow))}
        assert sorted(rows) == ["Bomen & struiken", "Niet publiek"]
        assert rows["Bomen & struiken"].municipality_nis == "44021", "placed in Gent by its spatial name"
        assert rows["Niet publiek"].municipality_nis == "44021", "placed in Gent by its publisher"


def test_hub_dcat_ap_feed_stored_with_municipality_from_the_publisher(
    store: Store, replay: ReplayServer
) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    replay.route(
        AP2,
        body=(DATA / "hub-dcat-ap-2.1.1.project-written.json").read_bytes(),
        content_type="application/json",
    )
    source_id = add(store, settings, replay.url(""), feed="dcat-ap-2")

    report = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert report.status == "succeeded" and report.counts["created"] == 2 and report.counts["skipped"] == 1
    with store.sessions() as session:
        places = {row.title: row.municipality_nis for row in session.scalars(select(DatasetRow))}
    assert places == {"Parkeerzones": "11002", "Speelterreinen": "11002"}


def test_an_unchanged_feed_answered_304_is_not_read_again(
    store: Store, replay: ReplayServer, samples: Path
) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    body = (samples / "udata-evian.json").read_bytes()

    def answer(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == '"evian-1"':
            return Reply(b"", 304, {"ETag": '"evian-1"'})
        return Reply(body, 200, {"ETag": '"evian-1"', "Content-Type": "application/json"})

    replay.route(US, handler=answer)
    source_id = add(store, settings, replay.url(US), language="fr")
    first = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert first.counts["created"] == 8, first.summary()

    second = run_harvest(store.sessions, source_id=source_id, settings=settings)

    assert second.status == "succeeded" and second.counts["unchanged"] == 8, second.summary()
    assert replay.requests[-1].headers.get("if-none-match") == '"evian-1"'
    with store.sessions() as session:
        assert count_datasets(session) == 8
