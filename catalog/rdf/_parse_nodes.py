"""Reading one resource's properties: a node's triples as ``{predicate: [objects]}`` and helpers.

:class:`NodeReader` holds the problems found while reading one record and builds model objects
field by field, dropping (with a problem) any field the model refuses instead of losing the record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pyoxigraph as ox
from pydantic import BaseModel, ValidationError

from catalog.rdf import _normalise as norm
from catalog.rdf._parse_index import Pairs
from catalog.rdf._parse_values import parse_date, term_text

__all__ = ["Describe", "NodeReader", "Problem", "Props"]

Props = dict[str, list[Any]]
Describe = Callable[[object], Pairs]
"""A node's triples as ``(predicate IRI, object)`` pairs (see :mod:`catalog.rdf._parse_index`)."""
M = TypeVar("M", bound=BaseModel)

_LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
    "http://www.w3.org/2004/02/skos/core#notation",
    "http://purl.org/dc/terms/identifier",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#value",
)


@dataclass(frozen=True)
class Problem:
    """Something a feed said that could not be kept: where (a field path), why, and the value."""

    path: str
    message: str
    value: str | None = None


class NodeReader:
    """Reads nodes of one record through ``describe`` and collects the record's problems."""

    __slots__ = ("_cache", "deferred", "describe", "problems")

    def __init__(self, describe: Describe, *, deferred: bool = False) -> None:
        self.describe = describe
        self.problems: list[Problem] = []
        self.deferred = deferred
        """When set, :meth:`build` returns the fields unvalidated, for one validation of the record."""
        self._cache: dict[object, Props] = {}

    def props(self, node: object) -> Props:
        """The node's properties; a literal has none."""
        pairs = self.describe(node)
        if not pairs:  # an IRI the feed does not describe (a theme, a format): nothing to keep
            return {}
        found = self._cache.get(node)
        if found is None:
            found = {}
            for predicate, obj in pairs:
                values = found.get(predicate)
                if values is None:
                    found[predicate] = [obj]
                else:
                    values.append(obj)
            self._cache[node] = found
        return found

    def problem(self, path: str, message: str, value: object = None) -> None:
        text = None if value is None else (value if isinstance(value, str) else str(value))
        self.problems.append(Problem(path, message, text))

    # -- values ----------------------------------------------------------------------------

    def label(self, node: object) -> str:
        """A literal's text, an IRI, or a node's first label (skos:prefLabel, rdfs:label ...)."""
        if isinstance(node, ox.Literal):
            return node.value.strip()
        props = self.props(node)
        if props:  # most IRIs (a format, a theme) are not described in the feed
            for predicate in _LABELS:
                for value in props.get(predicate, ()):
                    if isinstance(value, ox.Literal):
                        text = value.value.strip()
                        if text:
                            return text
        return node.value if isinstance(node, ox.NamedNode) else ""

    def iri(self, node: object, path: str) -> str | None:
        """An absolute IRI (a blank node or literal that holds one is accepted), else a problem."""
        if isinstance(node, ox.NamedNode):
            value = node.value
            if norm.is_iri(value):
                return value
        elif isinstance(node, ox.Literal):
            text = node.value.strip()
            if norm.is_iri(text):
                return text
        elif isinstance(node, ox.BlankNode):
            return None
        self.problem(path, "not an absolute IRI", term_text(node))
        return None

    def iris(self, props: Props, predicate: str, path: str) -> list[str]:
        out = []
        for value in props.get(predicate, ()):
            if isinstance(value, ox.BlankNode):
                continue
            found = self.iri(value, path)
            if found:
                out.append(found)
        return out

    def mapped(self, node: object, lookup: Callable[[str], str | None], path: str) -> str | None:
        """A controlled value: map a literal, a variant IRI or a node's label to its canonical IRI.

        An unmapped absolute IRI is kept as it is; anything else is dropped with a problem.
        """
        if isinstance(node, ox.NamedNode):
            value = node.value
            found = lookup(value)
            if found:
                return found
            if norm.is_iri(value):
                return value
            label = self.label(node)
        else:
            label = self.label(node)
            if label:
                found = lookup(label)
                if found:
                    return found
                if norm.is_iri(label):
                    return label
        if label:
            self.problem(path, "unknown value, not an IRI", label)
        else:
            self.problem(path, "no IRI and no label")
        return None

    def mapped_all(
        self, props: Props, predicate: str, lookup: Callable[[str], str | None], path: str
    ) -> list[str]:
        out = []
        for value in props.get(predicate, ()):
            found = self.mapped(value, lookup, path)
            if found:
                out.append(found)
        return out

    def mapped_one(
        self, props: Props, predicates: Sequence[str], lookup: Callable[[str], str | None], path: str
    ) -> str | None:
        for predicate in predicates:
            found = self.mapped_all(props, predicate, lookup, path)
            if found:
                return min(found)
        return None

    def text(self, props: Props, *predicates: str) -> dict[str, str]:
        """Multilingual text: one value per language tag (the smallest, when a feed gives several)."""
        out: dict[str, str] = {}
        for predicate in predicates:
            for value in props.get(predicate, ()):
                if isinstance(value, ox.Literal):
                    text = value.value.strip()
                    if not text:
                        continue
                    tag = (value.language or "").lower()
                    if tag not in out or text < out[tag]:
                        out[tag] = text
                elif not isinstance(value, ox.Literal):
                    label = self.label(value)
                    if label and not isinstance(value, ox.NamedNode) and "" not in out:
                        out[""] = label
            if out:
                break
        return out

    def plain(self, props: Props, *predicates: str) -> str | None:
        """A single plain string (the smallest, when a feed gives several)."""
        for predicate in predicates:
            found = props.get(predicate)
            if found:
                values = [text for text in map(self.label, found) if text]
                if values:
                    return min(values)
        return None

    def date(self, props: Props, predicates: Sequence[str], path: str) -> Any:
        for predicate in predicates:
            for value in props.get(predicate, ()):
                text = term_text(value)
                found = parse_date(text)
                if found is not None:
                    return found
                self.problem(path, "not a date", text)
        return None

    # -- models ----------------------------------------------------------------------------

    def build(self, cls: type[M], path: str, fields: dict[str, Any]) -> M | None:
        """Build ``cls``; a field the model refuses is dropped with a problem and the rest kept.

        A deferred reader returns ``fields`` as they are, for the record's single validation.
        """
        if self.deferred:
            return fields  # type: ignore[return-value]
        for _ in range(len(fields) + 1):
            try:
                return cls(**fields)
            except ValidationError as exc:
                dropped = False
                for err in exc.errors():
                    loc = err.get("loc") or ()
                    name = loc[0] if loc else None
                    if isinstance(name, str) and name in fields:
                        where = ".".join(str(p) for p in loc)
                        self.problem(f"{path}{where}", err.get("msg", "invalid"), _short(fields[name]))
                        del fields[name]
                        dropped = True
                if not dropped:
                    message = "; ".join(e.get("msg", "invalid") for e in exc.errors())
                    self.problem(path.rstrip(".") or "record", message)
                    return None
        return None


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."
