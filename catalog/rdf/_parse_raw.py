"""A record's own triples (its bounded description) as sorted N-Triples with stable blank-node labels."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyoxigraph as ox

from catalog.rdf._parse_index import RECORD_CLASSES
from vocab.namespaces import DCAT, DCT, FOAF, HYDRA, RDF

__all__ = ["bounded_description"]

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_OTHER_RECORDS = frozenset(
    ox.NamedNode(c) for c in (*RECORD_CLASSES, str(DCAT.Catalog), str(DCAT.CatalogRecord))
)
_ACCESS_SERVICE = ox.NamedNode(str(DCAT.accessService))
_NOT_FOLLOWED = frozenset(
    ox.NamedNode(str(p))
    for p in (
        DCAT.dataset, DCAT.service, DCAT.catalog, DCAT.record, DCAT.seriesMember, DCAT.inSeries,
        DCAT.first, DCAT.last, DCAT.prev, DCAT.next, DCAT.servesDataset, DCT.hasPart, DCT.isPartOf,
        DCT.relation, DCT.source, DCT.hasVersion, DCT.isVersionOf, DCT.isReferencedBy, DCT.replaces,
        DCT.isReplacedBy, FOAF.primaryTopic, HYDRA.member, HYDRA.view,
    )
)  # fmt: skip
_MAX_NODES = 2000
_MAX_DEPTH = 12


def _is_other_record(quads: Sequence[ox.Quad]) -> bool:
    return any(q.predicate == _RDF_TYPE and q.object in _OTHER_RECORDS for q in quads)


def bounded_description(root: object, describe: Callable[[object], Sequence[ox.Quad]]) -> bytes:
    """The triples of ``root`` and of the nodes it leads to (blank nodes, distributions, agents ...).

    Other catalogued resources (datasets, series, catalogues) are referred to, not copied; a data
    service is copied only where a distribution names it as its access service. Nodes shared by several
    records (a publisher, say) are copied into each, so that every record's raw triples stand alone.
    """
    found: dict[object, Sequence[ox.Quad]] = {root: describe(root)}
    frontier: list[tuple[object, int]] = [(root, 0)]
    while frontier and len(found) < _MAX_NODES:
        node, depth = frontier.pop()
        if depth >= _MAX_DEPTH:
            continue
        for quad in found[node]:
            obj = quad.object
            if isinstance(obj, ox.Literal) or obj in found or quad.predicate in _NOT_FOLLOWED:
                continue
            quads = describe(obj)
            if not quads:
                continue
            if quad.predicate != _ACCESS_SERVICE and _is_other_record(quads):
                continue
            found[obj] = quads
            frontier.append((obj, depth + 1))
    labels = _blank_labels(root, found)

    def show(term: object) -> str:
        return labels.get(term) or str(term)

    lines = {
        f"{show(q.subject)} {q.predicate} {show(q.object)} .\n" for quads in found.values() for q in quads
    }
    return "".join(sorted(lines)).encode("utf-8")


def _blank_labels(root: object, found: dict[object, Sequence[ox.Quad]]) -> dict[object, str]:
    """Label blank nodes ``_:b0``, ``_:b1`` ... in an order given by content, not by the parser's ids."""

    def signature(term: object) -> str:
        if not isinstance(term, ox.BlankNode):
            return str(term)
        parts = sorted(
            f"{q.predicate} {'_' if isinstance(q.object, ox.BlankNode) else q.object}"
            for q in found.get(term, ())
        )
        return "_:" + "|".join(parts)

    labels: dict[object, str] = {}
    queue = [root]
    if isinstance(root, ox.BlankNode):
        labels[root] = "_:b0"
    seen = {root}
    for node in queue:
        children = sorted(
            (
                (str(q.predicate), signature(q.object), q.object)
                for q in found.get(node, ())
                if isinstance(q.object, ox.BlankNode)
            ),
            key=lambda item: (item[0], item[1]),
        )
        for _, _, child in children:
            if child in seen:
                continue
            seen.add(child)
            labels[child] = f"_:b{len(labels)}"
            queue.append(child)
    return labels
