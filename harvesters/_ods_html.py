"""HTML text fields as plain text, links kept.

Opendatasoft portals store descriptions (and sometimes titles or keywords) as HTML written in a rich-text
editor: paragraphs, lists, ``<br>``, links with inline styles. The catalogue keeps plain text: block
elements become line breaks, list items ``- `` lines, and a link keeps its target next to its words
(``Locatie (https://...)``), or the target alone when the words are the target. Scripts and styles are
dropped whole; only http(s) and mailto targets are kept.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "link_targets", "looks_like_html"]

_MARKUP = re.compile(r"<[A-Za-z/!][^>]*>|&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);")
_BLOCK = frozenset(
    {"p", "div", "br", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote",
     "pre", "hr", "section", "article", "header", "footer", "dl", "dt", "dd"}
)  # fmt: skip
_DROPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_KEPT_SCHEMES = ("http://", "https://", "mailto:")


def looks_like_html(text: str) -> bool:
    """True when ``text`` holds a tag or a character reference."""
    return _MARKUP.search(text) is not None


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment, with line breaks for blocks and link targets kept."""

    def __init__(self, *, keep_links: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_links = keep_links
        self.targets: list[str] = []
        """Every kept link target, in order."""
        self.parts: list[str] = []
        self._dropped = 0
        self._links: list[tuple[str | None, int]] = []
        """Open ``<a>`` elements: their kept target and where their text starts in ``parts``."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropped += 1
        elif tag == "a":
            href = next((value for name, value in attrs if name == "href" and value), None)
            href = href.strip() if href else None
            kept = href if href and href.lower().startswith(_KEPT_SCHEMES) else None
            self._links.append((kept, len(self.parts)))
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "p":
            self.parts.append("\n\n")
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropped = max(0, self._dropped - 1)
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            if href is None:
                return
            self.targets.append(href)
            if not self.keep_links:
                return
            words = " ".join("".join(self.parts[start:]).split())
            target = href.removeprefix("mailto:") if href.lower().startswith("mailto:") else href
            if not words:
                self.parts.append(target)
            elif words.rstrip("/") != target.rstrip("/"):
                self.parts.append(f" ({target})")
        elif tag in ("p", "ul", "ol", "table", "blockquote"):
            self.parts.append("\n\n")
        elif tag in _BLOCK and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._dropped:
            self.parts.append(data)


def _collect(text: str, *, keep_links: bool) -> _TextCollector:
    collector = _TextCollector(keep_links=keep_links)
    collector.feed(text)
    collector.close()
    return collector


def html_to_text(text: str, *, keep_links: bool = True) -> str:
    """``text`` without markup (see the module docstring); text without markup is only stripped.

    With ``keep_links=False`` a link leaves only its words (for values looked up by name, like a licence).
    """
    if not looks_like_html(text):
        return text.strip()
    collector = _collect(text, keep_links=keep_links)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(collector.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def link_targets(text: str) -> list[str]:
    """The http(s) and mailto targets of the links in ``text``."""
    return _collect(text, keep_links=False).targets if looks_like_html(text) else []
