"""A tiny deterministic Turtle writer: subject blocks with nested blank nodes, in the order given.

Just enough to write readable, stable Turtle from plain data, without building an rdflib graph (whose
serialisation order and blank-node labels change between runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["Block", "Node", "date", "iri", "lit", "render"]

_WIDTH = 110
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def iri(value: str) -> str:
    """``<value>``; refuses characters that Turtle does not allow in an IRI."""
    if any(c in value for c in ' <>"{}|\\^`\n\r\t'):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A quoted literal with a language tag or a datatype (a prefixed name or ``<iri>``)."""
    body = "".join(_ESCAPES.get(c, c) for c in text)
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^{datatype}'
    return f'"{body}"'


def date(value: str) -> str:
    """An ``xsd:date`` literal from ``YYYY-MM-DD``."""
    return lit(value, datatype="xsd:date")


class Node:
    """An anonymous node ``[ p o ; ... ]`` nested in a block."""

    def __init__(self, *pairs: tuple[str, str | Node | Sequence[str | Node]]) -> None:
        self.pairs = [p for p in pairs if _objects(p[1])]


Object = str | Node


def _objects(value: Object | Sequence[Object] | None) -> list[Object]:
    if value is None:
        return []
    if isinstance(value, str | Node):
        return [value]
    return list(value)


class Block:
    """One subject and its predicate/object pairs, rendered in the order added."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.pairs: list[tuple[str, list[Object]]] = []

    def add(self, predicate: str, value: Object | Sequence[Object] | None) -> Block:
        """Add ``predicate value`` (or several values); None and empty lists are left out."""
        objects = _objects(value)
        if objects:
            self.pairs.append((predicate, objects))
        return self


def _render_object(obj: Object, indent: int) -> str:
    if isinstance(obj, str):
        return obj
    pad = " " * (indent + 4)
    inner = f" ;\n{pad}".join(_render_pair(p, _objects(v), indent + 4) for p, v in obj.pairs)
    return f"[\n{pad}{inner}\n{' ' * indent}]"


def _render_pair(predicate: str, objects: list[Object], indent: int) -> str:
    rendered = [_render_object(o, indent) for o in objects]
    line = f"{predicate} {', '.join(rendered)}"
    if len(line) + indent <= _WIDTH or len(rendered) == 1:
        return line
    pad = " " * (indent + 4)
    return f"{predicate}\n{pad}" + f",\n{pad}".join(rendered)


def _render_block(block: Block) -> str:
    lines = [_render_pair(p, objects, 4) for p, objects in block.pairs]
    return f"{block.subject}\n    " + " ;\n    ".join(lines) + " .\n"


def render(prefixes: dict[str, str], blocks: Iterable[Block], header: str = "") -> str:
    """A whole Turtle document: an optional ``#`` comment header, the prefixes, then the blocks."""
    parts = [f"# {line}".rstrip() + "\n" for line in header.splitlines()]
    if parts:
        parts.append("\n")
    parts.extend(f"@prefix {name}: <{ns}> .\n" for name, ns in prefixes.items())
    for block in blocks:
        parts.append("\n")
        parts.append(_render_block(block))
    return "".join(parts)
