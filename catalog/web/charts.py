"""Small charts as inline SVG (no script, no external library): horizontal bars with their labels."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["bar_chart"]

_ROW = 26
_LABEL = 210
_WIDTH = 640


def bar_chart(
    rows: Sequence[tuple[str, int]], *, title: str, href: Sequence[str | None] | None = None
) -> str:
    """A labelled horizontal bar chart of ``(label, count)``; the SVG carries a title and each bar its
    value, so screen readers read the numbers (the same figures are also in a table on the page)."""
    top = max((count for _, count in rows), default=0) or 1
    height = _ROW * max(len(rows), 1) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {_WIDTH} {height}" width="100%" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    span = _WIDTH - _LABEL - 70
    for index, (label, count) in enumerate(rows):
        y = 4 + index * _ROW
        width = max(round(span * count / top), 1 if count else 0)
        text = escape(label if len(label) <= 30 else label[:29] + "…")
        bar = (
            f'<text x="{_LABEL - 8}" y="{y + 16}" text-anchor="end">{text}</text>'
            f'<rect x="{_LABEL}" y="{y + 3}" width="{width}" height="{_ROW - 8}" rx="2"></rect>'
            f'<text x="{_LABEL + width + 6}" y="{y + 16}">{count}</text>'
        )
        link = href[index] if href is not None and index < len(href) else None
        parts.append(f'<a href="{escape(link)}">{bar}</a>' if link else bar)
    parts.append("</svg>")
    return "".join(parts)
