"""Portal HTML made safe to show: a short list of harmless tags, links kept (http, https, mailto only).

Descriptions harvested from portals often hold HTML. Everything not on the list is dropped (its text
kept, except inside ``script`` and ``style``, whose content goes too); attributes are dropped but a link's
``href``; links open normally and carry ``rel="nofollow noopener"``. Plain text becomes paragraphs.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

__all__ = ["sanitize_html"]

_ALLOWED = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "a",
    "h3",
    "h4",
}
_VOID = {"br"}
_DROP_CONTENT = {"script", "style", "iframe", "object", "template", "noscript"}
_SCHEMES = ("http://", "https://", "mailto:")
_HEADINGS = {"h1": "h3", "h2": "h3", "h5": "h4", "h6": "h4"}


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = _HEADINGS.get(tag, tag)
        if tag in _DROP_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in _ALLOWED:
            return
        if tag == "a":
            href = next((value for name, value in attrs if name == "href" and value), "")
            href = href.strip()
            if not href.lower().startswith(_SCHEMES):
                self.open.append("")  # the link's text stays, the link goes
                return
            self.out.append(f'<a href="{escape(href)}" rel="nofollow noopener">')
            self.open.append("a")
            return
        self.out.append(f"<{tag}>")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self.dropping:
            self.out.append("<br>")

    def handle_endtag(self, tag: str) -> None:
        tag = _HEADINGS.get(tag, tag)
        if tag in _DROP_CONTENT:
            self.dropping = max(self.dropping - 1, 0)
            return
        if self.dropping or tag not in _ALLOWED or tag in _VOID:
            return
        targets = ("a", "") if tag == "a" else (tag,)
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index] in targets:
                closing = self.open[index:]
                del self.open[index:]
                self.out.extend(f"</{name}>" for name in reversed(closing) if name)
                return

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        self.out.extend(f"</{name}>" for name in reversed(self.open) if name)
        return "".join(self.out).strip()


def sanitize_html(text: str) -> str:
    """Safe HTML for ``text``: portal HTML cleaned, or plain text as paragraphs with line breaks."""
    if "<" not in text:
        paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
        return "".join(f"<p>{escape(part, quote=False).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    cleaner = _Cleaner()
    cleaner.feed(text)
    return cleaner.result()
