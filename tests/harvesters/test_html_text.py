"""What the Opendatasoft and DCAT-US readers of HTML text share (``harvesters._html_text``)."""

from __future__ import annotations

import pytest

from harvesters._dcatus_text import plain_text
from harvesters._html_text import DROPPED, has_markup, href_of, tidy
from harvesters._ods_html import html_to_text, looks_like_html


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("<p>x</p>", True),
        ("<BR/>", True),
        ("<!-- note -->", True),
        ("a &amp; b", True),
        ("&#233;t&#xE9;", True),
        ("3 < 5 and 6 > 4", False),
        ("R&D", False),
        ("&#\u0661;", False),  # not a character reference: only ASCII digits make one
        ("", False),
    ],
)
def test_markup_is_a_tag_or_a_character_reference(text: str, markup: bool) -> None:
    assert has_markup(text) is markup
    assert looks_like_html(text) is markup, "the Opendatasoft reader asks the same question"


@pytest.mark.parametrize(
    ("attributes", "target"),
    [
        (' href="https://a.example/x?a=1&amp;b=2"', "https://a.example/x?a=1&b=2"),
        (" class='x' HREF='mailto:data@gent.be' ", "mailto:data@gent.be"),
        (" href=https://a.example/x title=y", "https://a.example/x"),
        (" href=foo'bar", "foo'bar"),
        (' href="  "', None),
        (' name="top"', None),
    ],
)
def test_href_of_reads_quoted_and_bare_targets(attributes: str, target: str | None) -> None:
    assert href_of(attributes) == target


def test_tidy_collapses_spaces_and_blank_lines() -> None:
    assert tidy("  a \t\u00a0 b \n\n\n\n  c  \n") == "a b\n\nc"
    assert tidy("\n \n") == ""
    assert tidy("one\ntwo") == "one\ntwo"


def test_both_readers_drop_the_same_elements_whole() -> None:
    for tag in sorted(DROPPED):
        fragment = f"<p>kept</p><{tag}>gone</{tag}><p>too</p>"
        assert html_to_text(fragment) == "kept\n\ntoo", tag
        assert plain_text(fragment) == "kept\n\ntoo", tag
