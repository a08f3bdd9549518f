"""HTML text fields as plain text, links kept.

Opendatasoft portals store descriptions (and sometimes titles or keywords) as HTML written in a rich-text
editor: paragraphs, lists, ``<br>``, links with inline styles. The catalogue keeps plain text: block
elements become line breaks, list items ``- `` lines, and a link keeps its target next to its words
(``Locatie (https://...)``), or the target alone when the words are the target. Scripts and styles are
dropped whole; only http(s) and mailto targets are kept. Character references are decoded.

Tags are found by one regular expression rather than ``html.parser`` (four times faster on portal
descriptions); text that only looks like markup (``a < b``) is left as it is.
"""

from __future__ import annotations

import html
import re

from harvesters._html_text import DROPPED, has_markup, href_of, tidy

__all__ = ["html_to_text", "link_targets", "looks_like_html"]

_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<![^>]*>|<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.DOTALL
)
_BLOCK = frozenset(
    {"div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "hr", "pre", "section", "article", "header",
     "footer", "dl", "dt", "dd"}
)  # fmt: skip
_PARAGRAPH = frozenset({"p", "ul", "ol", "table", "blockquote"})
_KEPT_SCHEMES = ("http://", "https://", "mailto:")


looks_like_html = has_markup
"""True when ``text`` holds a tag or a character reference."""


def _href(attributes: str) -> str | None:
    """The link target of an ``<a>`` tag's attributes, when it is one the catalogue keeps."""
    target = href_of(attributes)
    return target if target is not None and target.lower().startswith(_KEPT_SCHEMES) else None


def _walk(text: str, *, keep_links: bool) -> tuple[list[str], list[str]]:
    """The text parts of ``text`` (with line-break marks) and the kept link targets."""
    parts: list[str] = []
    targets: list[str] = []
    links: list[tuple[str | None, int]] = []  # open <a>: kept target, where its words start in parts
    dropped = 0
    position = 0
    for match in _TOKEN.finditer(text):
        if not dropped and match.start() > position:
            parts.append(html.unescape(text[position : match.start()]))
        position = match.end()
        closing, name, attributes = match.group(1, 2, 3)
        if name is None:  # a comment or a declaration
            continue
        tag = name.lower()
        if tag in DROPPED:
            dropped = max(0, dropped - 1) if closing else dropped + (not attributes.endswith("/"))
        elif dropped:
            continue
        elif tag == "a" and not closing:
            links.append((_href(attributes), len(parts)))
        elif tag == "a":
            if not links:
                continue
            href, start = links.pop()
            if href is None:
                continue
            targets.append(href)
            if not keep_links:
                continue
            shown = href[7:] if href.lower().startswith("mailto:") else href
            words = " ".join("".join(parts[start:]).split())
            if not words:
                parts.append(shown)
            elif words.rstrip("/") != shown.rstrip("/"):
                parts.append(f" ({shown})")
        elif tag == "li":
            if not closing:
                parts.append("\n- ")
        elif tag in _PARAGRAPH:
            parts.append("\n\n")
        elif tag in _BLOCK:
            parts.append("\n")
    if not dropped and position < len(text):
        parts.append(html.unescape(text[position:]))
    return parts, targets


def html_to_text(text: str, *, keep_links: bool = True) -> str:
    """``text`` without markup (see the module docstring); text without markup is only stripped.

    With ``keep_links=False`` a link leaves only its words (for values looked up by name, like a licence).
    """
    if not looks_like_html(text):
        return text.strip()
    parts, _ = _walk(text, keep_links=keep_links)
    return tidy("".join(parts))


def link_targets(text: str) -> list[str]:
    """The http(s) and mailto targets of the links in ``text``."""
    return _walk(text, keep_links=False)[1] if looks_like_html(text) else []
