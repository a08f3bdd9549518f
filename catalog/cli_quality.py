"""``catalog quality ...`` and ``catalog check-links``: scoring stored datasets, checking their links.

``quality summary [--group province|source|publisher|municipality]`` prints the average score and bands
per group and for the whole catalogue. ``quality recompute [--source NAME]`` scores the live datasets
again (validator, MQA score, cached link results). ``check-links [--source NAME] [--limit N]`` asks the
access and download URLs that have no fresh result (``quality.link_check_ttl_hours``) whether they
answer, through the SSRF guard and rate-limited per host, then rescores the datasets concerned. All print
a short summary; exit 0, or 2 on a usage error (unknown source or group).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, cast

import typer

from catalog.cli_errors import fail, user_errors

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from catalog.quality.store import QualityTally
    from catalog.settings import Settings

__all__ = ["check_links_command", "quality_app"]

quality_app = typer.Typer(help="Metadata quality: MQA scores and validation findings.", no_args_is_help=True)


def _store() -> tuple[Settings, sessionmaker[Session]]:
    from catalog.db.engine import make_engine, make_session_factory
    from catalog.settings import get_settings

    settings = get_settings()
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    return settings, make_session_factory(engine, writer=True)


def _source_id(factory: sessionmaker[Session], name: str | None) -> int | None:
    if name is None:
        return None
    from sqlalchemy import select

    from catalog.db.tables import Source

    with factory() as session:
        found = session.scalars(select(Source.id).where(Source.name == name)).first()
    if found is None:
        raise fail(f"no source named {name!r}")
    return found


def _tally_line(tally: QualityTally) -> str:
    counts = tally.as_dict()
    bands = ", ".join(f"{band} {counts[band]}" for band in ("excellent", "good", "sufficient", "bad"))
    return f"scored {tally.scored} ({bands}); {tally.violations} violations, {tally.warnings} warnings"


@quality_app.command("recompute")
@user_errors
def recompute_command(
    source: Annotated[str | None, typer.Option("--source", help="Only the datasets of this source.")] = None,
) -> None:
    """Score the stored datasets again (after a release, or to use new link-check results)."""
    from catalog.quality.store import recompute

    _, factory = _store()
    tally = recompute(factory, source_id=_source_id(factory, source))
    typer.echo(_tally_line(tally))


@quality_app.command("summary")
@user_errors
def summary_command(
    group: Annotated[
        str, typer.Option("--group", help="province, source, publisher or municipality.")
    ] = "province",
) -> None:
    """The catalogue's average score and bands, then one line per province (or source ...)."""
    from catalog.quality.aggregate import Aggregate, GroupBy, aggregate, grouped

    if group not in ("province", "source", "publisher", "municipality"):
        raise fail(f"cannot group by {group!r}; choose province, source, publisher or municipality")
    _, factory = _store()

    def line(name: str, agg: Aggregate) -> str:
        average = f"{agg.average:6.1f}" if agg.average is not None else "     -"
        bands = " ".join(f"{agg.bands[b]:>6}" for b in ("excellent", "good", "sufficient", "bad"))
        return f"{name[:40]:<40} {agg.datasets:>8} {average} {bands} {agg.violations:>10}"

    with factory() as session:
        overall = aggregate(session)
        groups = grouped(session, cast(GroupBy, group))
    typer.echo(
        f"{group:<40} {'datasets':>8} {'avg':>6} {'excel.':>6} {'good':>6} {'suff.':>6} {'bad':>6} violations"
    )
    for agg in groups:
        typer.echo(line(agg.label or agg.key or "?", agg))
    typer.echo(line("all", overall))


@user_errors
def check_links_command(
    source: Annotated[str | None, typer.Option("--source", help="Only the links of this source.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Check at most N links.")] = None,
) -> None:
    """Check whether the access and download URLs answer (HEAD, else a one-byte GET); rescore."""
    from catalog.quality.links import LinkChecker, check_links

    settings, factory = _store()
    source_id = _source_id(factory, source)
    ttl = timedelta(hours=settings.quality.link_check_ttl_hours)

    async def run() -> None:
        checker = LinkChecker.from_settings(settings)
        try:
            result = await check_links(factory, checker, source_id=source_id, limit=limit, ttl=ttl)
        finally:
            await checker.aclose()
        typer.echo(
            f"checked {result.checked} links: {result.answered} answered, {result.failed} did not"
            + (f", {result.rate_limited} rate-limited (next run)" if result.rate_limited else "")
        )
        typer.echo(_tally_line(result.rescored))

    asyncio.run(run())
