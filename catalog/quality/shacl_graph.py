"""The data graph the SHACL checker reads: triples indexed by subject, with class membership.

Built from pyoxigraph terms (the writer's statements, or a parsed document's triples). The index holds
what a SHACL-core evaluation asks of a graph: the objects of a subject's predicate, the subjects of an
object's predicate (for inverse paths, built on first use), the instances of a class, and whether a
node is an instance of a class through ``rdf:type`` / ``rdfs:subClassOf*`` in the data graph (the same
reading as pyshacl without inference).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

__all__ = ["RDFS_SUBCLASS", "RDF_TYPE", "DataGraph", "Term", "term_key"]

Term = NamedNode | BlankNode | Literal
"""A node of the data graph."""

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SUBCLASS = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")

_EMPTY: tuple[Term, ...] = ()


def term_key(term: Term) -> str:
    """A node as text: the IRI, ``_:label`` for a blank node, the lexical form of a literal."""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value


class DataGraph:
    """An in-memory index of a set of triples (duplicates are ignored, as in an RDF graph)."""

    __slots__ = ("_has_subclass", "_instances", "_inverse", "_out", "_subclass_cache", "_types")

    def __init__(self, triples: Iterable[Any] = ()) -> None:
        self._out: dict[Term, dict[NamedNode, dict[Term, None]]] = {}
        self._types: dict[Term, list[Term]] | None = None
        self._inverse: dict[Term, dict[NamedNode, list[Term]]] | None = None
        self._subclass_cache: dict[tuple[Term, Term], bool] = {}
        self._instances: dict[Term, list[Term]] = {}
        self._has_subclass = False
        self.add_all(triples)

    def add_all(self, triples: Iterable[Any]) -> None:
        """Add triples (``(s, p, o)`` tuples or pyoxigraph ``Triple``/``Quad`` objects)."""
        out = self._out
        for triple in triples:
            if isinstance(triple, tuple):
                s, p, o = triple
            else:
                s, p, o = triple.subject, triple.predicate, triple.object
            if p == RDFS_SUBCLASS:
                self._has_subclass = True
            preds = out.get(s)
            if preds is None:
                out[s] = {p: {o: None}}
                continue
            objs = preds.get(p)
            if objs is None:
                preds[p] = {o: None}
            else:
                objs[o] = None  # a dict: distinct objects, in first-seen order, O(1) per triple
        self._types = None
        self._inverse = None
        self._subclass_cache.clear()
        self._instances.clear()

    def __len__(self) -> int:
        return sum(len(objs) for preds in self._out.values() for objs in preds.values())

    def triples(self) -> Iterator[tuple[Term, NamedNode, Term]]:
        """Every triple, grouped by subject."""
        for s, preds in self._out.items():
            for p, objs in preds.items():
                for o in objs:
                    yield (s, p, o)

    def subjects(self) -> Iterable[Term]:
        """Every subject of the graph."""
        return self._out.keys()

    def objects(self, subject: Term, predicate: NamedNode) -> Collection[Term]:
        """The objects of ``subject predicate ?o``."""
        preds = self._out.get(subject)
        if preds is None:
            return _EMPTY
        return preds.get(predicate, _EMPTY)

    def predicates(self, subject: Term) -> dict[NamedNode, dict[Term, None]]:
        """Predicate -> objects of one subject (empty when it is not a subject)."""
        return self._out.get(subject) or {}

    def inverse(self, obj: Term, predicate: NamedNode) -> Collection[Term]:
        """The subjects of ``?s predicate obj``."""
        if self._inverse is None:
            inverse: dict[Term, dict[NamedNode, list[Term]]] = {}
            for s, preds in self._out.items():
                for p, objs in preds.items():
                    for o in objs:
                        inverse.setdefault(o, {}).setdefault(p, []).append(s)
            self._inverse = inverse
        found = self._inverse.get(obj)
        if found is None:
            return _EMPTY
        return found.get(predicate, _EMPTY)

    def instances(self, cls: NamedNode) -> list[Term]:
        """Nodes typed ``cls`` or a subclass of it (``rdfs:subClassOf*`` read in the data graph)."""
        cached = self._instances.get(cls)
        if cached is not None:
            return cached
        types = self._type_index()
        found = dict.fromkeys(types.get(cls, _EMPTY))
        if self._has_subclass:
            for other, members in types.items():
                if other != cls and self._is_subclass(other, cls):
                    found.update(dict.fromkeys(members))
        listed = list(found)
        self._instances[cls] = listed
        return listed

    def has_class(self, node: Term, cls: Term) -> bool:
        """Whether ``node`` is an instance of ``cls`` (a literal never is)."""
        if isinstance(node, Literal):
            return False
        types = self.objects(node, RDF_TYPE)
        if cls in types:
            return True
        return self._has_subclass and any(self._is_subclass(typ, cls) for typ in types)

    def _type_index(self) -> dict[Term, list[Term]]:
        if self._types is None:
            types: dict[Term, list[Term]] = {}
            for s, preds in self._out.items():
                for typ in preds.get(RDF_TYPE, _EMPTY):
                    types.setdefault(typ, []).append(s)
            self._types = types
        return self._types

    def _is_subclass(self, sub: Term, sup: Term) -> bool:
        """``sub rdfs:subClassOf+ sup`` in the data graph."""
        key = (sub, sup)
        cached = self._subclass_cache.get(key)
        if cached is not None:
            return cached
        seen: set[Term] = {sub}
        frontier = [sub]
        found = False
        while frontier and not found:
            node = frontier.pop()
            for parent in self.objects(node, RDFS_SUBCLASS):
                if parent == sup:
                    found = True
                    break
                if parent not in seen:
                    seen.add(parent)
                    frontier.append(parent)
        self._subclass_cache[key] = found
        return found


def owners_of(graph: DataGraph, roots: Collection[Term], *, max_depth: int = 4) -> dict[Term, list[Term]]:
    """Node -> the roots it belongs to: a root owns itself and the nodes it leads to (up to ``max_depth``
    links, not through ``rdf:type`` and not into another root). A node reached from several roots (one
    publisher for all datasets) belongs to each."""
    owners: dict[Term, list[Term]] = {}
    for root in roots:
        owners.setdefault(root, []).append(root)
        seen = {root}
        frontier = [root]
        for _ in range(max_depth):
            following: list[Term] = []
            for node in frontier:
                for predicate, objs in graph.predicates(node).items():
                    if predicate == RDF_TYPE:
                        continue
                    for obj in objs:
                        if isinstance(obj, Literal) or obj in seen or obj in roots:
                            continue
                        seen.add(obj)
                        owners.setdefault(obj, []).append(root)
                        if graph.predicates(obj):
                            following.append(obj)
            frontier = following
    return owners
