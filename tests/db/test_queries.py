from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from catalog.db.repository import (
    UpsertItem,
    count_datasets,
    get_dataset,
    get_dataset_by_uri,
    iter_datasets,
    list_datasets,
    upsert_records,
    withdraw_missing,
)

from .conftest import BASE_URI, make_dataset

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def catalogue(session: Session, source_id: int, other_source_id: int) -> list[str]:
    """12 datasets: 8 from Gent (44021), 4 from Vlaanderen in Antwerpen (11002); r7 withdrawn."""
    gent = [UpsertItem(f"r{n}", make_dataset(n), municipality="44021") for n in range(8)]
    results = upsert_records(session, source_id=source_id, items=gent, base_uri=BASE_URI, now=T0)
    vl = [UpsertItem(f"v{n}", make_dataset(100 + n), municipality="11002") for n in range(4)]
    later = T0 + timedelta(days=10)
    results += upsert_records(session, source_id=other_source_id, items=vl, base_uri=BASE_URI, now=later)
    withdraw_missing(session, source_id=source_id, seen_remote_ids=[f"r{n}" for n in range(7)], reason="gone")
    session.commit()
    return [r.dataset_id for r in results]


def test_get_by_id_and_uri(session: Session, catalogue: list[str]) -> None:
    stored = get_dataset(session, id=catalogue[0])
    assert stored is not None and stored.uri == "https://data.stad.gent/dataset/ds-0"
    by_uri = get_dataset_by_uri(session, uri=stored.uri)
    assert by_uri is not None and by_uri.id == stored.id
    assert get_dataset(session, id="nope") is None
    assert get_dataset_by_uri(session, uri="https://example.org/none") is None
    withdrawn = get_dataset(session, id=catalogue[7])
    assert withdrawn is not None and withdrawn.withdrawn


def test_list_count_and_filters(
    session: Session, catalogue: list[str], source_id: int, other_source_id: int
) -> None:
    assert count_datasets(session) == 11
    assert count_datasets(session, include_withdrawn=True) == 12
    assert count_datasets(session, municipality="11002") == 4
    assert count_datasets(session, source_id=source_id) == 7
    assert count_datasets(session, source_id=source_id, include_withdrawn=True) == 8
    assert count_datasets(session, source_id=other_source_id) == 4
    assert count_datasets(session, updated_since=T0 + timedelta(days=1)) == 4
    since = datetime(2024, 5, 1, tzinfo=UTC)
    expected = sum(1 for n in [*range(7), *range(100, 104)] if 1 + n % 9 >= 5)
    assert count_datasets(session, modified_since=since) == expected
    listed = list_datasets(session, municipality="11002", limit=10)
    assert [d.municipality for d in listed] == ["11002"] * 4
    recent = list_datasets(session, modified_since=since, limit=100)
    assert len(recent) == expected > 0
    assert all(d.modified is not None and d.modified >= since for d in recent)


def test_pages_by_offset_and_by_key(session: Session, catalogue: list[str]) -> None:
    everything = [d.id for d in list_datasets(session, limit=100)]
    assert len(everything) == 11
    by_offset = [d.id for page in range(3) for d in list_datasets(session, limit=4, offset=4 * page)]
    assert by_offset == everything
    by_key: list[str] = []
    after = None
    while True:
        page = list_datasets(session, limit=4, after=after)
        by_key += [d.id for d in page]
        if len(page) < 4:
            break
        after = page[-1].pk
    assert by_key == everything


def test_orders(session: Session, catalogue: list[str]) -> None:
    titles = [d.title or "" for d in list_datasets(session, order="title", limit=100)]
    assert titles == sorted(titles)
    modified = [d.modified for d in list_datasets(session, order="-modified", limit=100)]
    assert modified == sorted(modified, reverse=True)
    with pytest.raises(ValueError):
        list_datasets(session, order="title", after=1)


def test_iter_datasets_streams_in_a_stable_order(session: Session, catalogue: list[str]) -> None:
    walked = [d.id for d in iter_datasets(session, batch_size=3)]
    assert walked == [d.id for d in list_datasets(session, limit=100)]
    assert walked == [d.id for d in iter_datasets(session, batch_size=5)]
    assert len(list(iter_datasets(session, batch_size=3, include_withdrawn=True))) == 12
    pks = [d.pk for d in iter_datasets(session, batch_size=2)]
    assert pks == sorted(pks)


def test_iter_datasets_is_lazy(session: Session, catalogue: list[str]) -> None:
    stream = iter_datasets(session, batch_size=2)
    first = next(stream)
    assert first.record.identifier == ["ds-0"]
    stream.close()
