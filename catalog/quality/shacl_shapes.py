"""SHACL shapes read once into plain Python objects for the fast checker.

The shapes graph is parsed with rdflib (it is small and read once per process); each shape that has a
target, and each shape reached from one (``sh:property``, ``sh:node``, ``sh:or`` ...), becomes a
:class:`Shape` holding its path, severity, messages and a list of ``(component, parameter)``
constraints with pyoxigraph terms, so that checking a record never touches rdflib.

The SHACL-core subset understood: targets (``sh:targetClass``, ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``), property paths (predicate, inverse, sequence,
alternative, zero-or-more, one-or-more, zero-or-one), ``sh:class``, ``sh:datatype``, ``sh:nodeKind``,
``sh:minCount``, ``sh:maxCount``, ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (with
``sh:flags``), ``sh:in``, ``sh:hasValue``, ``sh:languageIn``, ``sh:uniqueLang``, ``sh:node``,
``sh:property``, ``sh:or``, ``sh:and``, ``sh:xone``, ``sh:not``, ``sh:severity``, ``sh:message``,
``sh:deactivated``. A shape using any other SHACL parameter is refused with :class:`UnsupportedShape`
rather than silently checked less strictly than pyshacl would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import rdflib
from pyoxigraph import BlankNode, NamedNode
from pyoxigraph import Literal as OxLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

__all__ = [
    "Path",
    "Severity",
    "Shape",
    "ShapeSet",
    "UnsupportedShape",
    "compile_shapes",
    "load_graph",
    "path_label",
    "to_ox",
]

Severity = Literal["violation", "warning", "info"]
Path = NamedNode | tuple[str, Any]
"""A predicate, or ``("^", path)``, ``("/", (paths...))``, ``("|", (paths...))``, ``("*"|"+"|"?", path)``."""

_SEVERITY: dict[rdflib.term.Node, Severity] = {
    SH.Violation: "violation",
    SH.Warning: "warning",
    SH.Info: "info",
}
_IGNORED = {
    SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.path, SH.targetClass, SH.targetNode,
    SH.targetSubjectsOf, SH.targetObjectsOf, SH.severity, SH.message, SH.deactivated, SH.property,
    SH.flags, SH.declare, SH.prefixes, SH.shapesGraph, SH.suggestedShapesGraph,
}  # fmt: skip
_UNSUPPORTED = {
    SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive, SH.equals, SH.disjoint, SH.lessThan,
    SH.lessThanOrEquals, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.sparql,
    SH.target, SH.rule, SH.expression,
}  # fmt: skip
"""SHACL parameters this checker does not implement (other ``sh:`` terms, like the non-standard
``sh:shape`` of the DCAT-AP files, are not parameters and are ignored, as pyshacl ignores them)."""
_LIST_PARAMS: dict[rdflib.URIRef, str] = {SH["or"]: "or", SH["and"]: "and", SH.xone: "xone"}
_NODE_KINDS: dict[rdflib.URIRef, frozenset[str]] = {
    SH.IRI: frozenset({"iri"}),
    SH.BlankNode: frozenset({"blank"}),
    SH.Literal: frozenset({"literal"}),
    SH.BlankNodeOrIRI: frozenset({"blank", "iri"}),
    SH.BlankNodeOrLiteral: frozenset({"blank", "literal"}),
    SH.IRIOrLiteral: frozenset({"iri", "literal"}),
}


class UnsupportedShape(ValueError):
    """A shapes graph uses SHACL the fast checker does not implement."""


@dataclass(eq=False)
class Shape:
    """One node or property shape."""

    name: str
    """The shape's IRI, or ``_:label`` for a blank node."""
    path: Path | None = None
    severity: Severity = "violation"
    messages: dict[str, str] = field(default_factory=dict)
    """Language tag (``""`` for none) -> message."""
    deactivated: bool = False
    target_classes: tuple[NamedNode, ...] = ()
    target_nodes: tuple[Any, ...] = ()
    target_subjects_of: tuple[NamedNode, ...] = ()
    target_objects_of: tuple[NamedNode, ...] = ()
    constraints: list[tuple[str, Any]] = field(default_factory=list)
    """``(component, parameter)``: component is the SHACL constraint component's local name."""
    properties: list[Shape] = field(default_factory=list)
    fails_when_empty: bool = True
    """Whether the shape can report anything for a focus with no value nodes (``sh:minCount``,
    ``sh:hasValue``); a property shape that cannot is skipped for such a focus."""

    @property
    def has_targets(self) -> bool:
        return bool(
            self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of
        )


