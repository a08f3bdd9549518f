"""Search over the fixture catalogue, on SQLite (FTS5) and PostgreSQL (full text), the same tests on both."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.db.withdraw import withdraw_dataset
from catalog.search import SearchQuery, SearchResult, search
from vocab.themes import theme_label

from .conftest import (
    ACCESS,
    CC0,
    FILETYPE,
    SPECS,
    THEME,
    Catalogue,
    expected,
)


def run(catalogue: Catalogue, **query: Any) -> SearchResult:
    return search(catalogue.session, SearchQuery(per_page=100, facet_limit=300, **query))


def counts(result: SearchResult, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet]}


def found(result: SearchResult, catalogue: Catalogue) -> set[int]:
    by_id = {dataset_id: n for n, dataset_id in catalogue.ids.items()}
    return {by_id[hit.id] for hit in result.hits}


def test_facet_counts_without_a_query_match_the_catalogue(catalogue: Catalogue) -> None:
    result = run(catalogue)
    assert result.total == 30 and len(result.hits) == 30
    for facet, attribute in [
        ("theme", "themes"),
        ("format", "formats"),
        ("licence", "licence"),
        ("municipality", "municipality"),
        ("province", "province"),
        ("language", "languages"),
        ("access_rights", "access"),
        ("publisher", "publisher"),
    ]:
        assert counts(result, facet) == expected(attribute), facet
    sources = {v.label: v.count for v in result.facets["source"]}
    assert sources == {"Bron A": 20, "Bron B": 10}
    assert counts(result, "keyword") == {"fietsen": 1, "open data": 1}


def test_facet_values_carry_labels_and_come_most_frequent_first(catalogue: Catalogue) -> None:
    result = run(catalogue)
    themes = result.facets["theme"]
    assert [v.count for v in themes] == sorted((v.count for v in themes), reverse=True)
    assert {v.value: v.label for v in themes}[THEME + "TRAN"] == theme_label(THEME + "TRAN") == "Vervoer"
    assert {v.value: v.label for v in result.facets["municipality"]}["46021"] == "Sint-Niklaas"
    assert {v.value: v.label for v in result.facets["province"]} == {
        "40000": "Oost-Vlaanderen",
        "10000": "Antwerpen",
    }
    assert {v.label for v in result.facets["publisher"]} == {
        "Stad Gent",
        "Stad Antwerpen",
        "Stad Sint-Niklaas",
    }
    assert {v.value: v.label for v in result.facets["format"]}[FILETYPE + "CSV"] == "CSV"


def test_one_filter_counts_its_own_facet_without_itself(catalogue: Catalogue) -> None:
    result = run(catalogue, filters={"theme": [THEME + "TRAN"]})
    tran = [s for s in SPECS if THEME + "TRAN" in s.themes]
    assert result.total == len(tran) == 10
    assert found(result, catalogue) == {s.n for s in tran}
    assert counts(result, "theme") == expected("themes")  # disjunctive: the theme filter is left out
    assert counts(result, "municipality") == expected("municipality", tran)
    assert counts(result, "format") == expected("formats", tran)


def test_values_of_one_filter_are_alternatives_and_filters_combine(catalogue: Catalogue) -> None:
    either = run(catalogue, filters={"theme": [THEME + "TRAN", THEME + "ENVI"]})
    wanted = [s for s in SPECS if {THEME + "TRAN", THEME + "ENVI"} & set(s.themes)]
    assert either.total == len(wanted) == 20
    both = run(catalogue, filters={"theme": [THEME + "TRAN", THEME + "ENVI"], "municipality": ["44021"]})
    narrowed = [s for s in wanted if s.municipality == "44021"]
    assert found(both, catalogue) == {s.n for s in narrowed}
    # each facet is counted with every filter but its own
    assert counts(both, "municipality") == expected("municipality", wanted)
    assert counts(both, "theme") == expected("themes", [s for s in SPECS if s.municipality == "44021"])
    assert counts(both, "licence") == expected("licence", narrowed)


@pytest.mark.parametrize(
    ("filters", "predicate"),
    [
        ({"province": ["40000"]}, lambda s: s.province == "40000"),
        ({"province": ["Oost-Vlaanderen"]}, lambda s: s.province == "40000"),
        ({"licence": [CC0]}, lambda s: s.licence == CC0),
        ({"access_rights": [ACCESS + "RESTRICTED"]}, lambda s: s.access == ACCESS + "RESTRICTED"),
        ({"language": [SPECS[0].languages[1]]}, lambda s: len(s.languages) == 2),
        ({"keyword": ["fietsen", "open data"]}, lambda s: s.n in (3, 6)),
        ({"format": [FILETYPE + "JSON"], "licence": [CC0]}, lambda s: s.n % 6 == 0),
        ({"publisher": [SPECS[25].publisher]}, lambda s: s.municipality == "46021"),
    ],
)
def test_each_filter(catalogue: Catalogue, filters: dict[str, list[str]], predicate: Any) -> None:
    result = run(catalogue, filters=filters)
    assert found(result, catalogue) == {s.n for s in SPECS if predicate(s)}
    assert result.total == len(result.hits)


def test_source_filter_takes_the_source_id(catalogue: Catalogue) -> None:
    result = run(catalogue, filters={"source": [str(catalogue.sources["B"])]})
    assert found(result, catalogue) == {s.n for s in SPECS if s.source == "B"}
    assert run(catalogue, filters={"source": ["not-a-number"]}).total == 0


def test_a_selected_value_is_listed_even_outside_the_top(catalogue: Catalogue) -> None:
    result = search(
        catalogue.session,
        SearchQuery(filters={"municipality": ["46021"]}, facet_limit=1, facets=["municipality"]),
    )
    assert [(v.value, v.count) for v in result.facets["municipality"]] == [("44021", 10), ("46021", 10)] or [
        (v.value, v.count) for v in result.facets["municipality"]
    ] == [("11002", 10), ("46021", 10)]
    assert list(result.facets) == ["municipality"]


@pytest.mark.parametrize(
    ("q", "n"),
    [
        ("financien", 1),  # accents folded in the index
        ("Financiën", 1),  # and in the query
        ("sint niklaas", 2),  # hyphenated name by its words
        ("SINT-NIKLAAS", 2),
        ("fiets", 0),  # prefix of the last term: "fietstelpaal"
        ("fietstel", 0),
        ("visserij fiets", 0),
        ("bicycle counting", 4),  # English plural by its stem, not as a prefix (not the last term)
        ("bus haltes", 5),  # Dutch plural by its stem
        ("parkeerplaats sint", 2),
    ],
)
def test_text_search(catalogue: Catalogue, q: str, n: int) -> None:
    assert n in found(run(catalogue, q=q), catalogue)


def test_prefix_is_only_for_the_last_term_and_terms_are_all_required(catalogue: Catalogue) -> None:
    assert found(run(catalogue, q="fiets visserij"), catalogue) == set()
    assert found(run(catalogue, q="fietstelpaal financien"), catalogue) == set()
    assert found(run(catalogue, q="fiets"), catalogue) == {0, 3}  # title prefix, keyword "fietsen"
    assert found(run(catalogue, q="open data"), catalogue) == {6}


def test_a_last_word_shorter_than_three_letters_is_no_prefix(catalogue: Catalogue) -> None:
    assert found(run(catalogue, q="fie"), catalogue) == {0, 3}  # "fietstelpaal", keyword "fietsen"
    assert found(run(catalogue, q="fi"), catalogue) == set()  # not everything that starts with "fi"
    assert found(run(catalogue, q="stad fi"), catalogue) == set()
    catalogue.store(SPECS[7], title={"nl": "Fi van de stad"})
    assert found(run(catalogue, q="fi"), catalogue) == {7}  # as a whole word it is found


def test_text_and_filters_and_facets_together(catalogue: Catalogue) -> None:
    result = run(catalogue, q="sint", filters={"theme": [THEME + "ECON"]})
    assert found(result, catalogue) == {2}
    theme_counts = counts(result, "theme")  # over the text matches, theme filter left out
    assert theme_counts == expected("themes", [SPECS[2]])  # "sint" is only in the title of 2


def test_title_weighs_more_than_description(catalogue: Catalogue) -> None:
    catalogue.store(SPECS[7], description={"nl": "Over parkeerplaatsen en verkeer."})
    result = run(catalogue, q="parkeerplaatsen")
    assert [
        found_n for found_n in (found(SearchResult(0, [h], {}), catalogue).pop() for h in result.hits)
    ] == [2, 7]


@pytest.mark.parametrize("sort", ["modified", "title", "relevance"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_paging_is_stable_and_complete(catalogue: Catalogue, sort: str, direction: str) -> None:
    q = "dataset" if sort == "relevance" else None
    total = run(catalogue, q=q).total
    seen: list[str] = []
    page = 1
    while True:
        result = search(
            catalogue.session,
            SearchQuery(q=q, sort=sort, direction=direction, page=page, per_page=7, facets=[]),
        )  # type: ignore[arg-type]
        assert result.total == total
        if not result.hits:
            break
        seen += [hit.id for hit in result.hits]
        page += 1
    assert len(seen) == len(set(seen)) == total == 30


def test_sort_orders(catalogue: Catalogue) -> None:
    newest = run(catalogue).hits
    modified = [h.modified for h in newest]
    assert modified[-1] is None  # no date: last
    assert modified[:-1] == sorted(modified[:-1], reverse=True)  # type: ignore[type-var]
    oldest = run(catalogue, sort="modified", direction="asc").hits
    assert [h.modified for h in oldest][:-1] == sorted(modified[:-1])  # type: ignore[type-var]
    titles = [h.title for h in run(catalogue, sort="title").hits]
    assert titles == sorted(titles)  # type: ignore[type-var]


def test_modified_since(catalogue: Catalogue) -> None:
    from datetime import datetime

    result = run(catalogue, modified_since=datetime(2024, 1, 25))
    assert found(result, catalogue) == {s.n for s in SPECS if s.modified and s.modified >= "2024-01-25"}
    assert counts(result, "theme") == expected(
        "themes", [s for s in SPECS if s.modified and s.modified >= "2024-01-25"]
    )


def test_withdrawn_datasets_are_never_found_and_come_back_when_restored(catalogue: Catalogue) -> None:
    assert withdraw_dataset(catalogue.session, id=catalogue.ids[1], reason="gone")
    catalogue.session.commit()
    result = run(catalogue)
    assert result.total == 29 and 1 not in found(result, catalogue)
    assert sum(counts(result, "municipality").values()) == 29
    assert sum(v.count for v in result.facets["source"]) == 29
    assert run(catalogue, q="financien").total == 0
    catalogue.store(SPECS[1])  # the source publishes it again: restored
    assert found(run(catalogue, q="financien"), catalogue) == {1}


def test_the_index_follows_updates(catalogue: Catalogue) -> None:
    catalogue.store(SPECS[0], title={"nl": "Zwembaden en sporthallen"})
    assert run(catalogue, q="fietstelpaal").total == 0
    assert found(run(catalogue, q="zwembad"), catalogue) == {0}
    assert found(run(catalogue, q="sporthal zwembaden"), catalogue) == {0}


def test_a_query_of_punctuation_only_is_no_text_query(catalogue: Catalogue) -> None:
    assert run(catalogue, q=' "*" ').total == 30
    assert run(catalogue, q='fiets" OR "a').total == 0  # quotes and operators are just words


def test_unknown_filter_or_facet(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="colour"):
        run(catalogue, filters={"colour": ["red"]})
    with pytest.raises(ValueError, match="colour"):
        run(catalogue, facets=["colour"])


def test_tiered_relevance_when_too_many_match_to_rank(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.search import engine

    monkeypatch.setattr(engine, "RANK_LIMIT", 0)
    catalogue.store(SPECS[7], description={"nl": "Over parkeerplaatsen en verkeer."})
    catalogue.store(SPECS[8], keyword={"nl": ["parkeerplaatsen"]})
    by_id = {dataset_id: n for n, dataset_id in catalogue.ids.items()}
    hits = run(catalogue, q="parkeerplaatsen").hits
    assert [by_id[h.id] for h in hits] == [2, 8, 7]  # title, then keywords, then description
    one_by_one = [  # a page the title tier fills, then pages that need the other tiers
        by_id[h.id]
        for page in (1, 2, 3)
        for h in search(
            catalogue.session, SearchQuery(q="parkeerplaatsen", page=page, per_page=1, facets=[])
        ).hits
    ]
    assert one_by_one == [2, 8, 7]
    worst_first = run(catalogue, q="parkeerplaatsen", direction="asc").hits
    assert [by_id[h.id] for h in worst_first] == [7, 8, 2]
    seen: list[str] = []
    for page in range(1, 7):
        seen += [
            h.id
            for h in search(
                catalogue.session, SearchQuery(q="dataset", page=page, per_page=7, facets=[])
            ).hits
        ]
    assert len(seen) == len(set(seen)) == 30


@pytest.mark.parametrize(
    "q",
    [
        "'",
        "\\",
        "fiets:*",
        "!fiets",
        "fiets & | ! <-> (",
        "'; DROP TABLE datasets; --",
        "\x00fiets",
        "a" * 5000,
        "é" * 3000,
        "x " * 200,  # more terms than are used
        "financien:A",
    ],
)
def test_hostile_queries_are_words_and_never_errors(catalogue: Catalogue, q: str) -> None:
    result = run(catalogue, q=q)
    assert result.total == len(result.hits)
    assert run(catalogue).total == 30  # nothing was harmed


def test_operators_in_a_query_are_ignored_not_obeyed(catalogue: Catalogue) -> None:
    assert found(run(catalogue, q="!fiets"), catalogue) == found(run(catalogue, q="fiets"), catalogue)
    assert found(run(catalogue, q="financien:A"), catalogue) == set()  # "a" is a word: nothing has both
    assert found(run(catalogue, q="financien | parkeerplaatsen"), catalogue) == set()  # both required
