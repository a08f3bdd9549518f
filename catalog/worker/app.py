"""The procrastinate app: the harvest task, queueing due sources, putting stalled jobs back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from datetime import UTC, datetime
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.engine import make_url

from catalog.exceptions import ConfigError
from catalog.settings import Settings
from catalog.worker.runs import Released, TransientHarvest, harvest_in_thread, store_for

__all__ = [
    "HARVEST_TASK",
    "QUEUE",
    "conninfo",
    "make_app",
    "queue_depth",
    "queue_due",
    "queue_source",
    "retry_stalled",
    "run_worker",
]

QUEUE = "harvest"
HARVEST_TASK = "catalog.harvest_source"
SCHEDULE_TASK = "catalog.schedule_due"
LINKS_TASK = "catalog.check_links"
"""Checks the access and download URLs that are due (``quality.link_check_schedule``, in UTC)."""
"""Queues the due sources; one at a time in the whole cluster (its lock), so no source is queued twice."""
_log = logging.getLogger("catalog.worker")


def conninfo(database_url: str) -> str:
    """The libpq connection string of ``database.url``; ``ConfigError`` when it is not PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            f"harvest workers need PostgreSQL (database.url is {url.get_backend_name()}); on SQLite run "
            "`catalog harvest --due` from cron or the systemd timer in deploy/"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(settings: Settings) -> App:
    """A procrastinate app on the catalogue's PostgreSQL database, with the harvest task registered."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(settings.database.url)))
    w = settings.worker
    retry = RetryStrategy(
        max_attempts=w.retry_attempts,
        exponential_wait=w.retry_backoff_seconds,
        retry_exceptions=[TransientHarvest, Released],
    )

    @app.task(name=HARVEST_TASK, queue=QUEUE, retry=retry, pass_context=True)
    async def harvest_source(
        context: JobContext,
        source_id: int,
        tick: str | None = None,
        confirm_withdrawal: bool = False,
        job_id: int | None = None,
    ) -> dict[str, Any]:
        since = datetime.fromisoformat(tick) if tick else None
        return await harvest_in_thread(
            settings,
            context=context,
            source_id=source_id,
            since=since,
            confirm_withdrawal=confirm_withdrawal,
            job_id=job_id,
        )

    @app.task(name=SCHEDULE_TASK, queue=QUEUE, lock=SCHEDULE_TASK, queueing_lock=SCHEDULE_TASK)
    async def schedule_due() -> int:
        return len(await queue_due(app, settings))

    @app.periodic(cron=settings.quality.link_check_schedule, periodic_id="links")
    @app.task(name=LINKS_TASK, queue=QUEUE, lock=LINKS_TASK, queueing_lock=LINKS_TASK)
    async def check_links_task(timestamp: int) -> dict[str, int]:
        return await asyncio.to_thread(_check_links, settings)

    del harvest_source, schedule_due, check_links_task  # registered on the app by name
    return app


def _check_links(settings: Settings) -> dict[str, int]:
    """One round of link checks (``catalog check-links``), in a thread with its own event loop."""
    from datetime import timedelta

    from catalog.quality.links import LinkChecker, check_links

    async def run() -> dict[str, int]:
        checker = LinkChecker.from_settings(settings)
        try:
            ttl = timedelta(hours=settings.quality.link_check_ttl_hours)
            result = await check_links(store_for(settings, writer=True), checker, ttl=ttl)
        finally:
            await checker.aclose()
        return {"checked": result.checked, "answered": result.answered, "failed": result.failed}

    return asyncio.run(run())


def _lock(source_id: int) -> str:
    return f"catalog-source-{source_id}"


async def queue_source(
    app: App,
    source_id: int,
    *,
    tick: datetime | None = None,
    delay_seconds: float = 0,
    confirm_withdrawal: bool = False,
    job_id: int | None = None,
) -> int | None:
    """Queue a run of one source (of a job claimed already, with ``job_id``); None when one is queued
    already (a queueing lock per source)."""
    options: dict[str, Any] = {"lock": _lock(source_id), "queueing_lock": _lock(source_id)}
    if delay_seconds > 0:
        options["schedule_in"] = {"seconds": int(delay_seconds)}
    kwargs: dict[str, Any] = {"source_id": source_id, "confirm_withdrawal": confirm_withdrawal}
    if tick is not None:
        kwargs["tick"] = tick.isoformat()
    if job_id is not None:
        kwargs["job_id"] = job_id
    try:
        queued: int = await app.configure_task(HARVEST_TASK, **options).defer_async(**kwargs)
    except AlreadyEnqueued:
        return None
    return queued


async def _queued_sources(app: App, tick: datetime) -> set[int]:
    """Sources with a harvest job waiting or running in the queue, or queued for ``tick`` at all.

    Between dequeue and the run's start the engine has no job row yet, and a run that could not start
    (its plugin gone, say) leaves none: the queue's own rows say what was queued for this tick.
    """
    rows = await app.connector.execute_query_all_async(
        query=(
            "SELECT args->>'source_id' AS source_id FROM procrastinate_jobs WHERE task_name = %(task)s"
            " AND (status IN ('todo', 'doing') OR args->>'tick' = %(tick)s)"
        ),
        task=HARVEST_TASK,
        tick=tick.isoformat(),
    )
    return {int(row["source_id"]) for row in rows if str(row["source_id"] or "").isdigit()}


async def queue_due(app: App, settings: Settings, *, now: datetime | None = None) -> list[int]:
    """Queue every source due at the schedule's latest tick, spread per host; the ids of those queued."""
    from catalog.harvest.due import due_sources

    def plan() -> Any:
        with store_for(settings)() as session:
            return due_sources(session, settings, now=now or datetime.now(UTC))

    due = await asyncio.to_thread(plan)
    busy = await _queued_sources(app, due.tick)
    queued = []
    for item in due.sources:
        if item.source_id in busy:
            continue
        if await queue_source(app, item.source_id, tick=due.tick, delay_seconds=item.offset_seconds):
            queued.append(item.source_id)
    if queued:
        _log.info("queued %d due source(s) for the tick of %s", len(queued), due.tick.isoformat())
    return queued