@dataclass(frozen=True)
class ShapeSet:
    """The compiled shapes of one shapes graph: the targeted ones drive validation."""

    targeted: tuple[Shape, ...]
    graph: rdflib.Graph
    """The shapes graph itself (for the Turtle report's ``sh:sourceShape`` and for pyshacl)."""


def to_ox(term: rdflib.term.Node) -> Any:
    """An rdflib term as the equal pyoxigraph term (blank node labels kept)."""
    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return OxLiteral(str(term), language=term.language)
        if term.datatype is not None:
            return OxLiteral(str(term), datatype=NamedNode(str(term.datatype)))
        return OxLiteral(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def path_label(path: Path) -> str:
    """A path as text: the predicate IRI, or a SPARQL-like form (``^iri``, ``a/b``, ``(a|b)``, ``a*``)."""
    if isinstance(path, NamedNode):
        return path.value
    op, arg = path
    if op == "^":
        return "^" + path_label(arg)
    if op in ("/", "|"):
        joined = op.join(path_label(p) for p in arg)
        return f"({joined})" if op == "|" else joined
    return f"({path_label(arg)}){op}"


def _name(node: rdflib.term.Node) -> str:
    return f"_:{node}" if isinstance(node, rdflib.BNode) else str(node)


class _Compiler:
    def __init__(self, graph: rdflib.Graph) -> None:
        self.g = graph
        self.shapes: dict[rdflib.term.Node, Shape] = {}

    def _list(self, node: rdflib.term.Node) -> list[rdflib.term.Node]:
        return list(Collection(self.g, node))

    def _path(self, node: rdflib.term.Node) -> Path:
        g = self.g
        if isinstance(node, rdflib.URIRef):
            return NamedNode(str(node))
        if (node, RDF.first, None) in g:
            return ("/", tuple(self._path(p) for p in self._list(node)))
        for predicate, op in (
            (SH.inversePath, "^"),
            (SH.zeroOrMorePath, "*"),
            (SH.oneOrMorePath, "+"),
            (SH.zeroOrOnePath, "?"),
        ):
            inner = g.value(node, predicate)
            if inner is not None:
                return (op, self._path(inner))
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return ("|", tuple(self._path(p) for p in self._list(alternatives)))
        raise UnsupportedShape(f"unsupported property path {node!r}")

    def shape(self, node: rdflib.term.Node) -> Shape:
        found = self.shapes.get(node)
        if found is not None:
            return found
        g = self.g
        shape = Shape(name=_name(node))
        self.shapes[node] = shape  # before the recursion: shapes may refer to each other
        path = g.value(node, SH.path)
        if path is not None:
            shape.path = self._path(path)
        severity = g.value(node, SH.severity)
        if severity is not None:
            shape.severity = _SEVERITY.get(severity, "violation")
        for message in g.objects(node, SH.message):
            if isinstance(message, rdflib.Literal):
                shape.messages.setdefault(message.language or "", str(message))
        shape.deactivated = any(
            isinstance(v, rdflib.Literal) and v.toPython() is True for v in g.objects(node, SH.deactivated)
        )
        shape.target_classes = tuple(NamedNode(str(c)) for c in g.objects(node, SH.targetClass))
        shape.target_nodes = tuple(to_ox(n) for n in g.objects(node, SH.targetNode))
        shape.target_subjects_of = tuple(NamedNode(str(p)) for p in g.objects(node, SH.targetSubjectsOf))
        shape.target_objects_of = tuple(NamedNode(str(p)) for p in g.objects(node, SH.targetObjectsOf))
        shape.properties = [self.shape(p) for p in g.objects(node, SH.property)]
        shape.constraints = self._constraints(node)
        shape.fails_when_empty = shape.path is None or any(
            (c == "MinCountConstraintComponent" and p > 0) or c == "HasValueConstraintComponent"
            for c, p in shape.constraints
        )
        return shape

    def _constraints(self, node: rdflib.term.Node) -> list[tuple[str, Any]]:
        g = self.g
        out: list[tuple[str, Any]] = []
        unknown: list[str] = []
        for predicate, value in g.predicate_objects(node):
            if not str(predicate).startswith(str(SH)) or predicate in _IGNORED:
                continue
            if predicate in _UNSUPPORTED:
                unknown.append(str(predicate))
            if predicate == SH["class"]:
                out.append(("ClassConstraintComponent", NamedNode(str(value))))
            elif predicate == SH.datatype:
                out.append(("DatatypeConstraintComponent", NamedNode(str(value))))
            elif predicate == SH.nodeKind:
                kinds = _NODE_KINDS.get(rdflib.URIRef(str(value)))
                if kinds is None:
                    raise UnsupportedShape(f"shape {_name(node)}: unknown sh:nodeKind {value}")
                out.append(("NodeKindConstraintComponent", kinds))
            elif predicate in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
                local = str(predicate)[len(str(SH)) :]
                out.append((local[0].upper() + local[1:] + "ConstraintComponent", int(str(value))))
            elif predicate == SH.pattern:
                flags = g.value(node, SH.flags)
                out.append(("PatternConstraintComponent", _regex(str(value), str(flags or ""))))
            elif predicate == SH["in"]:
                out.append(("InConstraintComponent", frozenset(to_ox(v) for v in self._list(value))))
            elif predicate == SH.hasValue:
                out.append(("HasValueConstraintComponent", to_ox(value)))
            elif predicate == SH.languageIn:
                tags = tuple(str(v).lower() for v in self._list(value))
                out.append(("LanguageInConstraintComponent", tags))
            elif predicate == SH.uniqueLang:
                if isinstance(value, rdflib.Literal) and value.toPython() is True:
                    out.append(("UniqueLangConstraintComponent", True))
            elif predicate == SH.node:
                out.append(("NodeConstraintComponent", self.shape(value)))
            elif predicate == SH["not"]:
                out.append(("NotConstraintComponent", self.shape(value)))
            elif predicate in _LIST_PARAMS:
                members = tuple(self.shape(m) for m in self._list(value))
                name = _LIST_PARAMS[rdflib.URIRef(str(predicate))]
                out.append((name.capitalize() + "ConstraintComponent", members))
            elif predicate == SH.closed and isinstance(value, rdflib.Literal) and value.toPython() is True:
                unknown.append(str(predicate))
        if unknown:
            raise UnsupportedShape(f"shape {_name(node)} uses {', '.join(sorted(set(unknown)))}")
        return out


def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    value = 0
    for flag, bit in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL), ("x", re.VERBOSE)):
        if flag in flags:
            value |= bit
    return re.compile(pattern, value)


def compile_shapes(graph: rdflib.Graph) -> ShapeSet:
    """Compile every targeted shape of ``graph`` (and the shapes they refer to)."""
    compiler = _Compiler(graph)
    roots: set[rdflib.term.Node] = set()
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        roots.update(graph.subjects(predicate, None))
    targeted = [compiler.shape(node) for node in sorted(roots, key=str)]
    return ShapeSet(targeted=tuple(targeted), graph=graph)


def load_graph(paths: Iterable[str]) -> rdflib.Graph:
    """Parse shape files (Turtle, or JSON-LD by suffix) into one graph."""
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="json-ld" if str(path).endswith(".jsonld") else "turtle")
    return graph
