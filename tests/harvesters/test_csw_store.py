"""CSW sources harvested end to end through the engine (real fetcher, loopback replay) into both stores."""

from __future__ import annotations

import json
from typing import Any

import pytest
from csw_support import CSW_PATH, XML, iso_pages, serve_pages
from plugin_support import load_municipalities_into, store_settings
from replay import ReplayServer
from sqlalchemy import select

from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow, HarvestJobRecord
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source

pytestmark = pytest.mark.usefixtures("samples")

Store = Any
GENT = "https://data.stad.gent/id/dataset/fietspaden-gent"


def add(store: Store, settings: Any, url: str, **options: Any) -> int:
    return add_source(store.sessions, settings, name="GeoNetwork", kind="csw", url=url, options=options)


def harvest(store: Store, settings: Any, source_id: int) -> Any:
    return run_harvest(store.sessions, source_id=source_id, settings=settings)


def test_two_pages_stored_then_unchanged(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    source_id = add(store, settings, serve_pages(replay, iso_pages(), post=False))

    first = harvest(store, settings, source_id)

    assert first.status == "partial", first.summary()  # one record failed
    assert (first.counts["created"], first.counts["skipped"], first.counts["failed"]) == (4, 1, 1)
    assert first.complete
    with store.sessions() as session:
        assert count_datasets(session, kind="Dataset") == 3
        assert count_datasets(session, kind="DataService") == 1
        gent = session.scalars(select(DatasetRow).where(DatasetRow.uri == GENT)).one()
        assert gent.title == "Fietspaden in Gent" and gent.municipality_nis == "44021"
        service = session.scalars(select(DatasetRow).where(DatasetRow.kind == "DataService")).one()
        assert json.loads(service.record)["serves_dataset"] == [GENT]
        logged = {r.remote_id: (r.action, r.reason) for r in session.scalars(select(HarvestJobRecord))}
        assert logged["(record 5: no fileIdentifier)"] == ("skipped", "record has no gmd:fileIdentifier")
        assert logged["broken-0000-no-identification"][0] == "failed"

    again = harvest(store, settings, source_id)
    assert again.counts["unchanged"] == 4 and again.counts["created"] == 0 and again.counts["updated"] == 0


def test_exception_report_fails_the_run_and_stores_nothing(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    report_xml = (
        b'<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows">'
        b'<ows:Exception exceptionCode="NoApplicableCode">'
        b"<ows:ExceptionText>Lucene index is being rebuilt</ows:ExceptionText>"
        b"</ows:Exception></ows:ExceptionReport>"
    )
    replay.route(CSW_PATH, body=report_xml, headers=XML)
    source_id = add(store, settings, replay.url(CSW_PATH))

    report = harvest(store, settings, source_id)

    assert report.status == "failed" and report.counts["withdrawn"] == 0
    assert "NoApplicableCode: Lucene index is being rebuilt" in (report.error or "")
    with store.sessions() as session:
        assert count_datasets(session) == 0
