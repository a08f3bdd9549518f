"""Web pages for people: server-rendered HTML (Jinja2), Dutch by default, English by a switch.

No framework build chain, no external CDN: the templates (``templates/``) and one stylesheet
(``static/``) ship with the package. Modules: ``pages`` (home, search, municipalities, provinces,
statistics), ``dataset`` (the dataset page and its schema.org JSON-LD, served at ``/datasets/{id}`` when
HTML is asked for), ``render`` (Jinja2, the language cookie), ``i18n`` (the words), ``sanitize``
(portal HTML made safe), ``charts`` (inline SVG), ``errors`` (friendly error pages), ``steward*`` (the
steward's workspace: sign-in with a token, sources, tests before saving, runs and their reports).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["install_web"]

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI) -> None:
    """Add the pages and the static files to ``app``."""
    from catalog.web.pages import router
    from catalog.web.steward import router as steward_router
    from catalog.web.steward_jobs import router as steward_jobs_router
    from catalog.web.steward_sources import router as steward_sources_router

    app.include_router(router)
    app.include_router(steward_sources_router)  # before /steward/sources/{id}: it owns /sources/new
    app.include_router(steward_router)
    app.include_router(steward_jobs_router)  # last: its /steward/{rest:path} answers the 404 page
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
