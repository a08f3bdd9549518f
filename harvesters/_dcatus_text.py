"""Plain text from the HTML that DCAT-US feeds put in their text fields.

ArcGIS Hub copies an item's rich-text description (and often its licence text) into ``data.json`` as HTML
(``<DIV STYLE=...><P><SPAN>...``); Socrata and others send Markdown or plain text. :func:`plain_text`
turns either into readable text: block elements and ``<br>`` become line breaks, list items start with
"- ", entities are decoded, comments, scripts and styles are dropped, and a link keeps its target as
``text (url)`` (just ``url`` when the text is the URL itself; ``text (address)`` for a ``mailto:`` link).
Text without markup is only trimmed.

The fragment is read by one tokenizing regular expression (tags, comments, text), not by
``html.parser``: the fields are short fragments, and this is about three times faster on them. A ``<``
that does not open a tag is kept as text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from harvesters._html_text import DROPPED, has_markup, href_of, tidy

__all__ = ["has_markup", "plain_text"]

_TOKEN = re.compile(
    r"<!--.*?(?:-->|$)"  # a comment (to the end when it is not closed)
    r"|<(/?)([A-Za-z][A-Za-z0-9]*)((?:\"[^\"]*\"|'[^']*'|[^'\">])*)>"  # a start, end or empty tag
    r"|<[!?][^>]*>"  # a doctype or processing instruction
    r"|([^<]+|<)",  # text (a lone "<" included)
    re.DOTALL,
)
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol", "dl", "dt", "dd",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "address", "figure",
    }
)  # fmt: skip


def _link_text(href: str | None, label: str) -> str:
    """What follows a link's text: ``(url)``, the URL itself for an empty text, or nothing."""
    if not href or href.startswith(("#", "javascript:")):
        return ""
    if href.lower().startswith("mailto:"):
        address = href[7:].split("?", 1)[0]
        if not address or address in label:
            return ""
        return f" ({address})" if label else address
    if not label:
        return href
    return "" if label.rstrip("/") == href.rstrip("/") else f" ({href})"


def _text_of(fragment: str) -> str:
    parts: list[str] = []
    links: list[tuple[str | None, int]] = []
    """Open ``<a>`` elements: their href and where their text starts in ``parts``."""
    dropped: str | None = None
    for match in _TOKEN.finditer(fragment):
        closing, tag, attributes, text = match.groups()
        if dropped is not None:
            if closing and tag.lower() == dropped:
                dropped = None
            continue
        if text is not None:
            parts.append(html.unescape(text))
            continue
        if tag is None:  # a comment, doctype or processing instruction
            continue
        name = tag.lower()
        if name in DROPPED and not closing:
            dropped = None if attributes.rstrip().endswith("/") else name
        elif name == "br":
            parts.append("\n")
        elif name == "li":
            parts.append("" if closing else "\n- ")
        elif name in _BLOCKS:
            parts.append("\n\n")
        elif name == "a" and not closing:
            links.append((href_of(attributes), len(parts)))
        elif name == "a" and links:
            href, start = links.pop()
            parts.append(_link_text(href, " ".join("".join(parts[start:]).split())))
    return "".join(parts)


@lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """``text`` without HTML markup (see the module docstring); trimmed; "" for markup only."""
    if not has_markup(text):
        return text.strip()
    return tidy(_text_of(text))
