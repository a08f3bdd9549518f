"""Validating catalogue records against the DCAT-AP-VL 3 shapes: :func:`check_record` and :class:`Finding`.

    findings = check_record(record)              # the record as the catalogue publishes it
    [f for f in findings if f.severity == "violation"]

The record is written as the catalogue would publish it (``catalog.rdf`` writer: its distributions,
contact points, agents and the terms it points to included) and checked by the fast SHACL checker
(``catalog.quality.shacl``) against the project's own shapes (``shapes/``). The same checker runs over
whole documents in ``catalog.quality.report``. Shape sets by name: ``"vl"`` (DCAT-AP 3.0.1 as the
project reads it plus the DCAT-AP-VL 3 additions) and ``"dcat-ap"`` (DCAT-AP 3.0.1 only); any other
shapes file can be loaded with :func:`load_shapes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from catalog.model import DataService, Dataset, DatasetSeries
from catalog.quality.fast import clean_records
from catalog.quality.shacl import Result, validate_graph
from catalog.quality.shacl_graph import DataGraph, Term, owners_of, term_key
from catalog.quality.shacl_shapes import ShapeSet, compile_shapes, load_graph, path_label
from catalog.rdf._write_terms import iri
from catalog.rdf._write_triples import TripleWriter, mint_iri
from vocab.namespaces import CATALOG_PREFIXES

__all__ = [
    "SHAPE_SETS",
    "Finding",
    "check_record",
    "check_records",
    "findings_of",
    "load_shapes",
    "reference_findings",
    "shape_set",
    "short_iri",
]

SHAPE_SETS: dict[str, tuple[str, ...]] = {
    "vl": ("dcat-ap-3.ttl", "dcat-ap-vl-3.ttl"),
    "dcat-ap": ("dcat-ap-3.ttl",),
}
"""Named shape sets -> the files under ``catalog/quality/shapes/`` they load."""

_DEFAULT_BASE = "https://catalog.invalid/"
_OWNER_DEPTH = 6
"""How far from a record its own nodes lie in the writer's output (record, distribution, licence, type)."""
_PREFIXES = {**CATALOG_PREFIXES, "dcatap": "http://data.europa.eu/r5r/", "sh": "http://www.w3.org/ns/shacl#"}


@dataclass(frozen=True)
class Finding:
    """One thing a steward should know about a record: what is wrong or missing, where, how bad."""

    focus: str
    """The node it is about (the dataset, a distribution, a contact point ...): IRI or ``_:label``."""
    path: str | None
    """The property (IRI; ``^iri`` for an inverse path), None for the node itself."""
    severity: Literal["violation", "warning", "info"]
    message: str
    """In English."""
    message_nl: str
    """In Dutch."""
    value: str | None
    """The offending value (IRI, ``_:label`` or literal text), None for a missing or surplus value."""
    shape: str | None
    """The shape that found it (IRI or ``_:label``)."""


@cache
def load_shapes(*paths: str) -> ShapeSet:
    """Compile shape files (Turtle; JSON-LD by suffix) into one shape set, cached per process."""
    return compile_shapes(load_graph(paths))


def _shape_file(name: str) -> str:
    return str(resources.files("catalog.quality").joinpath("shapes", name))


def shape_set(name: str = "vl") -> ShapeSet:
    """A named shape set (``"vl"``, ``"dcat-ap"``) or a path to a shapes file."""
    files = SHAPE_SETS.get(name)
    if files is None:
        if Path(name).is_file():
            return load_shapes(str(Path(name).resolve()))
        raise ValueError(f"unknown shapes {name!r}: use one of {', '.join(SHAPE_SETS)} or a shapes file")
    return _named_set(name)


@cache
def _named_set(name: str) -> ShapeSet:
    return load_shapes(*(_shape_file(f) for f in SHAPE_SETS[name]))


def short_iri(iri: str) -> str:
    """An IRI with a known prefix (``dct:license``), else unchanged."""
    for prefix, base in _PREFIXES.items():
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return iri


_TEMPLATES: dict[str, tuple[str, str]] = {
    "MinCountConstraintComponent": ("{w} is required (at least {p})", "{w} is verplicht (minstens {p})"),
    "MaxCountConstraintComponent": (
        "{w} may have at most {p} value(s)",
        "{w} mag hoogstens {p} waarde(n) hebben",
    ),
    "ClassConstraintComponent": ("{w} must point to a {p}", "{w} moet verwijzen naar een {p}"),
    "NodeKindConstraintComponent": ("{w} must be {p}", "{w} moet {p} zijn"),
    "DatatypeConstraintComponent": ("{w} must be a valid {p} value", "{w} moet een geldige {p}-waarde zijn"),
    "InConstraintComponent": (
        "{w} must be one of the allowed values",
        "{w} moet een van de toegelaten waarden zijn",
    ),
    "HasValueConstraintComponent": ("{w} must include {p}", "{w} moet {p} bevatten"),
    "PatternConstraintComponent": ("{w} does not have the expected form", "{w} heeft niet de verwachte vorm"),
    "UniqueLangConstraintComponent": (
        "{w} has two texts in one language",
        "{w} heeft twee teksten in één taal",
    ),
}
_KINDS = {
    "iri": ("a link (IRI)", "een link (IRI)"),
    "blank": ("a node", "een knoop"),
    "literal": ("text", "tekst"),
}


