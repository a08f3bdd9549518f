"""A record's own triples (its bounded description) as sorted N-Triples with stable blank-node labels."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from catalog.rdf._parse_index import CATALOG_CLASS, RDF_TYPE, RECORD_CLASSES, Pairs

__all__ = ["bounded_description"]

_D = "http://www.w3.org/ns/dcat#"
_T = "http://purl.org/dc/terms/"
_OTHER_RECORDS = frozenset({*RECORD_CLASSES, CATALOG_CLASS, _D + "CatalogRecord"})
_ACCESS_SERVICE = _D + "accessService"
_NOT_FOLLOWED = frozenset(
    [_D + name for name in (
        "dataset", "service", "catalog", "record", "seriesMember", "inSeries", "first", "last", "prev",
        "next", "servesDataset",
    )]
    + [_T + name for name in (
        "hasPart", "isPartOf", "relation", "source", "hasVersion", "isVersionOf", "isReferencedBy",
        "replaces", "isReplacedBy",
    )]
    + ["http://xmlns.com/foaf/0.1/primaryTopic", "http://www.w3.org/ns/hydra/core#member",
       "http://www.w3.org/ns/hydra/core#view"]
)  # fmt: skip
_MAX_NODES = 2000
_MAX_DEPTH = 12


def _is_other_record(pairs: Pairs) -> bool:
    return any(p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value in _OTHER_RECORDS for p, o in pairs)


def bounded_description(root: object, describe: Callable[[object], Pairs]) -> bytes:
    """The triples of ``root`` and of the nodes it leads to (blank nodes, distributions, agents ...).

    Other catalogued resources (datasets, series, catalogues) are referred to, not copied; a data
    service is copied only where a distribution names it as its access service. Nodes shared by several
    records (a publisher, say) are copied into each, so that every record's raw triples stand alone.
    """
    found: dict[object, Pairs] = {root: describe(root)}
    frontier: list[tuple[object, int]] = [(root, 0)]
    has_blank = isinstance(root, ox.BlankNode)
    literal, blank = ox.Literal, ox.BlankNode
    while frontier and len(found) < _MAX_NODES:
        node, depth = frontier.pop()
        if depth >= _MAX_DEPTH:
            continue
        for predicate, obj in found[node]:
            if isinstance(obj, literal) or obj in found or predicate in _NOT_FOLLOWED:
                continue
            pairs = describe(obj)
            if not pairs:
                continue
            if predicate != _ACCESS_SERVICE and _is_other_record(pairs):
                continue
            found[obj] = pairs
            frontier.append((obj, depth + 1))
            if isinstance(obj, blank):
                has_blank = True
    if not has_blank:
        for pairs in found.values():
            if any(isinstance(obj, blank) for _, obj in pairs):
                has_blank = True
                break
    labels = _blank_labels(root, found) if has_blank else {}
    lines: set[str] = set()
    add = lines.add
    for node, pairs in found.items():
        subject = labels.get(node) or str(node)
        for predicate, obj in pairs:
            shown = (labels.get(obj) or str(obj)) if isinstance(obj, blank) else str(obj)
            add(f"{subject} <{predicate}> {shown} .\n")
    return "".join(sorted(lines)).encode("utf-8")


def _blank_labels(root: object, found: dict[object, Pairs]) -> dict[object, str]:
    """Label blank nodes ``_:b0``, ``_:b1`` ... in an order given by content, not by the parser's ids."""

    def signature(term: object) -> str:
        if not isinstance(term, ox.BlankNode):
            return str(term)
        parts = sorted(f"<{p}> {'_' if isinstance(o, ox.BlankNode) else o}" for p, o in found.get(term, ()))
        return "_:" + "|".join(parts)

    labels: dict[object, str] = {}
    queue = [root]
    if isinstance(root, ox.BlankNode):
        labels[root] = "_:b0"
    seen = {root}

    def walk() -> None:
        for node in queue:
            children = sorted(
                ((f"<{p}>", signature(o), o) for p, o in found.get(node, ()) if isinstance(o, ox.BlankNode)),
                key=lambda item: (item[0], item[1]),
            )
            for _, _, child in children:
                if child in seen:
                    continue
                seen.add(child)
                labels[child] = f"_:b{len(labels)}"
                queue.append(child)

    walk()
    # Blank nodes under named nodes (a distribution's checksum, say): label them too, in IRI order.
    queue = sorted((n for n in found if not isinstance(n, ox.BlankNode)), key=str)
    walk()
    return labels
