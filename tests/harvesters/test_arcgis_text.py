"""HTML in DCAT-US text fields cleaned to readable text, links kept."""

from __future__ import annotations

import pytest

from harvesters._dcatus_text import has_markup, plain_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (
            '<DIV STYLE="text-align:Left;"><DIV><P><SPAN>Ligging van de <B>stallingen</B></SPAN></P></DIV>',
            "Ligging van de stallingen",
        ),
        (
            '<p>Zie <a href="https://www.stad.example/parkeren" target="_blank">parkeren</a>.</p>',
            "Zie parkeren (https://www.stad.example/parkeren).",
        ),
        ('<a href="https://www.stad.example/">https://www.stad.example</a>', "https://www.stad.example"),
        ('<a href="https://www.stad.example/doc"></a>', "https://www.stad.example/doc"),
        ("<a href='https://q.example/?a=1&amp;b=2'>q</a>", "q (https://q.example/?a=1&b=2)"),
        (
            'Mail <a href="mailto:data@stad.example?subject=x">de dienst</a>',
            "Mail de dienst (data@stad.example)",
        ),
        ("<ul><li>bomen<li>struiken &amp; hagen</ul>", "- bomen\n- struiken & hagen"),
        ("regel 1<br>regel 2<br/>regel 3", "regel 1\nregel 2\nregel 3"),
        ("<p>een</p>\n\n\n<p>twee</p>", "een\n\ntwee"),
        ("<script>alert('x')</script><style>p {}</style><!-- opmerking -->Tekst", "Tekst"),
        ("<b>3</b> < 5 &copy; stad", "3 < 5 © stad"),
        ("gewone tekst met 3 < 5 ", "gewone tekst met 3 < 5"),
        ("<div>  </div>", ""),
    ],
)
def test_plain_text(html: str, text: str) -> None:
    assert plain_text(html) == text


def test_markup_is_told_from_plain_text() -> None:
    assert has_markup("<p>x</p>") and has_markup("a &amp; b")
    assert not has_markup("3 < 5 and 6 > 4") and not has_markup("R&D")
