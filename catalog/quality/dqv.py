"""A dataset's quality as W3C Data Quality Vocabulary (DQV) triples, for its linked-data views.

For a scored dataset:

- one ``dqv:QualityMeasurement`` per MQA dimension and one for the total (``dqv:value`` an
  ``xsd:decimal``), one for the band (``xsd:string``) and one saying whether the links were checked
  (``xsd:boolean``), each ``dqv:computedOn`` the dataset, ``prov:generatedAtTime`` when it was computed,
  and linked from the dataset by ``dqv:hasQualityMeasurement``;
- the metrics they measure, defined under the catalogue's base URI (``{base}quality/metric/{name}``,
  a ``dqv:Metric`` with labels, ``dqv:expectedDataType`` and ``dqv:inDimension``), and the five
  dimensions (``{base}quality/dimension/{name}``, ``dqv:Dimension`` ``dqv:inCategory`` the MQA
  category ``{base}quality/category/mqa``);
- one ``dqv:QualityAnnotation`` per validator finding (``dqv:hasQualityAnnotation``): an Open
  Annotation motivated by ``dqv:qualityAssessment`` whose body holds the English and Dutch message, with
  the finding's severity, path, focus node and value in SHACL terms (``sh:resultSeverity`` ...).

Measurements and annotations are blank nodes with deterministic labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode
from sqlalchemy.orm import Session

from catalog.quality.score import DIMENSIONS
from catalog.rdf._write_terms import Statement, date_literal, decimal_literal, iri, ns, text_literal

__all__ = ["DQV", "OA", "SH", "DatasetDqv", "dataset_dqv", "metric_iri", "quality_statements"]

DQV = "http://www.w3.org/ns/dqv#"
OA = "http://www.w3.org/ns/oa#"
SH = "http://www.w3.org/ns/shacl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

_A = ns("rdf:type")
_LABEL = ns("skos:prefLabel")
_GENERATED = ns("prov:generatedAtTime")
_SEVERITY = {"violation": "Violation", "warning": "Warning", "info": "Info"}
_METRICS: dict[str, tuple[str, str, str, str | None]] = {
    "score": ("MQA score", "MQA-score", "decimal", None),
    **{d: (f"MQA {d}", f"MQA {d}", "decimal", d) for d in DIMENSIONS},
    "band": ("MQA rating", "MQA-beoordeling", "string", None),
    "links_checked": ("links checked", "links gecontroleerd", "boolean", "accessibility"),
}
"""Metric name -> (English label, Dutch label, expected XSD type, dimension or None)."""


def _dqv(local: str) -> NamedNode:
    return NamedNode(DQV + local)


def _base(base_uri: str) -> str:
    return base_uri.rstrip("/") + "/quality/"


def metric_iri(base_uri: str, name: str) -> str:
    """The IRI of one of the catalogue's quality metrics (``score``, a dimension, ``band`` ...)."""
    return f"{_base(base_uri)}metric/{name}"


def _definitions(base_uri: str) -> list[Statement]:
    out: list[Statement] = []
    category = NamedNode(_base(base_uri) + "category/mqa")
    out += [
        (category, _A, _dqv("Category")),
        (category, _LABEL, Literal("Metadata Quality Assessment", language="en")),
    ]
    for dimension in DIMENSIONS:
        node = NamedNode(f"{_base(base_uri)}dimension/{dimension}")
        out += [(node, _A, _dqv("Dimension")), (node, _LABEL, Literal(dimension, language="en"))]
        out.append((node, _dqv("inCategory"), category))
    for name, (label_en, label_nl, datatype, in_dimension) in _METRICS.items():
        node = NamedNode(metric_iri(base_uri, name))
        out += [
            (node, _A, _dqv("Metric")),
            (node, _LABEL, Literal(label_en, language="en")),
            (node, _LABEL, Literal(label_nl, language="nl")),
            (node, _dqv("expectedDataType"), NamedNode(_XSD + datatype)),
        ]
        if in_dimension is not None:
            out.append((node, _dqv("inDimension"), NamedNode(f"{_base(base_uri)}dimension/{in_dimension}")))
    return out