async def retry_stalled(app: App, settings: Settings) -> list[int]:
    """Put back in the queue the harvest jobs of workers that stopped sending heartbeats."""
    from catalog.harvest.lock import abort_stale_jobs

    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, task_name=HARVEST_TASK, seconds_since_heartbeat=settings.worker.stalled_after_seconds
    )
    retried = []
    for job in stalled:
        source_id = job.task_kwargs.get("source_id")
        if isinstance(source_id, int):
            # Its worker is gone and the queue's lock lets no other run of the source start: the engine's
            # job of the dead run is over, whatever its heartbeat says.
            def abort(source_id: int = source_id) -> None:
                with store_for(settings, writer=True)() as session:
                    abort_stale_jobs(session, source_id=source_id, stale_after=0)
                    session.commit()

            await asyncio.to_thread(abort)
        assert job.id is not None
        try:
            await app.job_manager.retry_job(job)
        except Exception as exc:  # another worker put it back first
            _log.info("stalled job %s not retried here: %s", job.id, exc)
            continue
        retried.append(job.id)
        _log.warning("job %s (%s) of a stalled worker put back in the queue", job.id, job.call_string)
    return retried


async def queue_depth(app: App) -> dict[str, int]:
    """How many harvest jobs wait (``todo``) and run (``doing``)."""
    rows = await app.job_manager.list_queues_async(queue=QUEUE)
    for row in rows:
        return {"todo": int(row.get("todo", 0) or 0), "doing": int(row.get("doing", 0) or 0)}
    return {"todo": 0, "doing": 0}


async def _ask_for_schedule(app: App, settings: Settings) -> None:
    with contextlib.suppress(AlreadyEnqueued):
        await app.configure_task(SCHEDULE_TASK).defer_async()


async def _control(app: App, settings: Settings) -> None:
    """Every ``worker.control_interval_seconds``: have the due sources queued, put stalled jobs back."""
    while True:
        for step in (_ask_for_schedule, retry_stalled):
            try:
                await step(app, settings)
            except Exception:  # the database is away for a moment: the next round tries again
                _log.exception("%s failed; trying again at the next round", step.__name__)
        await asyncio.sleep(settings.worker.control_interval_seconds)


async def run_worker(settings: Settings, *, concurrency: int | None = None, name: str | None = None) -> None:
    """Run a worker until SIGTERM or SIGINT (see the package docstring)."""
    w = settings.worker
    app = make_app(settings)
    async with app.open_async():
        control = asyncio.create_task(_control(app, settings))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                name=name or f"catalog-{socket.gethostname()}",
                concurrency=concurrency or w.concurrency,
                shutdown_graceful_timeout=w.shutdown_grace_seconds,
                update_heartbeat_interval=w.heartbeat_seconds,
                stalled_worker_timeout=w.stalled_after_seconds,
                install_signal_handlers=True,
            )
        finally:
            control.cancel()
            await asyncio.gather(control, return_exceptions=True)
