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

_Blank = ox.BlankNode
_Literal = ox.Literal


def _is_other_record(pairs: Pairs) -> bool:
    for predicate, obj in pairs:
        if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode) and obj.value in _OTHER_RECORDS:
            return True
    return False


def bounded_description(root: object, describe: Callable[[object], Pairs]) -> bytes:
    """The triples of ``root`` and of the nodes it leads to (blank nodes, distributions, agents ...).

    Other catalogued resources (datasets, series, catalogues) are referred to, not copied; a data
    service is copied only where a distribution names it as its access service. Nodes shared by several
    records (a publisher, say) are copied into each, so that every record's raw triples stand alone.
    """
    found = _reachable(root, describe)
    # Triples between named nodes are written at once; those with a blank node wait for the labels.
    lines: list[str] = []
    add = lines.append
    with_blank: list[tuple[object, str, object]] = []
    keep = with_blank.append
    for node, pairs in found.items():
        if isinstance(node, _Blank):
            for predicate, obj in pairs:
                keep((node, predicate, obj))
            continue
        subject = str(node)
        for predicate, obj in pairs:
            if isinstance(obj, _Blank):
                keep((node, predicate, obj))
            else:  # !s: str() at once, a third cheaper than format() on a pyoxigraph term
                add(f"{subject} <{predicate}> {obj!s} .\n")
    if with_blank or isinstance(root, _Blank):
        labels = _blank_labels(root, found, with_blank)
        for node, predicate, term in with_blank:
            subject = labels[node] if isinstance(node, _Blank) else str(node)
            shown = labels[term] if isinstance(term, _Blank) else str(term)
            add(f"{subject} <{predicate}> {shown} .\n")
    # A document may repeat a triple; the set drops the copies.
    return "".join(sorted(set(lines))).encode("utf-8")


def _reachable(root: object, describe: Callable[[object], Pairs]) -> dict[object, Pairs]:
    """The nodes of the bounded description and their triples, ``root`` first."""
    found: dict[object, Pairs] = {root: describe(root)}
    frontier: list[tuple[object, int]] = [(root, 0)]
    while frontier and len(found) < _MAX_NODES:
        node, depth = frontier.pop()
        if depth >= _MAX_DEPTH:
            continue
        for predicate, obj in found[node]:
            if isinstance(obj, _Literal) or predicate in _NOT_FOLLOWED:
                continue
            # Most objects (themes, licences, formats) are not described: one lookup tells.
            pairs = describe(obj)
            if not pairs or obj in found:
                continue
            if predicate != _ACCESS_SERVICE and _is_other_record(pairs):
                continue
            found[obj] = pairs
            frontier.append((obj, depth + 1))
    return found


def _blank_labels(
    root: object, found: dict[object, Pairs], with_blank: list[tuple[object, str, object]]
) -> dict[object, str]:
    """Label blank nodes ``_:b0``, ``_:b1`` ... in an order given by content, not by the parser's ids.

    ``with_blank`` holds the triples of ``found`` that have a blank subject or object; every blank
    node of the description is labelled (the root, the subjects and the objects).
    """
    # Blank children of each node, in document order: all a label depends on.
    children: dict[object, list[tuple[str, object]]] = {}
    for node, predicate, obj in with_blank:
        if isinstance(obj, _Blank):
            children.setdefault(node, []).append((predicate, obj))
    if len(children) == 1 and not isinstance(root, _Blank):
        (only,) = children.values()
        if len(only) == 1 or all(obj == only[0][1] for _, obj in only):
            return {only[0][1]: "_:b0"}  # one blank node (a contact point, say): nothing to order
    if not children:
        return {root: "_:b0"} if isinstance(root, _Blank) else {}

    def signature(term: object) -> str:
        if not isinstance(term, _Blank):
            return str(term)
        parts = sorted(f"<{p}> {'_' if isinstance(o, _Blank) else o!s}" for p, o in found.get(term, ()))
        return "_:" + "|".join(parts)

    labels: dict[object, str] = {}
    queue = [root]
    if isinstance(root, _Blank):
        labels[root] = "_:b0"
    seen = {root}

    def walk() -> None:
        for node in queue:
            blank = children.get(node)
            if not blank:
                continue
            ordered = sorted(
                ((f"<{p}>", signature(o), o) for p, o in blank), key=lambda item: (item[0], item[1])
            )
            for _, _, child in ordered:
                if child in seen:
                    continue
                seen.add(child)
                labels[child] = f"_:b{len(labels)}"
                queue.append(child)

    walk()
    # Blank nodes under named nodes (a distribution's checksum, say): label them too, in IRI order.
    queue = sorted((n for n in children if not isinstance(n, _Blank)), key=str)
    walk()
    return labels
