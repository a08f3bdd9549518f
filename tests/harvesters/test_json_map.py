"""The base of the JSON portal mappings (``harvesters._json_map``): checks, vocabulary lookups, hooks.

Real vocabularies, no stand-ins: a lookup that stopped finding ``CSV`` or ``CC BY 4.0`` fails here. The
CKAN, Opendatasoft and DCAT-US mappers are run through the same calls to show what they share and where
their hooks differ.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from catalog.model import BBox, PeriodOfTime
from catalog.rdf.parse import Problem
from harvesters import _lookups as lookups
from harvesters._ckan_map import Mapper as CkanMapper
from harvesters._dcatus_map import DcatUsMapper
from harvesters._json_map import (
    JsonMapper,
    Moment,
    bbox_of_geojson,
    bbox_of_geometry,
    bbox_of_points,
    is_iri,
    is_web_url,
    split_list,
    strings,
    text_of,
)
from harvesters._ods_map import _Mapper as OdsMapper

EU = "http://publications.europa.eu/resource/authority/"
CC_BY = EU + "licence/CC_BY_4_0"
CSV = EU + "file-type/CSV"


@pytest.fixture
def base() -> JsonMapper:
    return JsonMapper("nl")


@pytest.mark.parametrize(
    ("text", "iri", "web"),
    [
        ("https://data.gent.be/a?b=c#d", True, True),
        ("HTTP://EXAMPLE.ORG/", True, True),
        ("http:example.org", True, False),
        ("ftp://files.example.org/x.csv", True, False),
        ("mailto:data@gent.be", True, False),
        ("urn:uuid:0f1e", True, False),
        ("https://example.org/a b", False, False),
        ("https://example.org/<x>", False, False),
        ("example.org/x", False, False),
        ("1http://example.org", False, False),
        ("", False, False),
    ],
)
def test_iri_and_web_url_checks(text: str, iri: bool, web: bool) -> None:
    assert is_iri(text) is iri
    assert is_web_url(text) is web


def test_scalars_are_read_as_trimmed_text() -> None:
    assert text_of("  Gent ") == "Gent"
    assert text_of(12) == "12"
    assert text_of(1.5) == "1.5"
    assert text_of("   ") is None
    assert text_of(True) is None, "a bool is no text"
    assert text_of(None) is None
    assert text_of(["a"]) is None
    assert text_of({"a": 1}) is None


def test_strings_and_comma_lists() -> None:
    assert strings(["a ", "", None, 3, "b"]) == ["a", "3", "b"]
    assert strings("fiets, verkeer") == ["fiets, verkeer"]
    assert strings("fiets, verkeer", split=True) == ["fiets", "verkeer"]
    assert strings(["fiets, verkeer"], split=True) == ["fiets, verkeer"], "list items are not split"
    assert strings(None, split=True) == []
    assert split_list("https://a.example/x?a=1,2") == ["https://a.example/x?a=1,2"], "a URL is not split"
    assert split_list("a, ,b,") == ["a", "b"]
    assert split_list("") == []


def test_bounding_boxes_of_geojson() -> None:
    polygon = {"type": "Polygon", "coordinates": [[[3.6, 51.0], [3.8, 51.0], [3.8, 51.1], [3.6, 51.0]]]}
    assert bbox_of_geometry(polygon) == BBox(west=3.6, south=51.0, east=3.8, north=51.1)
    collection = {
        "type": "GeometryCollection",
        "geometries": [{"type": "Point", "coordinates": [4.4, 51.2]}, "not a geometry", polygon],
    }
    assert bbox_of_geometry(collection) == BBox(west=3.6, south=51.0, east=4.4, north=51.2)
    assert bbox_of_geojson('{"type": "Point", "coordinates": [4.4, 51.2]}') == BBox(
        west=4.4, south=51.2, east=4.4, north=51.2
    )
    assert bbox_of_geojson("{not json") is None
    assert bbox_of_geojson('"a string"') is None
    assert bbox_of_geometry({"type": "Point", "coordinates": []}) is None
    assert bbox_of_points([(200.0, 51.0)]) is None, "a longitude out of range is no bounding box"
    assert bbox_of_points([]) is None


def test_cached_lookups_answer_like_the_vocabularies() -> None:
    assert lookups.file_format("CSV") == CSV
    assert lookups.licence("CC BY 4.0") == CC_BY
    assert lookups.theme("Mobiliteit") == EU + "data-theme/TRAN"
    assert lookups.language("nl") == EU + "language/NLD"
    assert lookups.file_format("no such format at all") is None


def test_controlled_values_and_the_problems_recorded(base: JsonMapper) -> None:
    assert base.controlled(" csv ", lookups.file_format, "format") == CSV
    assert base.controlled("https://formats.example/own", lookups.file_format, "format") == (
        "https://formats.example/own"
    ), "an IRI the vocabulary does not know is kept"
    assert base.controlled("spreadsheet-ish", lookups.file_format, "distribution.0.format") is None
    assert base.controlled(None, lookups.file_format, "format") is None
    assert base.controlled_all(["nl", "klingon", "fr"], lookups.language, "language") == [
        EU + "language/NLD",
        EU + "language/FRA",
    ]
    assert base.problems == [
        Problem("distribution.0.format", "unknown value, not an IRI", "spreadsheet-ish"),
        Problem("language", "unknown value, not an IRI", "klingon"),
    ]


def test_iris_and_emails(base: JsonMapper) -> None:
    assert base.iri(" https://a.example/x ", "conforms_to") == "https://a.example/x"
    assert base.iris(["https://a.example/x", "not an iri", ""], "relation") == ["https://a.example/x"]
    assert base.iris("urn:x:1", "relation") == ["urn:x:1"]
    assert base.email("data@gent.be", "contact_point.email") == "data@gent.be"
    assert base.email("mailto:data@gent.be", "contact_point.email") == "mailto:data@gent.be"
    assert base.email("data at gent.be", "contact_point.email") is None
    assert base.email("da ta@gent.be", "contact_point.email") is None
    assert base.email(None, "contact_point.email") is None
    assert [(p.path, p.message, p.value) for p in base.problems] == [
        ("relation", "not an IRI", "not an iri"),
        ("contact_point.email", "not an e-mail address", "data at gent.be"),
        ("contact_point.email", "not an e-mail address", "da ta@gent.be"),
    ]


def test_long_problem_values_are_cut(base: JsonMapper) -> None:
    base.problem("spatial", "not a GeoJSON geometry", "x" * 500)
    base.problem("spatial", "not a GeoJSON geometry", "y" * 200)
    base.problem("distribution.0.access_url", "resource without a usable URL")
    cut, whole, none = (p.value for p in base.problems)
    assert cut == "x" * 197 + "..."
    assert whole == "y" * 200
    assert none is None


def test_dates_and_periods(base: JsonMapper) -> None:
    assert base.date("2024-03-01", "issued") == date(2024, 3, 1)
    assert base.date("2024-03-01T10:20:00", "modified") == datetime(2024, 3, 1, 10, 20)
    assert base.date(" ", "issued") is None
    assert base.date("01/03/2024", "issued") is None, "no portal's own dates in the base"
    assert base.period(date(2020, 1, 1), None) == [PeriodOfTime(start=date(2020, 1, 1))]
    assert base.period(None, None) == []
    assert base.period(date(2021, 1, 1), date(2020, 1, 1)) == []
    assert base.period(date(2021, 1, 1), date(2020, 1, 1), "2021/2020") == []
    assert base.problems == [
        Problem("issued", "not a date", "01/03/2024"),
        Problem("temporal", "start is after end", "2021-01-01 / 2020-01-01"),
        Problem("temporal", "start is after end", "2021/2020"),
    ]


def test_known_licence_tries_names_then_web_urls(base: JsonMapper) -> None:
    assert base.known_licence(["Gebruiksvoorwaarden", "CC BY 4.0"]) == CC_BY, "the first one known wins"
    assert base.known_licence(["Eigen licentie", "https://stad.example/licentie"]) == (
        "https://stad.example/licentie"
    )
    assert base.known_licence(["Eigen licentie"]) is None
    assert base.known_licence(["Licentie: zie CC-BY-4.0 hier"], lambda t: (t, "CC-BY-4.0")) == CC_BY
    assert base.problems == [], "the caller reports an unknown licence, in its own words"


class _Shouting(JsonMapper):
    def plain(self, text: str) -> str:
        return text.upper().replace("!", "")


class _Slashed(JsonMapper):
    def loose_date(self, text: str) -> Moment | None:
        day, _, rest = text.partition("/")
        return date(int(rest), 1, int(day)) if day.isdigit() and rest.isdigit() else None


def test_plain_hook_shapes_every_text_and_controlled_value() -> None:
    mapper = _Shouting("en")
    assert mapper.text(" hello ") == {"en": "HELLO"}
    assert mapper.text("!!!") == {}, "a text the hook empties is no text"
    assert mapper.clean(7) == "7"
    assert mapper.controlled("csv", lookups.file_format, "format") == CSV
    assert JsonMapper("en").text(" hello ") == {"en": "hello"}


def test_loose_date_hook_is_tried_after_iso() -> None:
    mapper = _Slashed("nl")
    assert mapper.date("2024-03-01", "issued") == date(2024, 3, 1)
    assert mapper.date("5/2024", "issued") == date(2024, 1, 5)
    assert mapper.date("yesterday", "issued") is None
    assert mapper.problems == [Problem("issued", "not a date", "yesterday")]


@pytest.mark.parametrize(
    ("kind", "cleaned"),
    [(CkanMapper, "<p>CSV</p>"), (OdsMapper, "CSV"), (DcatUsMapper, "CSV")],
    ids=["ckan", "opendatasoft", "dcat-us"],
)
def test_portal_mappers_share_the_base(kind: type[JsonMapper], cleaned: str) -> None:
    """CKAN keeps text as written (its Markdown); the Opendatasoft and DCAT-US feeds' HTML is cleaned."""
    mapper = kind("nl")
    assert mapper.clean(" <p>CSV</p> ") == cleaned
    found: Any = mapper.controlled("<b>CSV</b>", lookups.file_format, "format")
    assert (found == CSV) is (cleaned == "CSV")
    assert mapper.date("2024-03-01", "issued") == date(2024, 3, 1)
    assert mapper.iris("not an iri", "conforms_to") == []
    assert mapper.problems[-1] == Problem("conforms_to", "not an IRI", "not an iri")


def test_ckan_reads_dkan_day_first_dates() -> None:
    mapper = CkanMapper("nl")
    assert mapper.date("mar, 10/12/2019 - 09:23", "modified") == datetime(2019, 12, 10, 9, 23)
    assert mapper.date("10/12/2019", "issued") == date(2019, 12, 10)
    assert mapper.problems == []
