from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.db.repository import (
    UpsertItem,
    count_datasets,
    facet_counts,
    find_missing,
    get_dataset,
    get_dataset_by_uri,
    iter_raw_records,
    upsert_record,
    upsert_records,
    withdraw_dataset,
    withdraw_missing,
)
from catalog.db.tables import DatasetRow, DatasetTheme, SourceRecord
from catalog.db.upsert import canonical_json
from catalog.model import DataService

from .conftest import BASE_URI, CC0, FILETYPE, THEME, make_dataset

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _items(numbers, **changes):
    return [
        UpsertItem(f"r{n}", make_dataset(n, **changes), b"<raw/>", "application/rdf+xml", "44021")
        for n in numbers
    ]


def _upsert(session, source_id, items, now=T0, **kw):
    results = upsert_records(session, source_id=source_id, items=items, base_uri=BASE_URI, now=now, **kw)
    session.commit()
    return results


def test_equal_metadata_in_any_order_gives_one_hash() -> None:
    record = make_dataset(3)
    shuffled = make_dataset(
        3, theme=list(reversed(record.theme)), keyword={"en": ["bicycle"], "nl": ["mobiliteit", "fiets"]}
    )
    assert canonical_json(shuffled) == canonical_json(record)
    assert canonical_json(make_dataset(3, version="2"))[1] != canonical_json(record)[1]


def test_created_then_unchanged_then_updated(session: Session, source_id: int) -> None:
    first = _upsert(session, source_id, _items([1, 2]))
    assert [r.action for r in first] == ["created", "created"]
    again = _upsert(session, source_id, _items([1, 2]), now=T0 + timedelta(days=1))
    assert [r.action for r in again] == ["unchanged", "unchanged"]
    assert [r.dataset_id for r in again] == [r.dataset_id for r in first]
    changed = [UpsertItem("r1", make_dataset(1, title={"nl": "Nieuwe titel"}), None, None, "44021")]
    (result,) = _upsert(session, source_id, changed, now=T0 + timedelta(days=2))
    assert result.action == "updated"
    stored = get_dataset(session, id=result.dataset_id)
    assert stored is not None
    assert stored.title == "Nieuwe titel"
    assert stored.record.title == {"nl": "Nieuwe titel"}
    assert stored.updated_at == T0 + timedelta(days=2)
    assert stored.first_seen == T0
    assert count_datasets(session) == 2


def test_unchanged_touches_last_seen_only(session: Session, source_id: int) -> None:
    (created,) = _upsert(session, source_id, _items([1]))
    _upsert(session, source_id, _items([1]), now=T0 + timedelta(hours=5))
    stored = get_dataset(session, id=created.dataset_id)
    assert stored is not None
    assert stored.updated_at == T0
    assert stored.last_seen == T0 + timedelta(hours=5)


def test_stored_record_round_trips(session: Session, source_id: int) -> None:
    record = make_dataset(7)
    result = upsert_record(
        session, source_id=source_id, remote_id="x", record=record, raw=b"{}", raw_format="application/json",
        base_uri=BASE_URI, municipality="44021",
    )  # fmt: skip
    session.commit()
    assert result.action == "created"
    assert result.uri == record.uri
    stored = get_dataset_by_uri(session, uri=record.uri)
    assert stored is not None
    assert stored.record == record
    assert stored.municipality == "44021"
    assert stored.modified == datetime(2024, 8, 15, tzinfo=UTC)
    assert stored.kind == "Dataset"


def test_data_service_kind_is_kept(session: Session, source_id: int) -> None:
    service = DataService(
        uri="https://api.gent.be/ogc", title={"nl": "OGC API"}, endpoint_url=["https://api.gent.be/ogc"]
    )
    (result,) = _upsert(session, source_id, [UpsertItem("svc", service)])
    stored = get_dataset(session, id=result.dataset_id)
    assert stored is not None and stored.kind == "DataService"
    assert isinstance(stored.record, DataService)


def test_uri_is_minted_when_the_source_gives_none_or_no_http(session: Session, source_id: int) -> None:
    items = [
        UpsertItem("a", make_dataset(1, uri=None)),
        UpsertItem("b", make_dataset(2, uri="urn:uuid:1234")),
    ]
    results = _upsert(session, source_id, items)
    for result in results:
        assert result.uri == f"{BASE_URI}datasets/{result.dataset_id}"
        assert len(result.dataset_id) == 16
    again = _upsert(session, source_id, items)
    assert [r.dataset_id for r in again] == [r.dataset_id for r in results]
    assert [r.action for r in again] == ["unchanged", "unchanged"]


