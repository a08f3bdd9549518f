"""The in-memory facet index and migration 0003's backfill of stores that already hold datasets."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import text

from catalog.db.engine import make_engine, make_session_factory
from catalog.db.migrate import upgrade
from catalog.search import SearchQuery, memory, search

from .conftest import LANGUAGE, SPECS, THEME, Catalogue

_INSERT = text(
    "INSERT INTO datasets (slug, uri, kind, record, content_hash, title, first_seen, last_seen, updated_at,"
    " withdrawn_at) VALUES (:slug, :uri, 'Dataset', :record, 'x', 'Financiën', '2025-01-01', '2025-01-01',"
    " '2025-01-01', :withdrawn)"
)


def _everything(catalogue: Catalogue, **query: Any) -> Any:
    result = search(catalogue.session, SearchQuery(per_page=100, facet_limit=300, **query))
    return result.total, [h.id for h in result.hits], result.facets


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "dataset", "sort": "modified", "direction": "asc"},
        {"sort": "title", "direction": "desc"},
        {"filters": {"theme": [THEME + "TRAN"], "municipality": ["44021", "46021"]}},
    ],
)
def test_bitsets_and_key_tuples_count_alike_and_both_page_orders_agree(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, query: dict[str, Any]
) -> None:
    answers = []
    # every value an array of keys (counted from the candidates' side or by looking each key up) or a
    # bitset; every page found by walking the order (a few keys at a time) or by sorting the candidates
    for sparse, by_candidates, few, walk in ((0, 10**9, 0, 2), (0, 0, 0, 65536), (10**9, 0, 10**9, 2)):
        monkeypatch.setattr(memory, "_SPARSE", sparse)
        monkeypatch.setattr(memory, "_BY_CANDIDATES", by_candidates)
        monkeypatch.setattr(memory, "_FEW", few)
        monkeypatch.setattr(memory, "_WALK", walk)
        memory._indexes.clear()
        answers.append(_everything(catalogue, **query))
        for limit in (1, 2, 3):  # the top values of a facet are those of the full counts
            limited = search(catalogue.session, SearchQuery(**query, per_page=1, facet_limit=limit)).facets
            for name, values in answers[-1][2].items():
                top = values[:limit]
                shown = {v.value for v in top}
                by_value = {v.value: v for v in values}
                selected = [by_value[x] for x in query.get("filters", {}).get(name, []) if x in by_value]
                assert limited[name] == top + [v for v in selected if v.value not in shown], (name, limit)
    assert answers[0] == answers[1] == answers[2]


def test_bitsets_from_keys_and_keys_from_bitsets() -> None:
    import random

    import numpy as np

    rng = random.Random(7)
    for size in (1, 9, 64, 1000, 100_003):
        keys = sorted(rng.sample(range(size), min(size, rng.randint(0, 3000))))
        expected = sum(1 << key for key in keys)
        rows = [(key,) for key in keys]
        assert memory._bits(keys, size) == memory._bits(rows, size) == expected
        assert memory._bits(np.array(keys, np.int64), size) == expected
        assert memory._bits([*keys, size, size + 5], size) == expected  # keys beyond the index are left out
        assert memory.keys_of(expected) == keys
        index = memory.FacetIndex(size, expected, {}, [], {}, {}, (), 0.0)
        assert index.bits_of_ids([*rows, (size + 1,)]) == expected
        assert index.bits_of_ids(range(size)) == expected  # only live keys
        assert list(np.flatnonzero(index.mask(expected))) == keys


def test_the_index_is_rebuilt_when_it_is_too_old(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = memory.facet_index(catalogue.session)
    assert memory.facet_index(catalogue.session) is first
    monkeypatch.setattr(memory, "MAX_AGE", 0.0)
    assert memory.facet_index(catalogue.session) is not first


def test_matches_are_remembered_until_the_store_changes(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = search(catalogue.session, SearchQuery(q="parkeerplaatsen"))
    index = memory.facet_index(catalogue.session)
    assert len(index._memo) == 1
    monkeypatch.setattr(memory, "MAX_AGE", 0.0)  # rebuilt for its age: the store did not change
    again = memory.facet_index(catalogue.session)
    assert again is not index and list(again._memo) == list(index._memo)
    monkeypatch.setattr(memory, "MAX_AGE", 300.0)
    catalogue.store(SPECS[7], title={"nl": "Parkeerplaatsen aan de haven"})  # the store moves on
    changed = search(catalogue.session, SearchQuery(q="parkeerplaatsen"))
    assert memory.facet_index(catalogue.session) is not again
    assert changed.total == first.total + 1  # a fresh look-up, not the remembered matches


def test_upgrading_a_store_with_datasets_fills_the_search_columns_and_new_facets(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0002")
    record = {
        "kind": "Dataset",
        "title": {"nl": "Financiën van de stad"},
        "description": {"nl": "Budgetten."},
        "keyword": {"nl": ["begroting"]},
        "language": [LANGUAGE + "NLD"],
        "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    }
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            for n, withdrawn in ((1, None), (2, "2025-01-01 00:00:00")):
                connection.execute(
                    _INSERT,
                    {
                        "slug": f"ds{n}",
                        "uri": f"https://example.org/{n}",
                        "record": json.dumps(record),
                        "withdrawn": withdrawn,
                    },
                )
        upgrade(empty_db_url)
        with make_session_factory(engine)() as session:
            result = search(session, SearchQuery(q="financien begroting"))
            assert [hit.id for hit in result.hits] == ["ds1"]  # the withdrawn one is not indexed
            assert [(v.value, v.count) for v in result.facets["language"]] == [(LANGUAGE + "NLD", 1)]
            assert [v.label for v in result.facets["access_rights"]] == ["publiek"]
    finally:
        engine.dispose()


def test_a_large_catalogue_is_rebuilt_in_the_background(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = memory.facet_index(catalogue.session)
    monkeypatch.setattr(memory, "SYNC_LIMIT", 0)
    catalogue.store(SPECS[0], title={"nl": "Zwembaden"})  # the store moves on
    assert memory.facet_index(catalogue.session) is first  # answered at once from the previous index
    deadline = time.monotonic() + 30
    while memory.facet_index(catalogue.session) is first and time.monotonic() < deadline:
        time.sleep(0.05)
    fresh = memory.facet_index(catalogue.session)
    assert fresh is not first and fresh.version != first.version


def test_facet_rows_of_datasets_newer_than_the_index_wait_for_the_next_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a dataset written between the index's read of the datasets and of a facet table
    rows = [("a", 1), ("a", 3), ("b", 2), ("a", 50), ("c", 51)]
    for sparse in (0, 10**9):  # every value an array of keys; every value a bitset
        monkeypatch.setattr(memory, "_SPARSE", sparse)
        facet, grouped = memory._facet(rows, 4, str)
        assert {name: keys.tolist() for name, keys in grouped.items()} == {"a": [1, 3], "b": [2], "c": []}
        assert facet.bits(["a"], 4) == 0b1010 and facet.bits(["c"], 4) == 0
        index = memory.FacetIndex(4, 0b1110, {"f": facet}, [], {}, {}, (), 0.0)
        assert index.counts("f", 0b0110) == {"a": 1, "b": 1}
