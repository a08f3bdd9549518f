"""Reading DCAT documents into records: variants real feeds use, problems, raw triples, format detection."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from catalog.model import Dataset
from catalog.rdf.parse import ParsedRecord, detect_format, parse_feed, parse_record

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix locn: <http://www.w3.org/ns/locn#> .
@prefix schema: <http://schema.org/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix gsp: <http://www.opengis.net/ont/geosparql#> .
"""


def one(doc: str) -> ParsedRecord:
    records = list(parse_feed((PREFIXES + doc).encode(), format="turtle"))
    assert len(records) == 1
    return records[0]


def dataset(parsed: ParsedRecord) -> Dataset:
    assert isinstance(parsed.record, Dataset)
    return parsed.record


def test_variant_forms_are_read() -> None:
    parsed = one("""
    <http://x/d> a dcat:Dataset ;
      dct:title "Fietstellingen"@nl-BE, "Bike counts"@en ;
      adms:identifier [ skos:notation "ABC-1" ] ;
      dct:issued "2021"^^xsd:gYear ; dct:modified "2024-03-01T10:00:00Z"^^xsd:dateTime ;
      dcat:contactPoint [ vcard:fn "Dienst Data" ; vcard:hasEmail "data@gent.be" ] ;
      dct:temporal [ schema:startDate "2020-01-01" ; time:hasEnd [ time:inXSDDate "2020-12-31"^^xsd:date ] ] ;
      dct:spatial [ locn:geometry "POLYGON((3.6 51.0,3.8 51.0,3.8 51.1,3.6 51.0))"^^gsp:wktLiteral ] ;
      dcat:distribution [ dcat:accessURL <http://x/f.csv> ; dcat:byteSize "1024" ] .
    """)
    record = dataset(parsed)
    assert record.title == {"nl-be": "Fietstellingen", "en": "Bike counts"}
    assert record.identifier == ["ABC-1"]
    assert record.issued == date(2021, 1, 1)
    assert record.modified == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert record.contact_point[0].name == "Dienst Data"
    assert record.contact_point[0].email == "data@gent.be"
    assert record.temporal[0].start == date(2020, 1, 1) and record.temporal[0].end == date(2020, 12, 31)
    bbox = record.spatial[0].bbox
    assert bbox is not None and (bbox.west, bbox.south, bbox.east, bbox.north) == (3.6, 51.0, 3.8, 51.1)
    assert record.distribution[0].access_url == ["http://x/f.csv"]
    assert record.distribution[0].byte_size == 1024
    assert parsed.problems == ()


@pytest.mark.parametrize(
    "literal",
    [
        '"<gml:Envelope srsName=\\"http://www.opengis.net/def/crs/OGC/1.3/CRS84\\"><gml:lowerCorner>3.6 51.0'
        '</gml:lowerCorner><gml:upperCorner>3.8 51.1</gml:upperCorner></gml:Envelope>"',
        '"{\\"type\\":\\"Polygon\\",\\"coordinates\\":[[[3.6,51.0],[3.8,51.0],[3.8,51.1],[3.6,51.0]]]}"',
        '"<http://www.opengis.net/def/crs/EPSG/0/4326> POLYGON((51.0 3.6,51.1 3.8,51.0 3.6))"',
    ],
)
def test_bbox_from_gml_geojson_and_lat_lon_wkt(literal: str) -> None:
    record = dataset(one(f"<http://x/d> a dcat:Dataset ; dct:spatial [ dcat:bbox {literal} ] ."))
    bbox = record.spatial[0].bbox
    assert bbox is not None and (bbox.west, bbox.south, bbox.east, bbox.north) == (3.6, 51.0, 3.8, 51.1)


def test_mailto_iri_and_licence_node_with_label() -> None:
    record = dataset(
        one("""
    <http://x/d> a dcat:Dataset ; dcat:contactPoint [ vcard:hasEmail <mailto:info@x.be> ] ;
      dct:license <http://example.org/my-licence> .
    <http://example.org/my-licence> rdfs:label "Mijn licentie" .
    """)
    )
    assert record.contact_point[0].email == "info@x.be"
    assert record.license == "http://example.org/my-licence"


def test_bad_values_are_dropped_with_problems_not_the_record() -> None:
    parsed = one("""
    <http://x/d> a dcat:Dataset ; dct:title "T" ; dct:issued "gisteren" ;
      dct:license "some words nobody knows" ;
      dcat:distribution [ dcat:byteSize "veel" ; dcat:accessURL <http://x/a> ] .
    """)
    record = dataset(parsed)
    assert record.title == {"": "T"} and record.issued is None and record.license is None
    paths = {p.path: p for p in parsed.problems}
    assert paths["issued"].value == "gisteren"
    assert paths["license"].value == "some words nobody knows"
    assert "distribution.0.byte_size" in paths


def test_invalid_period_is_dropped_and_reported() -> None:
    parsed = one("""<http://x/d> a dcat:Dataset ;
      dct:temporal [ dcat:startDate "2020-01-01"^^xsd:date ; dcat:endDate "2019-01-01"^^xsd:date ] .""")
    assert dataset(parsed).temporal == []
    assert any(p.path.startswith("temporal.0") for p in parsed.problems)


