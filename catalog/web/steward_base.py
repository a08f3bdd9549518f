"""What the steward's pages share: the route class that turns failures into friendly pages, the
signed-in steward as a dependency, and the scope checks on a source or a job.

``StewardRoute`` catches what a workspace page raises and answers in the site's style: a page that needs
a signed-in steward sends the browser to the sign-in form; a refused CSRF value and a source outside the
token's scope get the 403 page, an unknown source or job the 404 page, anything unexpected the 500 page
(logged with the request id, never a stack trace in the page).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from catalog.api.auth import RATE_BUCKETS
from catalog.auth.ratelimit import RateLimiter
from catalog.db.tables import HarvestJob, Source
from catalog.db.types import as_utc
from catalog.exceptions import NotFound
from catalog.harvest.manage import scope_of
from catalog.web.render import render
from catalog.web.steward_session import CsrfRefused, SignInRequired, Steward, current_steward

__all__ = [
    "StewardDep",
    "StewardRoute",
    "error_page",
    "managed_job",
    "managed_source",
    "page",
    "require_steward",
    "see_other",
    "spend",
]

_log = logging.getLogger(__name__)
_limiter_lock = threading.Lock()


def error_page(
    request: Request, status: int, detail: str | None = None, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """The friendly error page for ``status`` (403, 404, 429, 500 ...) with an optional explanation."""
    kind = {403: "forbidden", 404: "not_found", 429: "busy"}.get(status, "error")
    response = render(request, "error.html", status_code=status, kind=kind, detail=detail)
    response.headers.update(headers or {})
    return response


class StewardRoute(APIRoute):
    """A route whose failures are answered with the site's pages instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def friendly(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = "/steward/login?next=" + quote(request.url.path, safe="/")
                return RedirectResponse(target, status_code=303)
            except CsrfRefused as exc:
                return error_page(request, 403, str(exc))
            except NotFound as exc:
                return error_page(request, 404, str(exc))
            except RequestValidationError:
                return error_page(request, 404)
            except HTTPException as exc:
                return error_page(request, exc.status_code, str(exc.detail), exc.headers)
            except Exception:
                rid = getattr(request.state, "request_id", None)
                _log.exception("steward page %s failed (request %s)", request.url.path, rid)
                return error_page(request, 500)

        return friendly


def require_steward(request: Request) -> Steward:
    """The signed-in steward, or ``SignInRequired``."""
    steward = current_steward(request)
    if steward is None:
        raise SignInRequired()
    return steward


StewardDep = Annotated[Steward, Depends(require_steward)]


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def page(
    request: Request, template: str, steward: Steward, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A workspace page: ``render`` with the steward, the CSRF value every form carries and ``local``
    (a stored time in the catalogue's time zone, ``harvest.timezone``)."""
    zone = _zone(request.app.state.settings.harvest.timezone)

    def local(moment: datetime) -> datetime:
        return as_utc(moment).astimezone(zone)

    response = render(
        request,
        template,
        status_code=status_code,
        steward=steward,
        csrf=steward.csrf,
        local=local,
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def see_other(url: str) -> RedirectResponse:
    """After a successful POST: 303 to the page that shows its outcome."""
    return RedirectResponse(url, status_code=303)


def spend(request: Request, steward: Steward, bucket: str) -> None:
    """Spend one action of the token's ``bucket`` ("write" or "test"), shared with the API's limit
    (``server.write_rate_per_minute``, ``server.test_rate_per_minute``); 429 when it is empty."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "rate_limiter", None)
    if limiter is None:
        with _limiter_lock:
            limiter = getattr(state, "rate_limiter", None)
            if limiter is None:
                limiter = state.rate_limiter = RateLimiter()
    rate = RATE_BUCKETS[bucket](state.settings)
    wait = limiter.take((bucket, f"token:{steward.principal.token_id}"), rate_per_minute=rate)
    if wait > 0:
        seconds = RateLimiter.retry_after(wait)
        raise HTTPException(
            429,
            f"at most {rate} a minute; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


def managed_source(session: Session, source_id: int, steward: Steward) -> Source:
    """The source, when the steward manages it: 404 when there is none, 403 outside the token's scope."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source {source_id}")
    if not scope_of(session, source).managed_by(steward.principal):
        raise HTTPException(403, f"your token does not manage source {source_id}")
    return source


def managed_job(session: Session, job_id: int, steward: Steward) -> tuple[HarvestJob, Source]:
    """The job and its source, when the steward manages the source (404 / 403 otherwise)."""
    job = session.get(HarvestJob, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job, managed_source(session, job.source_id, steward)
