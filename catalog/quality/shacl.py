"""A fast SHACL-core checker: compiled shapes (``shacl_shapes``) run over a :class:`DataGraph`.

It reads SHACL the way pyshacl 0.40 does without inference, so that its results equal pyshacl's: the
same focus nodes, result paths, values, severities and counts (``tests/quality/test_shacl_parity.py``
holds it to that on the reference samples and on generated feeds). Known points of reading:

- ``sh:class`` follows ``rdf:type`` / ``rdfs:subClassOf*`` in the data graph only; a literal is never an
  instance.
- ``sh:datatype`` accepts a literal of the same datatype that rdflib does not find ill-typed (the
  lexical check is rdflib's own, cached per lexical form), a plain string for ``xsd:string``, any
  language-tagged literal for ``rdf:langString``, any literal for ``rdfs:Literal``.
- ``sh:minCount`` / ``sh:maxCount`` / ``sh:hasValue`` / ``sh:uniqueLang`` results carry no value; the
  others carry the offending value node.
- Results of shapes reached through ``sh:node`` / ``sh:or`` ... are not reported on their own: the
  referring shape reports the value node that does not conform, with its own severity (pyshacl adds
  them as ``sh:detail`` of that result).

One known difference, kept on purpose: ``"a"`` and ``"a"^^xsd:string`` are one literal here (RDF 1.1,
pyoxigraph) and two for rdflib, so ``sh:in`` / ``sh:hasValue`` with a plain-string parameter can differ
on an ``xsd:string``-typed value. No shape set the catalogue uses has such a parameter (tested).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode

from catalog.quality.shacl_graph import DataGraph, Term
from catalog.quality.shacl_shapes import Path, Severity, Shape, ShapeSet

__all__ = ["Result", "conforms", "evaluate_path", "validate_graph"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDFS_LITERAL = "http://www.w3.org/2000/01/rdf-schema#Literal"
_RDFS_DATATYPE = "http://www.w3.org/2000/01/rdf-schema#Datatype"


@dataclass(frozen=True, slots=True)
class Result:
    """One validation result, as ``sh:ValidationResult`` would state it."""

    focus: Term
    path: Path | None
    value: Term | None
    severity: Severity
    component: str
    """The constraint component's local name (``MinCountConstraintComponent`` ...)."""
    shape: Shape
    parameter: Any
    """The constraint's parameter (the count, the class, the nested shape ...), for messages."""


def evaluate_path(graph: DataGraph, focus: Term, path: Path) -> list[Term]:
    """The value nodes reached from ``focus`` along ``path`` (distinct, in first-seen order)."""
    if isinstance(path, NamedNode):
        return list(graph.objects(focus, path))
    op, arg = path
    if op == "^":
        if isinstance(arg, NamedNode):
            return list(graph.inverse(focus, arg))
        raise ValueError("only a predicate can be inverted")
    if op == "/":
        current = [focus]
        for step in arg:
            following: dict[Term, None] = {}
            for node in current:
                for value in evaluate_path(graph, node, step):
                    following[value] = None
            current = list(following)
        return current
    if op == "|":
        found: dict[Term, None] = {}
        for alternative in arg:
            for value in evaluate_path(graph, focus, alternative):
                found[value] = None
        return list(found)
    # "*", "+", "?"
    reached: dict[Term, None] = {focus: None} if op in ("*", "?") else {}
    frontier = [focus]
    while frontier:
        node = frontier.pop()
        for value in evaluate_path(graph, node, arg):
            if value not in reached:
                reached[value] = None
                if op != "?":
                    frontier.append(value)
    return list(reached)


@lru_cache(maxsize=16384)
def _well_typed(lexical: str, datatype: str) -> bool:
    """rdflib's reading of a typed literal, as pyshacl checks it."""
    rdflib_log = logging.getLogger("rdflib.term")
    was_disabled = rdflib_log.disabled
    rdflib_log.disabled = True  # rdflib logs a traceback for every ill-typed literal it is handed
    try:
        literal = rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype))
    finally:
        rdflib_log.disabled = was_disabled
    if literal.ill_typed is True:
        return False
    value = literal.value
    local = datatype[len(_XSD) :] if datatype.startswith(_XSD) else None
    if local == "string":
        return isinstance(value, str | bytes)
    if local == "integer":
        return isinstance(value, int)
    if local == "float":
        return isinstance(value, float)
    if local == "decimal":
        from decimal import Decimal

        return isinstance(value, Decimal)
    if local == "boolean":
        return isinstance(value, bool)
    if local in ("date", "time", "dateTime"):
        from datetime import date, datetime, time

        kinds: dict[str, type] = {"date": date, "time": time, "dateTime": datetime}
        return isinstance(value, kinds[local])
    return True


def _datatype_ok(value: Term, rule: NamedNode) -> bool:
    if not isinstance(value, Literal):
        return False
    wanted = rule.value
    if value.language:
        return wanted in (_RDF_LANG_STRING, _RDFS_LITERAL)
    if wanted == _RDFS_LITERAL:
        return True
    actual = value.datatype.value
    if actual == wanted:
        return True if wanted == _XSD + "string" else _well_typed(value.value, wanted)
    return wanted == _RDFS_DATATYPE


