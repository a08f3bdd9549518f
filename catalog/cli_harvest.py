"""``catalog sources ...`` and ``catalog harvest ...``: registering portals and harvesting them.

``catalog harvest`` shows a progress line while it runs (rewritten in place on a terminal, one line every
few seconds in a log), then a summary table, and exits 0 when every run succeeded, 1 when one was partial,
failed, aborted or refused (another run of the source was going on), 2 on a usage error.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Collection
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from catalog.cli_errors import EXIT_PARTIAL, fail, user_errors

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from catalog.harvest.report import HarvestReport
    from catalog.settings import Settings

__all__ = ["harvest_command", "sources_app"]

sources_app = typer.Typer(help="The portals the catalogue harvests.", no_args_is_help=True)

_PROGRESS_EVERY = 5.0
"""Seconds between progress lines when the output is not a terminal."""


def _store() -> tuple[Settings, sessionmaker[Session]]:
    from catalog.db.engine import make_engine, make_session_factory
    from catalog.settings import get_settings

    settings = get_settings()
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    return settings, make_session_factory(engine, writer=True)


@sources_app.command("add")
@user_errors
def sources_add(
    name: Annotated[str, typer.Option("--name", help="A short unique name, e.g. 'Gent'.")],
    kind: Annotated[str, typer.Option("--kind", help="The portal kind (harvester): dcat, ckan ...")],
    url: Annotated[str, typer.Option("--url", help="The feed or API address.")],
    municipality: Annotated[
        str | None, typer.Option("--municipality", help="NIS code of the municipality it belongs to.")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="A harvester option KEY=VALUE (repeat for more)."),
    ] = None,
    schedule: Annotated[
        str, typer.Option("--schedule", help="daily, weekly, monthly or manual (for `harvest --due`).")
    ] = "daily",
) -> None:
    """Register a portal; its options are checked against its harvester, its URL against the SSRF guard."""
    from catalog.harvest.registry import parse_option_pairs
    from catalog.harvest.sources import add_source

    settings, factory = _store()
    options = parse_option_pairs(option or [])
    source_id = add_source(
        factory,
        settings,
        name=name,
        kind=kind,
        url=url,
        municipality=municipality,
        options=options,
        schedule=schedule,
    )
    typer.echo(f"added source {name!r} (id {source_id}, kind {kind})")


@sources_app.command("list")
@user_errors
def sources_list() -> None:
    """Every registered source with its live records and its last harvest."""
    from catalog.harvest.sources import source_summaries

    _, factory = _store()
    with factory() as session:
        summaries = source_summaries(session)
    if not summaries:
        typer.echo("no sources registered; add one with `catalog sources add`")
        return
    rows: list[list[str]] = []
    for s in summaries:
        finished = s.last_finished.strftime("%Y-%m-%d %H:%M") if s.last_finished else ""
        name = s.name if s.active else f"{s.name} (inactive)"
        rows.append(
            [str(s.id), name, s.kind, s.municipality or "", str(s.live_records), s.last_status or "never",
             finished, s.url]
        )  # fmt: skip
    headers = ["id", "name", "kind", "municipality", "records", "last run", "finished", "url"]
    typer.echo(_table(headers, rows, numeric={"id", "records"}))


@sources_app.command("show")
@user_errors
def sources_show(name: Annotated[str, typer.Argument(help="The source's name.")]) -> None:
    """A source's settings, its harvester's state and its last harvests."""
    import json

    from catalog.db.jobs import list_jobs
    from catalog.harvest.sources import source_summaries

    _, factory = _store()
    with factory() as session:
        (s,) = source_summaries(session, name=name)
        jobs = list_jobs(session, source_id=s.id, limit=5)
        lines = [
            f"name:         {s.name} (id {s.id}{'' if s.active else ', inactive'})",
            f"kind:         {s.kind}",
            f"url:          {s.url}",
            f"municipality: {s.municipality or '-'}",
            f"options:      {json.dumps(s.options, ensure_ascii=False, sort_keys=True)}",
            f"state:        {json.dumps(s.state, ensure_ascii=False, sort_keys=True)}",
            f"live records: {s.live_records}",
            "last harvests:" if jobs else "last harvests: none",
        ]
        for job in jobs:
            when = (job.started_at or job.created_at).strftime("%Y-%m-%d %H:%M")
            counts = ", ".join(f"{k} {v}" for k, v in (job.stats or {}).items() if v)
            lines.append(f"  job {job.id} {when} {job.status}: {counts or 'nothing'}")
            if job.error:
                lines.append(f"    {job.error.splitlines()[0]}")
    typer.echo("\n".join(lines))


@sources_app.command("remove")
@user_errors
def sources_remove(
    name: Annotated[str, typer.Argument(help="The source's name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a source: its datasets are withdrawn (they stay known, as gone), the source is forgotten."""
    from catalog.harvest.sources import remove_source

    settings, factory = _store()
    if not yes:
        if not sys.stdin.isatty():
            raise fail("removing a source withdraws its datasets; add --yes to confirm")
        typer.confirm(f"Remove source {name!r} and withdraw its datasets?", abort=True)
    count = remove_source(factory, settings, name=name)
    typer.echo(f"removed source {name!r}; {count} records withdrawn")


