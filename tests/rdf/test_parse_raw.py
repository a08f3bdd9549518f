"""A record's raw triples are the same bytes every time the same document is read."""

from __future__ import annotations

from catalog.rdf.parse import parse_feed, parse_record

DOC = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix spdx: <http://spdx.org/rdf/terms#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/d/1> a dcat:Dataset ; dct:title "Bomen"@nl ;
    dcat:distribution <https://example.org/d/1/csv> , <https://example.org/d/1/json> .
<https://example.org/d/1/csv> a dcat:Distribution ; dcat:accessURL <https://example.org/csv> ;
    dct:rights [ rdfs:label "Vrij te gebruiken"@nl ] ;
    spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha1 ; spdx:checksumValue "ab12" ] .
<https://example.org/d/1/json> a dcat:Distribution ; dcat:accessURL <https://example.org/json> ;
    dct:rights [ rdfs:label "Vrij te gebruiken"@nl ] .
"""


def test_blank_nodes_under_named_nodes_get_stable_labels() -> None:
    first = next(iter(parse_feed(DOC, format="turtle"))).raw
    second = next(iter(parse_feed(DOC, format="turtle"))).raw
    assert first == second
    assert b'_:b1 <http://spdx.org/rdf/terms#checksumValue> "ab12" .' in first
    assert first.count(b"<http://purl.org/dc/terms/rights> _:b") == 2
    again = parse_record(first)
    assert again.raw == first
    assert again.record == next(iter(parse_feed(DOC, format="turtle"))).record


ONE_BLANK = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix ex: <http://example.org/p/> .
<https://example.org/d/1> a dcat:Dataset ; dct:title "Bomen"@nl ; dcat:contactPoint _:c ; ex:again _:c .
_:c vcard:fn "Dienst" .
_:d a dcat:Dataset ; dct:identifier "d-2" ; dct:title "Zonder IRI"@nl .
"""


def test_a_single_blank_node_and_a_blank_root_are_labelled_b0() -> None:
    by_id = {p.subject if p.subject.startswith("http") else "blank": p for p in parse_feed(ONE_BLANK)}
    named = by_id["https://example.org/d/1"].raw.decode()
    assert "<https://example.org/d/1> <http://www.w3.org/ns/dcat#contactPoint> _:b0 ." in named
    assert "<https://example.org/d/1> <http://example.org/p/again> _:b0 ." in named
    assert '_:b0 <http://www.w3.org/2006/vcard/ns#fn> "Dienst" .' in named
    blank = by_id["blank"].raw.decode()
    assert blank.splitlines()[0] == '_:b0 <http://purl.org/dc/terms/identifier> "d-2" .'
    assert parse_record(blank.encode()).raw == blank.encode()
