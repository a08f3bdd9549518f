"""What only the PostgreSQL backend does: Snowball stemming by language, weights, prefixes, its index.

The shared search suite (``test_search.py``, ``test_index.py``) runs on both databases; these tests run
on PostgreSQL only (the ``store`` fixture is narrowed to it).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from catalog.db.withdraw import withdraw_dataset
from catalog.exceptions import StoreError
from catalog.search import PostgresBackend, SearchQuery, backend_for, search
from catalog.search.postgres import ensure_extension
from catalog.search.text import parse_query

from .conftest import LANGUAGE, SPECS, Catalogue

pytestmark = pytest.mark.parametrize(
    "store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

DUTCH = [LANGUAGE + "NLD"]
ENGLISH = [LANGUAGE + "ENG"]


def found(catalogue: Catalogue, q: str) -> list[int]:
    """Spec numbers of the datasets found for ``q``, best first."""
    result = search(catalogue.session, SearchQuery(q=q, per_page=100, facets=[]))
    by_id = {dataset_id: n for n, dataset_id in catalogue.ids.items()}
    return [by_id[hit.id] for hit in result.hits]


def store(catalogue: Catalogue, n: int, title: dict[str, str], language: list[str], **changes: Any) -> None:
    catalogue.store(SPECS[n], title=title, language=language, **changes)


def test_postgresql_uses_its_full_text_backend(catalogue: Catalogue) -> None:
    assert isinstance(backend_for(catalogue.session), PostgresBackend)


@pytest.mark.parametrize(
    ("title", "query"),
    [
        ("Fiets", "fietsen"),  # plural to singular
        ("Straat en boom", "straten"),  # vowel changes the light stemmer does not know
        ("Straat en boom", "bomen"),
        ("Gemeente", "gemeenten"),
        ("Wegenwerken", "wegenwerk"),
    ],
)
def test_dutch_stemming(catalogue: Catalogue, title: str, query: str) -> None:
    store(catalogue, 7, {"nl": title}, DUTCH)
    assert found(catalogue, query)[:1] == [7]  # (dataset 3 has the keyword "fietsen")


@pytest.mark.parametrize(
    ("title", "query"),
    [("Public library", "libraries"), ("Bus running times", "run"), ("City budget", "cities")],
)
def test_english_stemming(catalogue: Catalogue, title: str, query: str) -> None:
    store(catalogue, 7, {"en": title}, ENGLISH)
    assert found(catalogue, query) == [7]


def test_the_language_picks_the_stemmer_and_unknown_gets_both(catalogue: Catalogue) -> None:
    # the languages of a dataset are its dct:language and the language tags of its title and description
    words = "Public library en straat"
    store(catalogue, 7, {"nl": words}, DUTCH, description={"nl": "Gegevens."})
    store(catalogue, 8, {"en": words}, ENGLISH, description={"en": "Data."})
    store(catalogue, 11, {"": words}, [], description={"": "Data."})  # untagged, no language: both
    assert sorted(found(catalogue, "straten")) == [7, 11]
    assert sorted(found(catalogue, "libraries")) == [8, 11]
    assert sorted(found(catalogue, "library straat")) == [7, 8, 11]  # the words themselves: every language


@pytest.mark.parametrize("query", ["ieper", "Ïeper", "IEPER", "cafe", "café", "CAFÉ", "cafe ieper"])
def test_accents_are_folded(catalogue: Catalogue, query: str) -> None:
    store(catalogue, 7, {"nl": "Café in Ïeper"}, DUTCH)
    assert found(catalogue, query) == [7]


def test_the_configurations_fold_accents_themselves(catalogue: Catalogue) -> None:
    same = text("SELECT to_tsvector(CAST(:c AS regconfig), 'Ïeper café Financiën') = to_tsvector(:c, :plain)")
    for configuration in ("catalog_simple", "catalog_nl", "catalog_en"):
        params = {"c": configuration, "plain": "ieper cafe financien"}
        assert catalogue.session.execute(same, params).scalar_one(), configuration


def test_title_ranks_above_keywords_above_descriptions(catalogue: Catalogue) -> None:
    catalogue.store(SPECS[7], description={"nl": "Over het zwembad en de sporthal."})
    catalogue.store(SPECS[8], keyword={"nl": ["zwembad"]})
    catalogue.store(SPECS[9], title={"nl": "Zwembad"})
    assert found(catalogue, "zwembad") == [9, 8, 7]
    ranks = catalogue.session.execute(PostgresBackend(catalogue.session).ranked(parse_query("zwembad"))).all()
    assert len(ranks) == 3 and all(-1 < rank < 0 for _, rank in ranks)  # normalised, lower is better


def test_a_title_stem_counts_as_a_title_hit(catalogue: Catalogue) -> None:
    catalogue.store(SPECS[7], description={"nl": "Over de straten van de stad."})
    catalogue.store(SPECS[9], title={"nl": "Straat"}, language=DUTCH)
    assert found(catalogue, "straten") == [9, 7]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("parkeerpl", [2]),  # the last word as a prefix (search-as-you-type)
        ("sint parkeerpl", [2]),
        ("parkeerpl sint", []),  # only the last word is a prefix
        ("visserij fietst", [0]),
        ("fietst visserij", []),
        ("van", list(range(30))),  # a Dutch stop word is still a word
    ],
)
def test_prefix(catalogue: Catalogue, query: str, expected: list[int]) -> None:
    assert sorted(found(catalogue, query)) == expected


def test_the_index_holds_live_datasets_and_follows_withdrawal(catalogue: Catalogue) -> None:
    session = catalogue.session
    indexed = "SELECT count(*) FROM dataset_search"
    assert session.execute(text(indexed)).scalar_one() == 30
    assert withdraw_dataset(session, id=catalogue.ids[1], reason="gone")
    session.commit()
    assert session.execute(text(indexed)).scalar_one() == 29
    assert found(catalogue, "financien") == []
    catalogue.store(SPECS[1])  # restored
    assert session.execute(text(indexed)).scalar_one() == 30
    assert found(catalogue, "financien") == [1]


def test_an_unchanged_record_does_not_rewrite_its_document(catalogue: Catalogue) -> None:
    session = catalogue.session
    version = text(
        "SELECT s.xmin::text FROM dataset_search s JOIN datasets d ON d.id = s.dataset_id "
        "WHERE d.slug = :slug"
    )
    before = session.execute(version, {"slug": catalogue.ids[4]}).scalar_one()
    catalogue.store(SPECS[4])  # the same record again: only last_seen moves
    assert session.execute(version, {"slug": catalogue.ids[4]}).scalar_one() == before
    catalogue.store(SPECS[4], title={"nl": "Tellingen van fietsers"})
    assert session.execute(version, {"slug": catalogue.ids[4]}).scalar_one() != before
    assert found(catalogue, "fietsers tellingen") == [4]


def test_a_language_change_alone_reindexes(catalogue: Catalogue) -> None:
    store(catalogue, 7, {"": "Public library"}, DUTCH, description={})
    assert found(catalogue, "libraries") == []
    store(catalogue, 7, {"": "Public library"}, ENGLISH, description={})
    assert found(catalogue, "libraries") == [7]


def test_a_missing_extension_is_a_clear_error(catalogue: Catalogue) -> None:
    connection = catalogue.session.connection()
    with pytest.raises(StoreError, match=r"'no_such_extension_xyz' is not available.*postgresql-contrib"):
        ensure_extension(connection, "no_such_extension_xyz")
    assert ensure_extension(connection, "unaccent") == "public"  # there already: where it lives


def test_a_tier_asked_beside_the_search_is_the_tier_it_would_find_itself(catalogue: Catalogue) -> None:
    """The title tier runs in a connection of its own while the matches are found; it is not asked there
    once the session's transaction has written (the other connection would not see those rows)."""
    from catalog.search.engine import _beside, _keys

    session = catalogue.session
    query = PostgresBackend(session).matches_in(parse_query("parkeerplaatsen"), "title")
    future = _beside(session, query)
    assert future is not None
    keys = sorted(future.result(timeout=30).tolist())
    spec_of = {
        key: n for n, public in catalogue.ids.items() for key in session.execute(
            text("SELECT id FROM datasets WHERE slug = :slug"), {"slug": public}
        ).scalars()
    }  # fmt: skip
    assert [spec_of[key] for key in keys] == [2]
    assert keys == sorted(_keys(session, query).tolist())
    session.execute(text("UPDATE datasets SET search_title = search_title WHERE id = :key"), {"key": keys[0]})
    assert _beside(session, query) is None
    session.rollback()


def test_a_search_asks_itself_when_every_slot_beside_is_taken(catalogue: Catalogue) -> None:
    """At most ``BESIDE_SLOTS`` queries run beside searches; with every slot taken a search gets None
    (and asks in its own connection); a query that has ended has given its slot back."""
    from catalog.search import engine

    session = catalogue.session
    query = PostgresBackend(session).matches_in(parse_query("parkeerplaatsen"), "title")
    running = [engine._beside(session, query) for _ in range(engine.BESIDE_SLOTS)]
    for future in running:
        assert future is not None and len(future.result(timeout=30)) == 1
    taken = [engine._beside_slots.acquire(blocking=False) for _ in range(engine.BESIDE_SLOTS)]
    try:
        assert all(taken)  # every slot came back
        assert engine._beside(session, query) is None
    finally:
        for held in taken:
            if held:
                engine._beside_slots.release()