class _ProgressLine:
    """Shows how far a run is: rewritten in place on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0
        self.width = 0

    def __call__(self, report: HarvestReport) -> None:
        line = f"{report.source_name}: {report.processed} records ({report.counts_line()})"
        if self.tty:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = len(line)
            self.stream.flush()
        elif time.monotonic() - self.last >= _PROGRESS_EVERY:
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last = time.monotonic()

    def end(self) -> None:
        if self.tty and self.width:
            self.stream.write("\n")
            self.stream.flush()
        self.width = 0
        self.last = 0.0


def harvest_command(
    name: Annotated[str | None, typer.Argument(help="The source to harvest.")] = None,
    all_sources: Annotated[
        bool, typer.Option("--all", help="Harvest every active source, one after another.")
    ] = False,
    due: Annotated[
        bool,
        typer.Option(
            "--due", help="Harvest the active sources whose schedule is due (run it from cron or a timer)."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Do everything but write: report what would change.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Stop after N records (nothing is withdrawn).")
    ] = None,
    confirm_withdrawal: Annotated[
        bool,
        typer.Option("--confirm-withdrawal", help="Withdraw even more than the allowed share of records."),
    ] = False,
) -> None:
    """Harvest one source (NAME), every active one (--all) or the ones due (--due) into the catalogue."""
    if (name is not None) + all_sources + due != 1:
        raise fail("give a source NAME, --all or --due (one of them)")
    code = _harvest(name, due=due, dry_run=dry_run, limit=limit, confirm_withdrawal=confirm_withdrawal)
    if code:
        raise typer.Exit(code)


@user_errors
def _harvest(
    name: str | None, *, due: bool = False, dry_run: bool, limit: int | None, confirm_withdrawal: bool
) -> int:
    from catalog.db.jobs import JobRunning
    from catalog.db.sources import list_sources
    from catalog.exceptions import CatalogError
    from catalog.harvest.runner import run_harvest
    from catalog.harvest.sources import find_source

    settings, factory = _store()
    with factory() as session:
        if name is not None:
            targets = [(find_source(session, name).id, name)]
        elif due:
            targets = _due_targets(session, settings)
        else:
            targets = [(s.id, s.name) for s in list_sources(session, active=True)]
    if not targets:
        typer.echo("no sources due" if due else "no active sources to harvest")
        return 0
    progress = _ProgressLine(sys.stderr)
    rows: list[tuple[str, HarvestReport | None, str | None]] = []  # (name, report, why not run)
    for source_id, source_name in targets:
        try:
            report = run_harvest(
                factory,
                source_id=source_id,
                settings=settings,
                dry_run=dry_run,
                limit=limit,
                confirm_withdrawal=confirm_withdrawal,
                progress=progress,
            )
            rows.append((source_name, report, None))
        except JobRunning as exc:
            rows.append((source_name, None, f"refused: {exc}"))
        except CatalogError as exc:
            if name is not None:
                raise
            # One source that cannot be run (its plugin uninstalled, its options no longer valid) must
            # not stop a nightly run of the others.
            rows.append((source_name, None, f"error: {exc}"))
        finally:
            progress.end()
    _print_summary(rows)
    _refresh_dumps(settings, [report for _, report, _ in rows])
    ok = all(report is not None and report.status == "succeeded" for _, report, _ in rows)
    return 0 if ok else EXIT_PARTIAL


def _refresh_dumps(settings: Settings, reports: list[HarvestReport | None]) -> None:
    """Rebuild the download dumps' blocks the runs changed (``harvest.refresh_dumps``), once for all runs."""
    from catalog.api.dumps import refresh_after_harvest

    built = refresh_after_harvest(settings, reports)
    if built is not None:
        blocks = ", ".join(f"{name} {count}" for name, count in built.items())
        typer.echo(f"download dumps refreshed (blocks rebuilt: {blocks})", err=True)


def _due_targets(session: Session, settings: Settings) -> list[tuple[int, str]]:
    from catalog.db.sources import get_source
    from catalog.harvest.due import due_sources

    plan = due_sources(session, settings)
    targets = []
    for item in plan.sources:
        source = get_source(session, id=item.source_id)
        if source is not None:
            targets.append((source.id, source.name))
    when = plan.tick.astimezone().isoformat(timespec="minutes")
    typer.echo(f"{len(targets)} source(s) due at the schedule's tick of {when}")
    return targets


def _table(headers: list[str], rows: list[list[str]], *, numeric: Collection[str] = ()) -> str:
    """Plain aligned columns (readable in a terminal, a log file and a cron mail alike)."""
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        parts = [
            cell.rjust(width) if header in numeric else cell.ljust(width)
            for cell, width, header in zip(cells, widths, headers, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def _print_summary(rows: list[tuple[str, HarvestReport | None, str | None]]) -> None:
    from catalog.harvest.report import COUNT_ORDER

    cells: list[list[str]] = []
    notes: list[str] = []
    for source_name, report, refused in rows:
        if report is None:
            status = (refused or "error").split(":", 1)[0]
            cells.append([source_name, status, *([""] * len(COUNT_ORDER)), ""])
            notes.append(f"{source_name}: {refused}")
            continue
        status = f"{report.status} (dry run)" if report.dry_run else report.status
        counts = [str(report.counts[key]) for key in COUNT_ORDER]
        cells.append([source_name, status, *counts, f"{report.seconds:.1f}"])
        notes.extend(f"{source_name}: {line}" for line in report.summary().splitlines()[1:])
    typer.echo(
        _table(["source", "status", *COUNT_ORDER, "seconds"], cells, numeric={*COUNT_ORDER, "seconds"})
    )
    for note in notes:
        typer.echo(note)