def test_same_uri_from_two_sources_is_one_dataset(
    session: Session, source_id: int, other_source_id: int
) -> None:
    (first,) = _upsert(session, source_id, _items([1]))
    copy = make_dataset(1, title={"nl": "Kopie van Vlaanderen"})
    (linked,) = _upsert(session, other_source_id, [UpsertItem("vl-1", copy)])
    assert linked.action == "linked"
    assert linked.dataset_id == first.dataset_id
    assert count_datasets(session) == 1
    stored = get_dataset(session, id=first.dataset_id)
    assert stored is not None and stored.title == "Dataset 1"  # the owner's record is not overwritten
    assert count_datasets(session, source_id=other_source_id) == 1
    (again,) = _upsert(session, other_source_id, [UpsertItem("vl-1", copy)])
    assert again.action == "unchanged"


def test_owner_withdrawn_passes_ownership_and_dataset_stays(
    session: Session, source_id: int, other_source_id: int
) -> None:
    (first,) = _upsert(session, source_id, _items([1]))
    copy = make_dataset(1, title={"nl": "Kopie"})
    _upsert(session, other_source_id, [UpsertItem("vl-1", copy)])
    assert withdraw_missing(session, source_id=source_id, seen_remote_ids=[], reason="gone", now=T0) == 1
    session.commit()
    stored = get_dataset(session, id=first.dataset_id)
    assert stored is not None and not stored.withdrawn
    (result,) = _upsert(session, other_source_id, [UpsertItem("vl-1", copy)])
    assert result.action == "updated"  # the new owner rewrites the canonical record
    stored = get_dataset(session, id=first.dataset_id)
    assert stored is not None and stored.title == "Kopie"
    assert withdraw_missing(session, source_id=other_source_id, seen_remote_ids=[], reason="gone") == 1
    session.commit()
    stored = get_dataset(session, id=first.dataset_id)
    assert stored is not None and stored.withdrawn and stored.withdrawn_reason == "gone"


def test_withdraw_missing_and_come_back(session: Session, source_id: int) -> None:
    results = _upsert(session, source_id, _items([1, 2, 3]))
    assert list(find_missing(session, source_id=source_id, seen_remote_ids={"r1", "r3"})) == ["r2"]
    n = withdraw_missing(session, source_id=source_id, seen_remote_ids={"r1", "r3"}, reason="not in feed")
    session.commit()
    assert n == 1
    assert count_datasets(session) == 2
    assert count_datasets(session, include_withdrawn=True) == 3
    gone = get_dataset(session, id=results[1].dataset_id)
    assert gone is not None and gone.withdrawn and gone.withdrawn_reason == "not in feed"
    assert ("44021", 2) in facet_counts(session, facet="municipality")
    (back,) = _upsert(session, source_id, _items([2]), now=T0 + timedelta(days=3))
    assert back.action == "restored"
    assert back.dataset_id == results[1].dataset_id
    restored = get_dataset(session, id=back.dataset_id)
    assert restored is not None and not restored.withdrawn and restored.withdrawn_reason is None
    assert count_datasets(session) == 3
    assert ("44021", 3) in facet_counts(session, facet="municipality")


def test_withdraw_missing_by_job_marker(session: Session, source_id: int) -> None:
    from catalog.db.repository import start_job

    _upsert(session, source_id, _items([1, 2, 3]))
    job = start_job(session, source_id=source_id)
    _upsert(session, source_id, _items([1, 3]), job_id=job.id)
    assert withdraw_missing(session, source_id=source_id, job_id=job.id, reason="missing") == 1
    session.commit()
    assert {d.record.identifier[0] for d in _live(session)} == {"ds-1", "ds-3"}


def _live(session):
    from catalog.db.repository import list_datasets

    return list_datasets(session, limit=100)


def test_withdraw_missing_needs_exactly_one_marker(session: Session, source_id: int) -> None:
    with pytest.raises(ValueError):
        withdraw_missing(session, source_id=source_id, reason="x")


def test_withdraw_dataset_then_harvest_restores(session: Session, source_id: int) -> None:
    (result,) = _upsert(session, source_id, _items([1]))
    assert withdraw_dataset(session, id=result.dataset_id, reason="steward") is True
    assert withdraw_dataset(session, id=result.dataset_id, reason="steward") is False
    session.commit()
    assert count_datasets(session) == 0
    assert facet_counts(session, facet="theme") == []
    (back,) = _upsert(session, source_id, _items([1]))
    assert back.action == "restored"