def _node_kind(value: Term) -> str:
    if isinstance(value, NamedNode):
        return "iri"
    if isinstance(value, BlankNode):
        return "blank"
    return "literal"


def _lang_matches(tag: str, ranges: tuple[str, ...]) -> bool:
    tag = tag.lower()
    return any(tag == r or tag.startswith(r + "-") or r == "*" for r in ranges)


def _language_in(value: Term, ranges: tuple[str, ...]) -> bool:
    return isinstance(value, Literal) and bool(value.language) and _lang_matches(value.language or "", ranges)


def _bad_values(component: str, param: Any, values: list[Term], graph: DataGraph) -> list[Term | None]:
    """The value nodes (None: the focus as a whole) that violate one constraint."""
    if component == "ClassConstraintComponent":
        return [v for v in values if not graph.has_class(v, param)]
    if component == "MinCountConstraintComponent":
        return [None] if len(values) < param else []
    if component == "MaxCountConstraintComponent":
        return [None] if len(values) > param else []
    if component == "NodeKindConstraintComponent":
        return [v for v in values if _node_kind(v) not in param]
    if component == "DatatypeConstraintComponent":
        return [v for v in values if not _datatype_ok(v, param)]
    if component == "InConstraintComponent":
        return [v for v in values if v not in param]
    if component == "HasValueConstraintComponent":
        return [] if param in values else [None]
    if component == "PatternConstraintComponent":
        return [v for v in values if isinstance(v, BlankNode) or not param.search(v.value)]
    if component == "MinLengthConstraintComponent":
        return [v for v in values if isinstance(v, BlankNode) or len(v.value) < param]
    if component == "MaxLengthConstraintComponent":
        return [v for v in values if isinstance(v, BlankNode) or len(v.value) > param]
    if component == "LanguageInConstraintComponent":
        return [v for v in values if not _language_in(v, param)]
    if component == "UniqueLangConstraintComponent":
        seen: set[str] = set()
        duplicates: set[str] = set()
        for v in values:
            if isinstance(v, Literal) and v.language:
                low = v.language.lower()
                (duplicates if low in seen else seen).add(low)
        return [None for _ in duplicates]
    if component == "NodeConstraintComponent":
        return [v for v in values if not _check(param, v, graph, None)]
    if component == "NotConstraintComponent":
        return [v for v in values if _check(param, v, graph, None)]
    if component == "OrConstraintComponent":
        return [v for v in values if not any(_check(s, v, graph, None) for s in param)]
    if component == "AndConstraintComponent":
        return [v for v in values if not all(_check(s, v, graph, None) for s in param)]
    if component == "XoneConstraintComponent":
        return [v for v in values if sum(_check(s, v, graph, None) for s in param) != 1]
    raise ValueError(f"unknown constraint component {component}")  # compile_shapes refuses these


def _check(shape: Shape, focus: Term, graph: DataGraph, out: list[Result] | None) -> bool:
    """Check ``focus`` against ``shape``; append results to ``out`` (None: stop at the first failure)."""
    if shape.deactivated:
        return True
    path = shape.path
    values: list[Term]
    if path is None:
        values = [focus]
    elif isinstance(path, NamedNode):
        preds = graph.predicates(focus)
        values = list(preds[path]) if path in preds else []
        if not values and not shape.fails_when_empty:
            return True
    else:
        values = evaluate_path(graph, focus, path)
        if not values and not shape.fails_when_empty:
            return True
    ok = True
    for component, param in shape.constraints:
        bad = _bad_values(component, param, values, graph)
        if bad:
            if out is None:
                return False
            ok = False
            for value in bad:
                out.append(Result(focus, path, value, shape.severity, component, shape, param))
    if not shape.properties:
        return ok
    for value in values:
        preds = graph.predicates(value)
        for prop in shape.properties:
            predicate = prop.path
            if not prop.fails_when_empty and isinstance(predicate, NamedNode) and predicate not in preds:
                continue  # no value on that predicate: nothing this shape could report
            if not _check(prop, value, graph, out):
                if out is None:
                    return False
                ok = False
    return ok


def conforms(shape: Shape, node: Term, graph: DataGraph) -> bool:
    """Whether ``node`` conforms to ``shape`` (no results are built)."""
    return _check(shape, node, graph, None)


def _focus_nodes(shape: Shape, graph: DataGraph) -> list[Term]:
    found: dict[Term, None] = {}
    for cls in shape.target_classes:
        for node in graph.instances(cls):
            found[node] = None
    for node in shape.target_nodes:
        found[node] = None
    if shape.target_subjects_of:
        for subject in graph.subjects():
            preds = graph.predicates(subject)
            if any(p in preds for p in shape.target_subjects_of):
                found[subject] = None
    for predicate in shape.target_objects_of:
        for subject in list(graph.subjects()):
            for obj in graph.objects(subject, predicate):
                found[obj] = None
    return list(found)


def validate_graph(graph: DataGraph, shapes: ShapeSet) -> list[Result]:
    """Every validation result of ``graph`` against ``shapes``."""
    out: list[Result] = []
    for shape in shapes.targeted:
        if shape.deactivated:
            continue
        for focus in _focus_nodes(shape, graph):
            _check(shape, focus, graph, out)
    return out
