"""Document reports: findings grouped under the record they concern, each result counted once."""

from __future__ import annotations

import pytest

from catalog.exceptions import FeedError
from catalog.quality.report import validate_document

DOC = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://ex.org/cat> a dcat:Catalog ; dct:title "Catalogus"@nl ; dct:description "Alles"@nl ;
    dct:publisher <https://ex.org/org> ; dcat:dataset <https://ex.org/a>, <https://ex.org/b> .
<https://ex.org/a> a dcat:Dataset ; dct:title "A"@nl ; dct:description "Eerste"@nl ;
    dct:publisher <https://ex.org/org> ; dcat:distribution <https://ex.org/a/csv> .
<https://ex.org/a/csv> a dcat:Distribution ; dct:identifier "a-csv" .
<https://ex.org/b> a dcat:Dataset ; dct:title "B"@nl ; dct:publisher <https://ex.org/org> .
<https://ex.org/org> a foaf:Agent .
<https://ex.org/orphan> a foaf:Agent .
"""


def _paths(report: object, subject: str) -> list[tuple[str, str | None]]:
    (record,) = [r for r in report.records if r.subject == subject]  # type: ignore[attr-defined]
    return sorted((f.focus, f.path) for f in record.findings if f.severity == "violation")


def test_findings_are_listed_under_their_record_and_shared_nodes_under_each() -> None:
    report = validate_document(DOC, shapes="dcat-ap", format="turtle")
    name = ("https://ex.org/org", "http://xmlns.com/foaf/0.1/name")
    assert _paths(report, "https://ex.org/a") == [
        ("https://ex.org/a/csv", "http://www.w3.org/ns/dcat#accessURL"),
        name,
    ]
    assert _paths(report, "https://ex.org/b") == [
        ("https://ex.org/b", "http://purl.org/dc/terms/description"),
        name,
    ]
    assert [f.focus for f in report.other] == ["https://ex.org/orphan"]
    # The publisher's missing name is one result, listed under the catalogue and both datasets.
    assert report.counts["violation"] == 4
    assert [r.kind for r in report.records] == ["Catalog", "Dataset", "Dataset"]
    assert report.records[1].title == "A" and not report.conforms


def test_an_unreadable_document_raises_feed_error_and_unknown_shapes_value_error() -> None:
    with pytest.raises(FeedError):
        validate_document(b"<a> <b> ", format="turtle")
    with pytest.raises(ValueError, match="unknown shapes"):
        validate_document(DOC, shapes="nope", format="turtle")