def test_facets_are_rewritten_on_update(session: Session, source_id: int) -> None:
    _upsert(session, source_id, _items([1, 2]))
    assert dict(facet_counts(session, facet="theme")) == {THEME + "REGI": 2, THEME + "TRAN": 2}
    assert dict(facet_counts(session, facet="format")) == {FILETYPE + "CSV": 2, FILETYPE + "JSON": 2}
    assert dict(facet_counts(session, facet="licence")) == {CC0: 2}
    assert dict(facet_counts(session, facet="keyword")) == {"bicycle": 2, "fiets": 2, "mobiliteit": 2}
    assert dict(facet_counts(session, facet="publisher")) == {"https://stad.gent/id/organisatie": 2}
    changed = make_dataset(1, theme=[THEME + "ENVI"], keyword={"nl": ["lucht"]}, distribution=[])
    _upsert(session, source_id, [UpsertItem("r1", changed, municipality="11002")])
    assert dict(facet_counts(session, facet="theme")) == {
        THEME + "ENVI": 1,
        THEME + "REGI": 1,
        THEME + "TRAN": 1,
    }
    assert dict(facet_counts(session, facet="format")) == {FILETYPE + "CSV": 1, FILETYPE + "JSON": 1}
    assert dict(facet_counts(session, facet="keyword")) == {
        "bicycle": 1,
        "fiets": 1,
        "mobiliteit": 1,
        "lucht": 1,
    }
    assert dict(facet_counts(session, facet="municipality")) == {"11002": 1, "44021": 1}


def test_publisher_without_uri_is_keyed_by_name(session: Session, source_id: int) -> None:
    record = make_dataset(1, publisher={"name": {"nl": "Stad  Gent"}})
    _upsert(session, source_id, [UpsertItem("r1", record)])
    assert facet_counts(session, facet="publisher") == [("name:stad gent", 1)]


def test_batch_interrupted_rolls_back_whole_batch(session: Session, source_id: int) -> None:
    _upsert(session, source_id, _items([1]))
    items = [*_items([1, 2, 3]), UpsertItem("bad", make_dataset(9), municipality="99999")]  # unknown NIS
    items[0] = UpsertItem("r1", make_dataset(1, title={"nl": "Gewijzigd"}), municipality="44021")
    with pytest.raises(Exception):  # noqa: B017 - the foreign key violation differs per driver
        upsert_records(session, source_id=source_id, items=items, base_uri=BASE_URI)
        session.commit()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(DatasetRow)) == 1
    assert session.scalar(select(func.count()).select_from(SourceRecord)) == 1
    assert session.scalar(select(func.count()).select_from(DatasetTheme)) == 2
    stored = session.scalars(select(DatasetRow)).one()
    assert stored.title == "Dataset 1"


def test_duplicate_remote_id_in_one_batch_is_applied_in_order(session: Session, source_id: int) -> None:
    items = [UpsertItem("r1", make_dataset(1)), UpsertItem("r1", make_dataset(1, title={"nl": "Later"}))]
    results = _upsert(session, source_id, items)
    assert [r.action for r in results] == ["created", "updated"]
    assert results[0].dataset_id == results[1].dataset_id
    stored = get_dataset(session, id=results[0].dataset_id)
    assert stored is not None and stored.title == "Later"
    assert count_datasets(session) == 1


def test_raw_content_is_kept_and_refreshed(session: Session, source_id: int) -> None:
    _upsert(session, source_id, [UpsertItem("r1", make_dataset(1), b"<v1/>", "application/rdf+xml", "44021")])
    (result,) = _upsert(
        session, source_id, [UpsertItem("r1", make_dataset(1), b"<v2/>", "text/turtle", "44021")]
    )
    assert result.action == "unchanged"
    _upsert(session, source_id, [UpsertItem("r2", make_dataset(2))])  # no payload kept
    (payload,) = iter_raw_records(session, source_id=source_id)
    assert (payload.remote_id, payload.raw, payload.raw_format) == ("r1", b"<v2/>", "text/turtle")
    assert (payload.dataset_id, payload.municipality) == (result.dataset_id, "44021")
    assert payload.source_record_id == result.source_record_id


def test_unknown_source_and_bad_remote_id_are_refused(session: Session, source_id: int) -> None:
    from catalog.exceptions import NotFound, RecordError

    with pytest.raises(NotFound):
        upsert_records(session, source_id=9999, items=_items([1]), base_uri=BASE_URI)
    with pytest.raises(RecordError):
        upsert_records(
            session, source_id=source_id, items=[UpsertItem("x" * 1001, make_dataset(1))], base_uri=BASE_URI
        )
    assert count_datasets(session) == 0
