"""Plain text from the HTML that DCAT-US feeds put in their text fields.

ArcGIS Hub copies an item's rich-text description (and often its licence text) into ``data.json`` as HTML
(``<DIV STYLE=...><P><SPAN>...``); Socrata and others send Markdown or plain text. :func:`plain_text`
turns either into readable text: block elements and ``<br>`` become line breaks, list items start with
"- ", entities are decoded, scripts and styles are dropped, and a link keeps its target as
``text (url)`` (just ``url`` when the text is the URL itself). Text without markup is only trimmed.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

__all__ = ["has_markup", "plain_text"]

_MARKUP = re.compile(r"<[A-Za-z!/][^>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol", "dl", "dt", "dd",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "address", "figure", "li",
    }
)  # fmt: skip
_DROPPED = frozenset({"script", "style", "head", "title", "noscript", "template"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


def has_markup(text: str) -> bool:
    """True when ``text`` holds an HTML tag or entity."""
    return _MARKUP.search(text) is not None


class _TextParser(HTMLParser):
    """Collects the text of an HTML fragment, with line breaks for blocks and ``(url)`` after links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropped = 0
        self._links: list[tuple[str | None, int]] = []
        """Open ``<a>`` elements: their href and where their text starts in ``parts``."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropped += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), None)
            self._links.append((href.strip() if href else None, len(self.parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropped = max(0, self._dropped - 1)
        elif tag in _BLOCKS and tag != "li":
            self.parts.append("\n\n")
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            if href and not href.startswith(("#", "javascript:", "mailto:")):
                label = " ".join("".join(self.parts[start:]).split())
                if not label:
                    self.parts.append(href)
                elif label.rstrip("/") != href.rstrip("/"):
                    self.parts.append(f" ({href})")
            elif href and href.startswith("mailto:"):
                label = " ".join("".join(self.parts[start:]).split())
                address = href[7:].split("?", 1)[0]
                if address and address not in label:
                    self.parts.append(f" ({address})" if label else address)

    def handle_data(self, data: str) -> None:
        if not self._dropped:
            self.parts.append(data)


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", joined).strip()


@lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """``text`` without HTML markup (see the module docstring); trimmed; "" for markup only."""
    if not has_markup(text):
        return text.strip()
    parser = _TextParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # a malformed fragment the parser gives up on
        return _tidy(html.unescape(re.sub(r"<[^>]*>", " ", text)))
    return _tidy("".join(parser.parts))
