"""``catalog worker`` (harvest workers on PostgreSQL) and ``catalog jobs list|show|retry`` (harvest jobs)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer

from catalog.cli_errors import fail, user_errors

if TYPE_CHECKING:
    from catalog.db.tables import HarvestJob

__all__ = ["jobs_app", "worker_command"]

jobs_app = typer.Typer(help="Harvest jobs: what ran, how it ended, running one again.", no_args_is_help=True)


@user_errors
def worker_command(
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", min=1, help="Harvests at once (worker.concurrency)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name in logs and the queue.")] = None,
) -> None:
    """Run a harvest worker (PostgreSQL): queued runs, the nightly schedule, stalled-job recovery."""
    from catalog.logging import configure_logging
    from catalog.settings import get_settings
    from catalog.worker.app import conninfo, run_worker

    settings = get_settings()
    conninfo(settings.database.url)  # refuses SQLite with the way to schedule harvests there
    configure_logging()
    asyncio.run(run_worker(settings, concurrency=concurrency, name=name))


def _when(job: HarvestJob) -> str:
    moment = job.started_at or job.created_at
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


@jobs_app.command("list")
@user_errors
def jobs_list(
    source: Annotated[str | None, typer.Option("--source", help="Only this source's jobs.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 20,
) -> None:
    """The newest harvest jobs with their status and counts."""
    from catalog.cli_harvest import _store, _table
    from catalog.db.jobs import list_jobs
    from catalog.db.sources import get_source
    from catalog.harvest.sources import find_source

    _, factory = _store()
    with factory() as session:
        source_id = find_source(session, source).id if source is not None else None
        jobs = list_jobs(session, source_id=source_id, limit=limit)
        rows = []
        for job in jobs:
            found = get_source(session, id=job.source_id)
            stats = job.stats or {}
            counts = " ".join(f"{key} {stats[key]}" for key in sorted(stats) if stats[key])
            rows.append([str(job.id), found.name if found else str(job.source_id), job.status,
                         _when(job), counts])  # fmt: skip
    if not rows:
        typer.echo("no harvest jobs yet")
        return
    typer.echo(_table(["id", "source", "status", "started", "counts"], rows, numeric={"id"}))


@jobs_app.command("show")
@user_errors
def jobs_show(
    job_id: Annotated[int, typer.Argument(help="The job's id (see `catalog jobs list`).")],
    action: Annotated[
        str | None, typer.Option("--action", help="Only report lines of this action (failed, skipped ...).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Report lines to show.")] = 50,
) -> None:
    """One job: status, times, counts, error, and its per-record report."""
    from catalog.cli_harvest import _store
    from catalog.db.jobs import get_job, list_job_records
    from catalog.db.sources import get_source

    _, factory = _store()
    with factory() as session:
        job = get_job(session, id=job_id)
        if job is None:
            raise fail(f"no harvest job {job_id}")
        source = get_source(session, id=job.source_id)
        lines = [
            f"job {job.id} of source {source.name if source else job.source_id}: {job.status}",
            f"created {job.created_at:%Y-%m-%d %H:%M:%S}"
            + (f", started {job.started_at:%H:%M:%S}" if job.started_at else "")
            + (f", finished {job.finished_at:%H:%M:%S}" if job.finished_at else ""),
            "counts: " + json.dumps(job.stats or {}, sort_keys=True),
        ]
        if job.error:
            lines.append(f"error: {job.error}")
        for record in list_job_records(session, job_id=job.id, action=action, limit=limit):
            where = f" <{record.url}>" if record.url else ""
            lines.append(
                f"  {record.action:<9} {record.remote_id or '-'}{where}: {record.reason or ''}".rstrip()
            )
    typer.echo("\n".join(lines))


@jobs_app.command("retry")
@user_errors
def jobs_retry(
    job_id: Annotated[int, typer.Argument(help="A finished job whose source should run again.")],
    confirm_withdrawal: Annotated[
        bool, typer.Option("--confirm-withdrawal", help="Withdraw even more than the allowed share.")
    ] = False,
) -> None:
    """Run a job's source again: queued for the workers on PostgreSQL, here and now on SQLite."""
    from catalog.cli_harvest import _harvest, _store
    from catalog.db.jobs import get_job
    from catalog.db.sources import get_source

    settings, factory = _store()
    with factory() as session:
        job = get_job(session, id=job_id)
        if job is None:
            raise fail(f"no harvest job {job_id}")
        if job.status in ("queued", "running"):
            raise fail(f"job {job_id} is {job.status}; it has not finished")
        source = get_source(session, id=job.source_id)
        if source is None:
            raise fail(f"the source of job {job_id} is gone")
        source_id, source_name = source.id, source.name
    if settings.database.url.startswith("postgresql"):
        from catalog.worker.app import make_app, queue_source

        async def queue() -> int | None:
            app = make_app(settings)
            async with app.open_async():
                return await queue_source(app, source_id, confirm_withdrawal=confirm_withdrawal)

        queued = asyncio.run(queue())
        typer.echo(
            f"queued a run of {source_name!r} (queue job {queued})"
            if queued
            else f"a run of {source_name!r} is queued already"
        )
        return
    code = _harvest(source_name, dry_run=False, limit=None, confirm_withdrawal=confirm_withdrawal)
    if code:
        raise typer.Exit(code)