def _value(value: Any, datatype: str) -> Literal | None:
    if datatype == "decimal":
        return decimal_literal(float(value))
    if datatype == "boolean":
        return Literal("true" if value else "false", datatype=NamedNode(_XSD + "boolean"))
    return Literal(str(value))


def quality_statements(
    dataset_uri: str,
    *,
    base_uri: str,
    values: Mapping[str, Any],
    computed_at: datetime,
    findings: Sequence[Mapping[str, Any]] = (),
) -> list[Statement]:
    """DQV triples for one dataset. ``values`` holds ``score``, the five dimensions, ``band`` and
    ``links_checked``; ``findings`` the stored validator findings (JSON objects)."""
    dataset = iri(dataset_uri)
    if dataset is None:
        return []
    out = _definitions(base_uri)
    when = date_literal(computed_at)
    for n, (name, (_, _, datatype, _)) in enumerate(_METRICS.items()):
        value = _value(values[name], datatype) if name in values else None
        if value is None:
            continue
        node = BlankNode(f"qualitym{n}")
        out += [
            (dataset, _dqv("hasQualityMeasurement"), node),
            (node, _A, _dqv("QualityMeasurement")),
            (node, _dqv("computedOn"), dataset),
            (node, _dqv("isMeasurementOf"), NamedNode(metric_iri(base_uri, name))),
            (node, _dqv("value"), value),
            (node, _GENERATED, when),
        ]
    for n, finding in enumerate(findings):
        out += _annotation(dataset, BlankNode(f"qualitya{n}"), BlankNode(f"qualityb{n}"), finding, when)
    return out


def _annotation(
    dataset: NamedNode, node: BlankNode, body: BlankNode, finding: Mapping[str, Any], when: Literal
) -> list[Statement]:
    out: list[Statement] = [
        (dataset, _dqv("hasQualityAnnotation"), node),
        (node, _A, _dqv("QualityAnnotation")),
        (node, NamedNode(OA + "motivatedBy"), _dqv("qualityAssessment")),
        (node, NamedNode(OA + "hasTarget"), dataset),
        (node, NamedNode(OA + "hasBody"), body),
        (node, _GENERATED, when),
        (body, _A, NamedNode(OA + "TextualBody")),
    ]
    for key, lang in (("message", "en"), ("message_nl", "nl")):
        if finding.get(key):
            out.append((body, ns("rdf:value"), text_literal(str(finding[key]), lang)))
    severity = _SEVERITY.get(str(finding.get("severity")))
    if severity is not None:
        out.append((node, NamedNode(SH + "resultSeverity"), NamedNode(SH + severity)))
    path = finding.get("path")
    path_node = iri(path) if isinstance(path, str) and not path.startswith("^") else None
    if path_node is not None:
        out.append((node, NamedNode(SH + "resultPath"), path_node))
    focus = finding.get("focus")
    focus_node = iri(focus) if isinstance(focus, str) and not focus.startswith("_:") else None
    if focus_node is not None:
        out.append((node, NamedNode(SH + "focusNode"), focus_node))
    value = finding.get("value")
    if value is not None:
        text = str(value)
        value_node = iri(text) if text.startswith(("http://", "https://")) else None
        out.append((node, NamedNode(SH + "value"), value_node or Literal(text)))
    return out


@dataclass(frozen=True, slots=True)
class DatasetDqv:
    """A scored dataset's DQV triples and when its score was computed (for ETag and Last-Modified)."""

    statements: list[Statement]
    computed_at: datetime


def dataset_dqv(session: Session, *, dataset_pk: int, dataset_uri: str, base_uri: str) -> DatasetDqv | None:
    """The DQV triples of a stored dataset's quality; None when it has no score."""
    from catalog.quality.store import get_quality

    quality = get_quality(session, dataset_pk)
    if quality is None:
        return None
    values: dict[str, Any] = {name: getattr(quality, name) for name in ("score", *DIMENSIONS, "band")}
    values["links_checked"] = quality.links_checked
    statements = quality_statements(
        dataset_uri,
        base_uri=base_uri,
        values=values,
        computed_at=quality.computed_at,
        findings=list(quality.findings or ()),
    )
    return DatasetDqv(statements, quality.computed_at)
