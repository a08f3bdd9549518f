"""What the two readers of HTML text fields share: ``_ods_html`` (Opendatasoft), ``_dcatus_text`` (DCAT-US).

Both read a fragment with one tokenizing regular expression and keep their own rules for what a tag
becomes (which elements break a line or a paragraph, which links are kept and how a link is shown), so
each portal's records read as before. Shared here: whether a text holds markup at all, the target of a
tag's ``href``, the elements dropped with their content, and the final tidying of spaces and lines.
"""

from __future__ import annotations

import html
import re

__all__ = ["DROPPED", "has_markup", "href_of", "tidy"]

_MARKUP = re.compile(r"<[A-Za-z/!][^>]*>|&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);")
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
"""An unquoted value runs to a space or ``>``, quotes included, as browsers read it."""
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")

DROPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})
"""Elements whose content is no text for a reader: dropped whole."""


def has_markup(text: str) -> bool:
    """True when ``text`` holds a tag or a character reference (``a < b`` and ``R&D`` do not)."""
    return _MARKUP.search(text) is not None


def href_of(attributes: str) -> str | None:
    """The target in a tag's attributes (``href="..."``, ``'...'`` or bare), references decoded; None when
    there is none or it is empty."""
    match = _HREF.search(attributes)
    if match is None:
        return None
    target = html.unescape(next(g for g in match.groups() if g is not None)).strip()
    return target or None


def tidy(text: str) -> str:
    """Runs of spaces made one, each line trimmed, at most one blank line in a row, the whole trimmed."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