def test_blank_node_dataset_and_raw_round_trip() -> None:
    parsed = one("""
    [] a dcat:Dataset ; dct:title "Anoniem"@nl ;
       dct:publisher <http://x/org> ;
       dcat:contactPoint [ vcard:fn "A" ] , [ vcard:fn "B" ] ;
       dcat:distribution [ dcat:accessURL <http://x/1> ] .
    <http://x/org> foaf:name "Stad X"@nl .
    """)
    assert parsed.subject.startswith("_:")
    assert parsed.record.uri is None
    assert b'<http://x/org> <http://xmlns.com/foaf/0.1/name> "Stad X"@nl .' in parsed.raw
    lines = parsed.raw.decode().splitlines()
    assert lines == sorted(lines)
    again = parse_record(parsed.raw)
    assert again.record == parsed.record
    assert again.raw == parsed.raw


def test_raw_is_independent_of_blank_node_labels_and_order() -> None:
    a = one(
        '<http://x/d> a dcat:Dataset ; dcat:contactPoint _:k1, _:k2 . _:k1 vcard:fn "A" . _:k2 vcard:fn "B" .'
    )
    b = one(
        '<http://x/d> a dcat:Dataset ; dcat:contactPoint _:z9, _:a0 . _:a0 vcard:fn "A" . _:z9 vcard:fn "B" .'
    )
    assert a.raw == b.raw
    assert a.record == b.record


def test_raw_leaves_out_other_datasets() -> None:
    records = list(
        parse_feed(
            (
                PREFIXES
                + """<http://x/c> a dcat:Catalog ; dcat:dataset <http://x/1>, <http://x/2> .
        <http://x/1> a dcat:Dataset ; dct:title "Een" ; dct:relation <http://x/2> .
        <http://x/2> a dcat:Dataset ; dct:title "Twee" ."""
            ).encode()
        )
    )
    assert [r.subject for r in records] == ["http://x/1", "http://x/2"]
    assert b"Twee" not in records[0].raw
    assert dataset(records[0]).relation == ["http://x/2"]


def test_untyped_catalogue_members_are_datasets() -> None:
    reader = parse_feed(
        (
            PREFIXES
            + '<http://x/c> a dcat:Catalog ; dcat:dataset <http://x/1> . <http://x/1> dct:title "X" .'
        ).encode()
    )
    assert reader.record_count == 1
    assert [r.record.kind for r in reader] == ["Dataset"]
    assert reader.feed.catalog is not None and reader.feed.catalog.uri == "http://x/c"


def test_same_document_in_every_syntax_gives_equal_records() -> None:
    turtle = (
        PREFIXES + '<http://x/d> a dcat:Dataset ; dct:title "T"@nl ; dcat:keyword "a"@nl, "b"@nl .'
    ).encode()
    ntriples = (
        b"<http://x/d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        b" <http://www.w3.org/ns/dcat#Dataset> .\n"
        b'<http://x/d> <http://purl.org/dc/terms/title> "T"@nl .\n'
        b'<http://x/d> <http://www.w3.org/ns/dcat#keyword> "b"@nl .\n'
        b'<http://x/d> <http://www.w3.org/ns/dcat#keyword> "a"@nl .\n'
    )
    jsonld = (
        b'{"@id": "http://x/d", "@type": "http://www.w3.org/ns/dcat#Dataset",'
        b' "http://purl.org/dc/terms/title": {"@value": "T", "@language": "nl"},'
        b' "http://www.w3.org/ns/dcat#keyword": [{"@value": "a", "@language": "nl"},'
        b' {"@value": "b", "@language": "nl"}]}'
    )
    rdfxml = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">'
        b'<dcat:Dataset rdf:about="http://x/d"><dct:title xml:lang="nl">T</dct:title>'
        b'<dcat:keyword xml:lang="nl">a</dcat:keyword><dcat:keyword xml:lang="nl">b</dcat:keyword>'
        b"</dcat:Dataset></rdf:RDF>"
    )
    results = [next(iter(parse_feed(doc))) for doc in (turtle, ntriples, jsonld, rdfxml)]
    assert all(r.record == results[0].record for r in results)
    assert all(r.raw == results[0].raw for r in results)
    assert results[0].record.keyword == {"nl": ["a", "b"]}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"content_type": "text/turtle; charset=utf-8"}, "turtle"),
        ({"content_type": "application/ld+json"}, "jsonld"),
        ({"name": "feed.rdf"}, "rdfxml"),
        ({"name": "https://x/catalog.nt?page=2"}, "ntriples"),
        ({"data": b"@prefix dct: <http://purl.org/dc/terms/> ."}, "turtle"),
        ({"data": b'<http://x/a> <http://x/p> "o" .\n<http://x/a> <http://x/p> "q" .\n'}, "ntriples"),
        ({"data": b'\xef\xbb\xbf<?xml version="1.0"?><rdf:RDF/>'}, "rdfxml"),
        ({"data": b'  [{"@id": "x"}]'}, "jsonld"),
        ({"content_type": "application/octet-stream", "data": b"{}"}, "jsonld"),
    ],
)
def test_detect_format(kwargs: dict[str, object], expected: str) -> None:
    assert detect_format(**kwargs) == expected  # type: ignore[arg-type]


def test_parse_from_path_and_stream(tmp_path: pytest.TempPathFactory) -> None:
    doc = (PREFIXES + '<http://x/d> a dcat:Dataset ; dct:title "T" .').encode()
    path = tmp_path / "feed.ttl"  # type: ignore[operator]
    path.write_bytes(doc)
    assert [r.subject for r in parse_feed(path)] == ["http://x/d"]
    assert [r.subject for r in parse_feed(str(path))] == ["http://x/d"]
    with path.open("rb") as stream:
        assert [r.subject for r in parse_feed(stream, format="ttl")] == ["http://x/d"]
