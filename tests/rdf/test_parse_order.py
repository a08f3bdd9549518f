"""Distributions come out in one order whatever order the feed lists them in."""

from __future__ import annotations

from catalog.model import Dataset
from catalog.rdf.parse import parse_feed

HEAD = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://example.org/d/1> a dcat:Dataset ; dct:title "Bomen"@nl ; dcat:distribution
"""
DISTRIBUTIONS = [
    b"<https://example.org/d/1/b>",
    b"<https://example.org/d/1/a>",
    b'[ dcat:accessURL <https://example.org/same> ; dct:title "JSON"@nl ]',
    b'[ dcat:accessURL <https://example.org/same> ; dct:title "CSV"@nl ]',
]
TAIL = b"""
<https://example.org/d/1/a> a dcat:Distribution ; dcat:accessURL <https://example.org/a> .
<https://example.org/d/1/b> a dcat:Distribution ; dcat:accessURL <https://example.org/a> .
"""


def _distributions(order: list[bytes]) -> list[tuple[str | None, str | None]]:
    doc = HEAD + b" , ".join(order) + b" .\n" + TAIL
    record = next(iter(parse_feed(doc, format="turtle"))).record
    assert isinstance(record, Dataset)
    return [(d.uri, d.title.get("nl")) for d in record.distribution]


def test_distributions_by_uri_and_links_then_by_content() -> None:
    expected = [
        (None, "CSV"),  # no URI and the same links: by content
        (None, "JSON"),
        ("https://example.org/d/1/a", None),
        ("https://example.org/d/1/b", None),
    ]
    assert _distributions(DISTRIBUTIONS) == expected
    assert _distributions(DISTRIBUTIONS[::-1]) == expected
    assert _distributions(DISTRIBUTIONS[:2]) == expected[2:]