def _generic(result: Result) -> tuple[str, str]:
    """An English and a Dutch message for a shape that states none."""
    where = short_iri(path_label(result.path)) if result.path is not None else None
    param = result.parameter
    component = result.component
    shown: tuple[str, str]
    if component == "NodeKindConstraintComponent":
        kinds = sorted(param)
        shown = (" or ".join(_KINDS[k][0] for k in kinds), " of ".join(_KINDS[k][1] for k in kinds))
    elif component in ("ClassConstraintComponent", "DatatypeConstraintComponent"):
        shown = (short_iri(param.value), short_iri(param.value))
    elif component == "HasValueConstraintComponent":
        shown = (term_key(param), term_key(param))
    else:
        shown = (str(param), str(param))
    name = component.removesuffix("ConstraintComponent")
    en, nl = _TEMPLATES.get(
        component, ("{w} does not meet the " + name + " constraint", "{w} voldoet niet aan " + name)
    )
    return (
        en.format(w=where or "the node", p=shown[0]),
        nl.format(w=where or "het element", p=shown[1]),
    )


def _finding(result: Result) -> Finding:
    messages = result.shape.messages
    en = messages.get("en") or messages.get("")
    nl = messages.get("nl")
    if en is None or nl is None:
        generic_en, generic_nl = _generic(result)
        en = en or generic_en
        nl = nl or generic_nl
    return Finding(
        focus=term_key(result.focus),
        path=path_label(result.path) if result.path is not None else None,
        severity=result.severity,
        message=en,
        message_nl=nl,
        value=term_key(result.value) if result.value is not None else None,
        shape=result.shape.name,
    )


def findings_of(results: list[Result]) -> list[Finding]:
    """Results as findings (messages resolved), in the order found."""
    return [_finding(r) for r in results]


def check_record(
    record: Dataset | DataService | DatasetSeries, *, shapes: str = "vl", base_uri: str | None = None
) -> list[Finding]:
    """The findings for one record, as the catalogue would publish it (``shapes``: see :func:`shape_set`).

    A record without ``uri`` is checked under an IRI minted under ``base_uri`` (default: a placeholder
    base; pass the catalogue's base URI to have findings name the IRI it publishes). With the ``vl``
    shapes a record ``catalog.quality.fast`` proves clean is not written out at all.
    """
    if shapes == "vl" and clean_records([record], base_uri=base_uri or _DEFAULT_BASE)[0]:
        return []
    return reference_findings(record, shapes=shapes, base_uri=base_uri)


def reference_findings(
    record: Dataset | DataService | DatasetSeries, *, shapes: str = "vl", base_uri: str | None = None
) -> list[Finding]:
    """:func:`check_record` without the fast path: the record written out and checked."""
    writer = TripleWriter(base_uri or _DEFAULT_BASE)
    graph = DataGraph(writer.record(record))
    return findings_of(validate_graph(graph, shape_set(shapes)))


def check_records(
    records: list[Dataset | DataService | DatasetSeries],
    *,
    shapes: str = "vl",
    base_uri: str | None = None,
    fast: bool = True,
) -> list[list[Finding]]:
    """:func:`check_record` for a batch: the same findings per record, about twice as fast.

    The records are written into one graph, so each vocabulary term they point to is described and
    checked once; a finding on a node several records share (a term, a publisher) is given to each of
    them, as checking them one by one would. Records sharing an IRI are checked one by one. With the
    ``vl`` shapes the records ``catalog.quality.fast`` proves clean are left out of that graph (with
    their findings: none); the others are checked together as before (``fast`` False: all of them).
    """
    base = base_uri or _DEFAULT_BASE
    subjects = [mint_iri(record, base) for record in records]
    counts: dict[str, int] = {}
    for subject in subjects:
        counts[subject] = counts.get(subject, 0) + 1
    batch = [i for i, subject in enumerate(subjects) if counts[subject] == 1]
    out: list[list[Finding]] = [[] for _ in records]
    if batch and fast and shapes == "vl":
        clean = clean_records([records[i] for i in batch], base_uri=base)
        batch = [i for i, ok in zip(batch, clean, strict=True) if not ok]
    if batch:
        writer = TripleWriter(base)
        graph = DataGraph()
        roots: dict[Term, int] = {}
        for i in batch:
            graph.add_all(writer.record(records[i]))
            node = iri(subjects[i])
            if node is not None:
                roots[node] = i
        results = validate_graph(graph, shape_set(shapes))
        owners = owners_of(graph, roots, max_depth=_OWNER_DEPTH)
        for result, finding in zip(results, findings_of(results), strict=True):
            for root in owners.get(result.focus, ()):
                out[roots[root]].append(finding)
    for i, subject in enumerate(subjects):
        if counts[subject] > 1:
            out[i] = reference_findings(records[i], shapes=shapes, base_uri=base_uri)
    return out
