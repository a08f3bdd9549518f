"""Rendering a page: the Jinja2 environment, the context every page gets, the language cookie."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from catalog.web.i18n import COOKIE, Translator, language_of

__all__ = ["render", "url_with", "wants_html"]

_ENV = Environment(
    loader=PackageLoader("catalog.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _date(value: date | datetime | None, lang: str = "nl") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d-%m-%Y" if lang == "nl" else "%Y-%m-%d")


def _number(value: int | float, lang: str = "nl") -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text


def _size(value: int | None, lang: str = "nl") -> str:
    if value is None:
        return ""
    size = float(value)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            text = f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            return text.replace(".", ",") if lang == "nl" else text
        size /= 1000
    return str(value)


_ENV.filters["date"] = _date
_ENV.filters["number"] = _number
_ENV.filters["size"] = _size


def url_with(request: Request, **changes: Any) -> str:
    """The current page's URL with query parameters replaced (None removes one; lists repeat it)."""
    params: list[tuple[str, str]] = []
    for key, value in request.query_params.multi_items():
        if key not in changes:
            params.append((key, value))
    for key, value in changes.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        params.extend((key, str(v)) for v in values)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` in the request's language; a ``lang`` query parameter is kept in a cookie."""
    lang = language_of(request)
    t = Translator(lang)
    other = "en" if lang == "nl" else "nl"
    page = _ENV.get_template(template).render(
        request=request,
        lang=lang,
        t=t,
        switch_url=url_with(request, lang=other),
        url_with=lambda **changes: url_with(request, **changes),
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    if request.query_params.get("lang") in ("nl", "en"):
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept, Cookie"
    return response


def wants_html(request: Request, suffix: object | None = None) -> bool:
    """The client asked for a page (a browser): no format suffix and HTML wins the negotiation."""
    from catalog.api.conneg import negotiate

    if suffix:
        return False
    variant = negotiate(request.headers.get("accept"))
    return variant is not None and variant.key == "html"
