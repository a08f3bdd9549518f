"""Content negotiation: which representation of a resource a request gets.

A file-name suffix (``.ttl``, ``.jsonld`` ...) wins over ``Accept``. Otherwise ``Accept`` is read as
RFC 9110 says: media ranges with q-values (``q=0`` excludes), wildcards (``*/*``, ``text/*``), and the
most specific range that matches a type decides its q-value. Among the types with the highest q the
server's order of preference (``VARIANTS``) breaks the tie. A missing or empty ``Accept`` means
anything goes; an ``Accept`` nothing offered satisfies gives ``None`` (the caller answers 406).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "VARIANTS",
    "MediaRange",
    "Variant",
    "negotiate",
    "parse_accept",
    "split_suffix",
    "variant_for_suffix",
]


@dataclass(frozen=True, slots=True)
class Variant:
    """One representation the API offers."""

    key: str
    """Short name: ``json``, ``jsonld``, ``turtle``, ``rdfxml``, ``ntriples``, ``html``."""
    media_type: str
    suffix: str
    """File-name suffix that selects it (``""`` when none does)."""
    rdf_format: str | None
    """The RDF writer's format name, None for non-RDF representations."""
    label: str
    """Human name (``Turtle``)."""
    charset: bool = True
    """Whether the Content-Type carries ``charset=utf-8``."""

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


VARIANTS: tuple[Variant, ...] = (
    Variant("jsonld", "application/ld+json", ".jsonld", "jsonld", "JSON-LD", charset=False),
    Variant("turtle", "text/turtle", ".ttl", "turtle", "Turtle"),
    Variant("rdfxml", "application/rdf+xml", ".rdf", "rdfxml", "RDF/XML", charset=False),
    Variant("ntriples", "application/n-triples", ".nt", "ntriples", "N-Triples", charset=False),
    Variant("json", "application/json", ".json", None, "JSON", charset=False),
    Variant("html", "text/html", "", None, "HTML"),
)
"""Everything offered, in the server's order of preference (first wins a tie)."""

_BY_SUFFIX = {v.suffix: v for v in VARIANTS if v.suffix}


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    @property
    def specificity(self) -> int:
        """``*/*`` 0, ``type/*`` 1, ``type/subtype`` 2, with parameters 3."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str) -> bool:
        type_, _, subtype = media_type.partition("/")
        if self.type == "*":
            return True
        return self.type == type_ and self.subtype in ("*", subtype)


def _q(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    return q if 0 <= q <= 1 else None


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed elements are ignored."""
    ranges: list[MediaRange] = []
    for element in header.split(","):
        media, *raw_params = (part.strip() for part in element.split(";"))
        type_, slash, subtype = media.lower().partition("/")
        if not slash or not type_ or not subtype or (type_ == "*" and subtype != "*"):
            continue
        q: float | None = 1.0
        params: list[tuple[str, str]] = []
        for raw in raw_params:
            name, _, value = raw.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                q = _q(value)
                break  # what follows q are accept-extensions, not media type parameters
            if name:
                params.append((name, value))
        if q is not None:
            ranges.append(MediaRange(type_, subtype, q, tuple(params)))
    return ranges


def _quality(ranges: Iterable[MediaRange], media_type: str) -> float:
    best: MediaRange | None = None
    for candidate in ranges:
        if candidate.matches(media_type) and (best is None or candidate.specificity > best.specificity):
            best = candidate
    return best.q if best is not None else 0.0


def negotiate(accept: str | None, offered: Sequence[Variant] = VARIANTS) -> Variant | None:
    """The variant ``accept`` prefers among ``offered``; None when it accepts none of them."""
    if not offered:
        return None
    ranges = parse_accept(accept) if accept and accept.strip() else []
    if not ranges:
        return offered[0]
    best: Variant | None = None
    best_q = 0.0
    for variant in offered:
        q = _quality(ranges, variant.media_type)
        if q > best_q:
            best, best_q = variant, q
    return best


def variant_for_suffix(suffix: str) -> Variant | None:
    """The variant a file-name suffix (``.ttl``) selects."""
    return _BY_SUFFIX.get(suffix.lower())


def split_suffix(name: str) -> tuple[str, Variant | None]:
    """``"abc.ttl"`` -> ``("abc", turtle)``; a name without a known suffix is returned whole."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem:
        variant = variant_for_suffix("." + ext)
        if variant is not None:
            return stem, variant
    return name, None
