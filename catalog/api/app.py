"""The application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from catalog.api.metrics import HttpLatency
from catalog.api.middleware import install_middleware
from catalog.api.problems import install_problem_handlers
from catalog.api.routes import datasets, feed, health, jobs, linked, municipalities, sources, stats
from catalog.api.routes.audit import router as audit_router
from catalog.api.routes.quality import router as quality_router
from catalog.api.routes.validate import router as validate_router
from catalog.db.engine import make_engine, make_session_factory
from catalog.search.facets import preload_labels
from catalog.settings import Settings, get_settings
from catalog.web import install_web

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """A catalogue app on the database of ``settings`` (default: the settings in effect)."""
    settings = settings or get_settings()
    engine = make_engine(settings.database.url, echo=settings.database.echo)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(preload_labels)
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
    if settings.server.harvest_runs == "queue":
        from catalog.worker.launcher import QueueLauncher

        app.state.harvest_launcher = QueueLauncher(settings)
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

    install_web(app)

    return app
