"""A document's validation report as a table (for people), JSON (for programs) or a SHACL report (Turtle).

The Turtle form is a ``sh:ValidationReport`` as the SHACL recommendation defines it: one
``sh:ValidationResult`` per result with focus node, path, value, severity, source shape, constraint
component and the messages in English and Dutch.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from catalog.quality.report import FeedReport
from catalog.quality.shacl_shapes import Path
from catalog.quality.validate import Finding, findings_of, short_iri

__all__ = ["REPORT_FORMATS", "report_json", "report_table", "report_turtle"]

REPORT_FORMATS = ("table", "json", "turtle")

_SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD_BOOLEAN = NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_SEVERITY_IRI = {"violation": "Violation", "warning": "Warning", "info": "Info"}
_MARK = {"violation": "✗", "warning": "!", "info": "i"}
_WORDS = {
    "en": {
        "violation": ("violation", "violations"),
        "warning": ("warning", "warnings"),
        "info": ("info", "infos"),
    },
    "nl": {
        "violation": ("overtreding", "overtredingen"),
        "warning": ("waarschuwing", "waarschuwingen"),
        "info": ("info", "info"),
    },
}
_STATUS = {"en": ("valid", "not valid", "no findings"), "nl": ("geldig", "niet geldig", "geen opmerkingen")}


def _summary(counts: dict[str, int], lang: str) -> str:
    words = _WORDS[lang]
    return ", ".join(
        f"{counts[s]} {words[s][0 if counts[s] == 1 else 1]}" for s in ("violation", "warning", "info")
    )


def _line(finding: Finding, lang: str, subject: str | None = None) -> str:
    message = finding.message_nl if lang == "nl" else finding.message
    where = short_iri(finding.path) if finding.path else "-"
    if finding.focus != subject:
        where = f"{finding.focus} {where}"
    value = f"  [{finding.value}]" if finding.value is not None else ""
    return f"    {_MARK[finding.severity]} {finding.severity:<9} {where}{value}\n      {message}"


def report_table(report: FeedReport, *, lang: str = "nl") -> str:
    """A plain-text report: each record with its findings, then a summary line."""
    lines: list[str] = []
    valid, not_valid, nothing = _STATUS[lang]
    for record in report.records:
        counts = {s: record.count(s) for s in ("violation", "warning", "info")}
        status = valid if counts["violation"] == 0 else not_valid
        title = f" \u2014 {record.title}" if record.title else ""
        lines.append(f"{record.kind} {record.subject}{title}")
        lines.append(f"  {status}: {_summary(counts, lang) if record.findings else nothing}")
        lines.extend(_line(f, lang, record.subject) for f in record.findings)
    if report.other:
        lines.append("(other nodes)" if lang == "en" else "(andere knopen)")
        lines.extend(_line(f, lang) for f in report.other)
    records = len(report.records)
    failing = sum(1 for r in report.records if r.count("violation"))
    if lang == "nl":
        lines.append(
            f"{records} records, {failing} met overtredingen; {_summary(report.counts, lang)} "
            f"({report.triples} triples, vormen: {report.shapes})"
        )
    else:
        lines.append(
            f"{records} records, {failing} with violations; {_summary(report.counts, lang)} "
            f"({report.triples} triples, shapes: {report.shapes})"
        )
    return "\n".join(lines) + "\n"


def report_json(report: FeedReport) -> dict[str, Any]:
    """The report as a JSON-ready dict (the same document ``POST /api/validate`` answers)."""
    return {
        "shapes": report.shapes,
        "conforms": report.conforms,
        "triples": report.triples,
        "counts": report.counts,
        "records": [
            {
                "subject": r.subject,
                "kind": r.kind,
                "title": r.title,
                "conforms": r.count("violation") == 0,
                "counts": {s: r.count(s) for s in ("violation", "warning", "info")},
                "findings": [asdict(f) for f in r.findings],
            }
            for r in report.records
        ],
        "other": [asdict(f) for f in report.other],
    }


def _node(name: str) -> NamedNode | BlankNode:
    return BlankNode(name[2:]) if name.startswith("_:") else NamedNode(name)


def _path_triples(path: Path, out: list[Triple]) -> NamedNode | BlankNode:
    if isinstance(path, NamedNode):
        return path
    op, arg = path
    node = BlankNode()
    if op in ("/", "|"):
        items = [_path_triples(p, out) for p in arg]
        head = _list(items, out)
        if op == "/":
            return head
        out.append(Triple(node, NamedNode(_SH + "alternativePath"), head))
        return node
    name = {"^": "inversePath", "*": "zeroOrMorePath", "+": "oneOrMorePath", "?": "zeroOrOnePath"}[op]
    out.append(Triple(node, NamedNode(_SH + name), _path_triples(arg, out)))
    return node


def _list(items: list[NamedNode | BlankNode], out: list[Triple]) -> NamedNode | BlankNode:
    nil = NamedNode(_RDF + "nil")
    head: NamedNode | BlankNode = nil
    for item in reversed(items):
        cell = BlankNode()
        out.append(Triple(cell, NamedNode(_RDF + "first"), item))
        out.append(Triple(cell, NamedNode(_RDF + "rest"), head))
        head = cell
    return head


def report_turtle(report: FeedReport) -> bytes:
    """The report as a SHACL ``sh:ValidationReport`` in Turtle."""
    sh = {name: NamedNode(_SH + name) for name in (
        "ValidationReport", "ValidationResult", "conforms", "result", "focusNode", "resultPath", "value",
        "resultSeverity", "sourceShape", "sourceConstraintComponent", "resultMessage",
    )}  # fmt: skip
    a = NamedNode(_RDF + "type")
    root = BlankNode("report")
    out: list[Triple] = [
        Triple(root, a, sh["ValidationReport"]),
        Triple(root, sh["conforms"], Literal(str(report.conforms).lower(), datatype=_XSD_BOOLEAN)),
    ]
    for result, finding in zip(report.results, findings_of(report.results), strict=True):
        node = BlankNode()
        out.append(Triple(root, sh["result"], node))
        out.append(Triple(node, a, sh["ValidationResult"]))
        out.append(Triple(node, sh["focusNode"], result.focus))
        if result.path is not None:
            out.append(Triple(node, sh["resultPath"], _path_triples(result.path, out)))
        if result.value is not None:
            out.append(Triple(node, sh["value"], result.value))
        severity = NamedNode(_SH + _SEVERITY_IRI[result.severity])
        out.append(Triple(node, sh["resultSeverity"], severity))
        out.append(Triple(node, sh["sourceShape"], _node(result.shape.name)))
        out.append(Triple(node, sh["sourceConstraintComponent"], NamedNode(_SH + result.component)))
        out.append(Triple(node, sh["resultMessage"], Literal(finding.message, language="en")))
        out.append(Triple(node, sh["resultMessage"], Literal(finding.message_nl, language="nl")))
    prefixes = {"sh": _SH, "rdf": _RDF, "xsd": "http://www.w3.org/2001/XMLSchema#"}
    data = serialize(out, format=RdfFormat.TURTLE, prefixes=prefixes)
    assert data is not None
    return data
