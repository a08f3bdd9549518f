"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from catalog.api.deps import SessionDep
from catalog.api.metrics import HttpLatency
from catalog.api.middleware import install_middleware
from catalog.api.problems import install_problem_handlers
from catalog.api.routes import datasets, feed, health, jobs, linked, municipalities, sources, stats
from catalog.api.routes.audit import router as audit_router
from catalog.api.routes.quality import router as quality_router
from catalog.api.routes.validate import router as validate_router
from catalog.db.engine import make_engine, make_session_factory
from catalog.db.queries import count_datasets, list_datasets
from catalog.settings import Settings, get_settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """A catalogue app on the database of ``settings`` (default: the settings in effect)."""
    settings = settings or get_settings()
    engine = make_engine(settings.database.url, echo=settings.database.echo)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        launcher = getattr(app.state, "harvest_launcher", None)  # runs started through the API
        if launcher is not None and hasattr(launcher, "shutdown"):
            launcher.shutdown(wait=False)
        engine.dispose()

    app = FastAPI(
        title=settings.catalog.title,
        description=settings.catalog.description,
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.session_factory = make_session_factory(engine)
    app.state.http_latency = HttpLatency()
    app.state.writer_factory = make_session_factory(engine, writer=True)
    install_problem_handlers(app)
    install_middleware(app)
    app.include_router(health.router)
    app.include_router(datasets.router)
    app.include_router(municipalities.router)
    app.include_router(stats.router)
    app.include_router(linked.router)
    app.include_router(feed.router)
    app.include_router(quality_router)
    app.include_router(audit_router)
    app.include_router(validate_router)
    app.include_router(sources.router)
    app.include_router(jobs.router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, session: SessionDep) -> str:
        rows = list_datasets(session, limit=100, order="-modified")
        total = count_datasets(session)
        items = "\n".join(
            f'<li><a href="{escape(str(request.url_for("linked_dataset", id=row.id)))}">'
            f"{escape(row.title or row.uri)}</a></li>"
            for row in rows
        )
        title = escape(settings.catalog.title)
        return (
            f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
            f"<h1>{title}</h1><p>{total} datasets. "
            '<a href="/api/datasets">search API</a> · <a href="/catalog">DCAT catalogue</a> · '
            '<a href="/api/municipalities">municipalities</a> · <a href="/docs">API docs</a></p>'
            f"<ul>{items}</ul></body></html>"
        )

    return app
