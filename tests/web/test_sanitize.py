"""Portal HTML shown on dataset pages: what may stay, what must go."""

from __future__ import annotations

import pytest

from catalog.web.sanitize import sanitize_html


def test_links_and_simple_markup_stay() -> None:
    html = (
        '<p>Zie <a href="https://data.gent.be/x" onclick="steal()">de bron</a> en <strong>lees</strong></p>'
    )
    assert sanitize_html(html) == (
        '<p>Zie <a href="https://data.gent.be/x" rel="nofollow noopener">de bron</a>'
        " en <strong>lees</strong></p>"
    )


@pytest.mark.parametrize(
    ("hostile", "kept"),
    [
        ("<script>alert(1)</script><p>tekst</p>", "<p>tekst</p>"),
        ('<a href="javascript:alert(1)">klik</a>', "klik"),
        ('<img src=x onerror="alert(1)">beeld', "beeld"),
        ("<style>body{display:none}</style>zichtbaar", "zichtbaar"),
        ('<iframe src="https://evil.example"></iframe>niets', "niets"),
        ("<p>open zonder sluiten", "<p>open zonder sluiten</p>"),
        ("<h1>Titel</h1>", "<h3>Titel</h3>"),
        ("a &lt; b &amp; <b>c</b>", "a &lt; b &amp; <b>c</b>"),
    ],
)
def test_hostile_or_broken_html_is_neutralised(hostile: str, kept: str) -> None:
    assert sanitize_html(hostile) == kept


def test_plain_text_becomes_paragraphs_and_is_escaped() -> None:
    assert sanitize_html("Eerste regel\ntweede\n\nTweede alinea met 3 > 2") == (
        "<p>Eerste regel<br>tweede</p><p>Tweede alinea met 3 &gt; 2</p>"
    )
