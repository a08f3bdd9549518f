"""Validating a whole DCAT document without storing it: findings grouped per dataset.

    report = validate_document(path_or_bytes, shapes="vl")
    report.conforms, report.counts
    for record in report.records:            # datasets, data services, series, the catalogue
        record.subject, record.kind, record.title, record.findings

The document is read with the same safe reader as the harvest (size cap, no DTDs, no remote JSON-LD
contexts), indexed once, and checked as one graph by the fast SHACL checker, so references between
records (a distribution's access service, a catalogue's datasets) are seen as a SHACL engine sees
them. A finding on a node that belongs to a record (its distribution, contact point, publisher ...) is
listed under that record; a node shared by several records (one publisher for all) is listed under
each of them. Findings on nodes no record leads to are in ``FeedReport.other``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import BinaryIO

from pyoxigraph import Literal, NamedNode

from catalog.quality.shacl import Result, validate_graph
from catalog.quality.shacl_graph import DataGraph, Term, owners_of, term_key
from catalog.quality.validate import Finding, findings_of, shape_set
from catalog.rdf._parse_source import open_source, triples

__all__ = ["FeedReport", "RecordReport", "read_graph", "validate_document", "validate_graph_report"]

_DCAT = "http://www.w3.org/ns/dcat#"
_RECORD_KINDS = {
    NamedNode(_DCAT + "Dataset"): "Dataset",
    NamedNode(_DCAT + "DatasetSeries"): "DatasetSeries",
    NamedNode(_DCAT + "DataService"): "DataService",
    NamedNode(_DCAT + "Catalog"): "Catalog",
}
_KIND_ORDER = {"Catalog": 0, "DatasetSeries": 1, "Dataset": 2, "DataService": 3}
_PRIORITY = {"Catalog": 0, "Dataset": 1, "DataService": 2, "DatasetSeries": 3}
"""A node typed twice is reported as the more specific kind (a series is also typed dcat:Dataset)."""
_TITLE = NamedNode("http://purl.org/dc/terms/title")
_MAX_DEPTH = 4


@dataclass(frozen=True)
class RecordReport:
    """The findings of one catalogued resource in a document."""

    subject: str
    kind: str
    """``Dataset``, ``DatasetSeries``, ``DataService`` or ``Catalog``."""
    title: str | None
    findings: list[Finding]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


@dataclass(frozen=True)
class FeedReport:
    """A document's validation: per record, plus what belongs to no record."""

    shapes: str
    triples: int
    records: list[RecordReport]
    other: list[Finding]
    results: list[Result] = field(repr=False)
    """Every result once (a finding on a shared node is listed under each record, counted once here)."""

    @property
    def counts(self) -> dict[str, int]:
        """Results by severity (``violation``, ``warning``, ``info``), each result once."""
        found = Counter(r.severity for r in self.results)
        return {s: found.get(s, 0) for s in ("violation", "warning", "info")}

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos do not count)."""
        return self.counts["violation"] == 0


def read_graph(
    source: bytes | str | os.PathLike[str] | BinaryIO,
    *,
    format: str | None = None,
    base_iri: str | None = None,
    max_bytes: int | None = None,
) -> DataGraph:
    """Read an RDF document safely into a :class:`DataGraph`; unreadable input raises ``FeedError``."""
    src = open_source(source, format=format, base_iri=base_iri, max_bytes=max_bytes)
    try:
        return DataGraph(triples(src))
    finally:
        src.close()


def _title(graph: DataGraph, node: Term) -> str | None:
    texts = {v.language or "": v.value for v in graph.objects(node, _TITLE) if isinstance(v, Literal)}
    for tag in ("nl", "en", ""):
        if tag in texts:
            return texts[tag]
    return next(iter(texts.values()), None)


def _records(graph: DataGraph) -> dict[Term, str]:
    found: dict[Term, str] = {}
    for cls, kind in _RECORD_KINDS.items():
        for node in graph.instances(cls):
            if node not in found or _PRIORITY[kind] > _PRIORITY[found[node]]:
                found[node] = kind
    return found


def validate_graph_report(graph: DataGraph, *, shapes: str = "vl") -> FeedReport:
    """Validate an indexed document against a shape set and group the findings per record."""
    results = validate_graph(graph, shape_set(shapes))
    findings = findings_of(results)
    records = _records(graph)
    owners = owners_of(graph, records, max_depth=_MAX_DEPTH)
    per_record: dict[Term, list[Finding]] = {node: [] for node in records}
    other: list[Finding] = []
    for result, finding in zip(results, findings, strict=True):
        belongs = owners.get(result.focus)
        if not belongs:
            other.append(finding)
            continue
        for record in belongs:
            per_record[record].append(finding)
    ordered = sorted(records, key=lambda n: (_KIND_ORDER[records[n]], term_key(n)))
    reports = [
        RecordReport(term_key(node), records[node], _title(graph, node), per_record[node]) for node in ordered
    ]
    return FeedReport(shapes=shapes, triples=len(graph), records=reports, other=other, results=results)


def validate_document(
    source: bytes | str | os.PathLike[str] | BinaryIO,
    *,
    shapes: str = "vl",
    format: str | None = None,
    base_iri: str | None = None,
    max_bytes: int | None = None,
) -> FeedReport:
    """Read and validate a DCAT document (Turtle, RDF/XML, JSON-LD, N-Triples); nothing is stored.

    Raises ``FeedError`` when the document cannot be read, ``ValueError`` for unknown shapes.
    """
    shape_set(shapes)  # unknown shapes fail before the document is read
    graph = read_graph(source, format=format, base_iri=base_iri, max_bytes=max_bytes)
    return validate_graph_report(graph, shapes=shapes)
