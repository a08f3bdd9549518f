"""A subject index over a document's triples: what the record builder asks of a graph.

Triples are streamed from pyoxigraph and grouped by subject in one pass; the classes of interest
(datasets, services, series, catalogues, Hydra views) and catalogue membership are noted on the way,
in document order, so records come out in the order the feed lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from vocab.namespaces import DCAT, HYDRA, RDF

__all__ = ["MEMBER_PREDICATES", "RECORD_CLASSES", "Node", "SubjectIndex"]

Node = ox.NamedNode | ox.BlankNode

RECORD_CLASSES: dict[str, str] = {
    str(DCAT.Dataset): "Dataset",
    str(DCAT.DataService): "DataService",
    str(DCAT.DatasetSeries): "DatasetSeries",
}
"""Class IRI -> record kind."""

MEMBER_PREDICATES: dict[str, str] = {
    str(DCAT.dataset): "Dataset",
    str(DCAT.service): "DataService",
    str(HYDRA.member): "Dataset",
}
"""Catalogue membership predicate -> kind of an untyped member."""

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_WATCH = frozenset(ox.NamedNode(iri) for iri in MEMBER_PREDICATES)
_EMPTY: tuple[ox.Quad, ...] = ()


class SubjectIndex:
    """Every subject's triples, in memory, with the typed subjects in document order."""

    __slots__ = ("_by_subject", "members", "types")

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        by_subject: dict[Node, list[ox.Quad]] = {}
        types: list[tuple[Node, str]] = []
        members: list[tuple[object, str]] = []
        last: Node | None = None
        bucket: list[ox.Quad] = []
        rdf_type = _RDF_TYPE
        watch = _WATCH
        for quad in quads:
            subject = quad.subject
            if subject != last:
                found = by_subject.get(subject)  # type: ignore[arg-type]
                if found is None:
                    found = by_subject[subject] = []  # type: ignore[index]
                bucket = found
                last = subject  # type: ignore[assignment]
            bucket.append(quad)
            predicate = quad.predicate
            if predicate == rdf_type:
                obj = quad.object
                if isinstance(obj, ox.NamedNode):
                    types.append((subject, obj.value))  # type: ignore[arg-type]
            elif predicate in watch:
                members.append((quad.object, predicate.value))
        self._by_subject = by_subject
        self.types = types
        self.members = members

    def describe(self, node: object) -> Sequence[ox.Quad]:
        """The triples whose subject is ``node`` (empty for a literal or an undescribed IRI)."""
        return self._by_subject.get(node, _EMPTY)  # type: ignore[call-overload, no-any-return]

    def __len__(self) -> int:
        return len(self._by_subject)

    def classes_of(self, node: object) -> set[str]:
        """The rdf:type IRIs of ``node``."""
        return {
            q.object.value
            for q in self.describe(node)
            if q.predicate == _RDF_TYPE and isinstance(q.object, ox.NamedNode)
        }
