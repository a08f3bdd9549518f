"""Content negotiation: Accept header -> representation, and suffixes."""

from __future__ import annotations

import pytest

from catalog.api.conneg import VARIANTS, negotiate, parse_accept, split_suffix

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

TABLE = [
    # (Accept, chosen media type or None for 406)
    (None, "application/ld+json"),
    ("", "application/ld+json"),
    ("*/*", "application/ld+json"),
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    ("application/json", "application/json"),
    ("text/html", "text/html"),
    (BROWSER, "text/html"),
    ("TEXT/Turtle", "text/turtle"),
    ("text/*", "text/turtle"),  # tie between text/turtle and text/html: server order
    ("text/*;q=0.5, text/html", "text/html"),
    ("application/*", "application/ld+json"),
    ("text/turtle;q=0.4, application/rdf+xml;q=0.9", "application/rdf+xml"),
    ("text/turtle, application/rdf+xml", "text/turtle"),  # tie: server order
    ("application/n-triples, text/turtle", "text/turtle"),
    ("*/*;q=0.1, application/n-triples", "application/n-triples"),
    ("text/turtle;q=0, */*", "application/ld+json"),
    ("application/ld+json;q=0, */*", "text/turtle"),
    ("*/*;q=0, text/turtle", "text/turtle"),
    ("*/*;q=0", None),
    ("image/png", None),
    ("application/xml", None),
    ("text/csv, image/*", None),
    ("text/turtle;q=0", None),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
    ("text/turtle;q=0.8;foo=bar, application/ld+json;q=0.7", "text/turtle"),
    ("garbage", "application/ld+json"),  # nothing readable: as if no Accept was sent
    ("text/turtle;q=abc, application/rdf+xml", "application/rdf+xml"),  # bad q: element ignored
    ("text/turtle;q=2, application/rdf+xml", "application/rdf+xml"),
]


@pytest.mark.parametrize(("accept", "expected"), TABLE)
def test_negotiation_table(accept: str | None, expected: str | None) -> None:
    chosen = negotiate(accept)
    assert (chosen.media_type if chosen else None) == expected


def test_most_specific_range_decides_the_quality() -> None:
    # text/turtle is excluded by its own range although text/* would accept it
    assert negotiate("text/*;q=0.9, text/turtle;q=0").media_type == "text/html"  # type: ignore[union-attr]


def test_only_offered_variants_are_chosen() -> None:
    rdf_only = [v for v in VARIANTS if v.rdf_format]
    assert negotiate("text/html", rdf_only) is None
    assert negotiate(BROWSER, rdf_only).media_type == "application/ld+json"  # type: ignore[union-attr]


def test_parse_accept_reads_q_and_params() -> None:
    ranges = parse_accept('text/turtle;charset="utf-8";q=0.5, */*')
    assert [(r.type, r.subtype, r.q, r.params) for r in ranges] == [
        ("text", "turtle", 0.5, (("charset", "utf-8"),)),
        ("*", "*", 1.0, ()),
    ]
    assert parse_accept("*/turtle, /, text/") == []


@pytest.mark.parametrize(
    ("name", "stem", "media_type"),
    [
        ("abc.ttl", "abc", "text/turtle"),
        ("abc.jsonld", "abc", "application/ld+json"),
        ("abc.json", "abc", "application/json"),
        ("abc.rdf", "abc", "application/rdf+xml"),
        ("abc.nt", "abc", "application/n-triples"),
        ("abc.TTL", "abc", "text/turtle"),
        ("abc", "abc", None),
        ("abc.html", "abc.html", None),
        (".ttl", ".ttl", None),
    ],
)
def test_suffixes(name: str, stem: str, media_type: str | None) -> None:
    got_stem, variant = split_suffix(name)
    assert got_stem == stem
    assert (variant.media_type if variant else None) == media_type
