"""The nightly schedule: when the harvest fires, and which sources are due when it does.

The harvest fires on a cron expression (``harvest.schedule``, default ``0 2 * * *``) read in the
catalogue's time zone (``harvest.timezone``, default ``Europe/Brussels``), so "02:00" stays 02:00 local
time through summer and winter time. A wall time that does not exist on the day clocks go forward
(02:30 on the last Sunday of March in Brussels) fires at the moment of the change; a wall time that
happens twice when clocks go back fires once, at its first occurrence.

Each source has a schedule: ``daily`` (the default), ``weekly``, ``monthly`` or ``manual`` (never due).
At a tick ``T`` (the latest time the expression fired), an active source is due when

- no run of it started at or after ``T`` (asking twice in one night does not harvest twice), and
- its last run that finished ``succeeded`` or ``partial`` started before the period that ends at ``T``:
  ``T`` itself for daily, ``T`` minus 7 days for weekly, ``T`` minus one calendar month for monthly
  (local wall time, less ``_SLACK``, so a run that started a little after last week's tick still
  counts as last week's). A source whose last run failed is therefore tried again at the next tick.

``spread`` orders the due sources so that sources on one host are as far apart as possible, and gives
each an offset in seconds (``harvest.host_spacing_seconds`` between two runs on one host) for workers
that start runs in parallel; ``catalog harvest --due`` runs them one after another in that order.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from catalog.exceptions import ConfigError

__all__ = [
    "SCHEDULES",
    "Cron",
    "DueSource",
    "ScheduledSource",
    "is_due",
    "parse_cron",
    "period_start",
    "spread",
]

SCHEDULES = ("daily", "weekly", "monthly", "manual")
_SLACK = timedelta(hours=6)
_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
_LOOKBACK_DAYS = 366 * 5
"""How far back a tick is looked for (``0 2 29 2 *`` fires once in four years)."""


@dataclass(frozen=True)
class Cron:
    """A parsed five-field cron expression in a time zone."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    """0 = Sunday ... 6 = Saturday (7 is read as Sunday too)."""
    any_day: bool
    any_weekday: bool
    zone: ZoneInfo

    def _day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:  # cron: both restricted -> either may match
            return in_month and in_week
        return in_month or in_week

    def previous(self, now: datetime) -> datetime:
        """The latest time at or before ``now`` (aware) at which the expression fires, in UTC."""
        local = now.astimezone(self.zone)
        day = local.date()
        times = sorted((time(h, m) for h in self.hours for m in self.minutes), reverse=True)
        for _ in range(_LOOKBACK_DAYS):
            if self._day_matches(day):
                for wall in times:
                    fired = _fire_time(day, wall, self.zone)
                    if fired <= now:
                        return fired
            day -= timedelta(days=1)
        raise ConfigError(f"schedule {self.expression!r} never fired in the last five years")


def _fire_time(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """When wall time ``wall`` on ``day`` happens, in UTC; the moment of the change when it does not exist."""
    first = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the first occurrence of a repeated time
    instant = first.astimezone(UTC)
    naive = first.replace(tzinfo=None)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    # Skipped by the clocks going forward: fold=1 reads it with the offset after the change, which lands
    # before the change; walk forward to the first minute whose local time is past the skipped wall time.
    moment = first.replace(fold=1).astimezone(UTC)
    while moment.astimezone(zone).replace(tzinfo=None) < naive:
        moment += timedelta(minutes=1)
    return moment


def _field(text: str, name: str, low: int, high: int) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            if not step_text.isdigit() or int(step_text) == 0:
                raise ConfigError(f"cron {name}: bad step {step_text!r}")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            first, _, last = part.partition("-")
            if not (first.isdigit() and last.isdigit()):
                raise ConfigError(f"cron {name}: bad range {part!r}")
            start, end = int(first), int(last)
        elif part.isdigit():
            start = int(part)
            end = high if step > 1 else start
        else:
            raise ConfigError(f"cron {name}: {part!r} is not a number, range, list or *")
        if not (low <= start <= end <= high):
            raise ConfigError(f"cron {name}: {part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values), text == "*"


def parse_cron(expression: str, timezone: str = "Europe/Brussels") -> Cron:
    """Read ``minute hour day-of-month month day-of-week`` (numbers, ``*``, ranges, lists, ``/step``)."""
    parts = expression.split()
    if len(parts) != 5:
        raise ConfigError(f"schedule {expression!r}: a cron expression has five fields, not {len(parts)}")
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {timezone!r}") from exc
    fields = [_field(text, *spec) for text, spec in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(day % 7 for day in fields[4][0])
    return Cron(
        expression=expression,
        minutes=fields[0][0],
        hours=fields[1][0],
        days=fields[2][0],
        months=fields[3][0],
        weekdays=weekdays,
        any_day=fields[2][1],
        any_weekday=fields[4][1],
        zone=zone,
    )


def _months_back(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    day = min(local.day, calendar.monthrange(year, month)[1])
    return _fire_time(date(year, month, day), local.timetz().replace(tzinfo=None), zone)


def period_start(schedule: str, tick: datetime, zone: ZoneInfo) -> datetime | None:
    """Since when a ``schedule`` source must have a successful run, at ``tick``; None for manual."""
    if schedule == "daily":
        return tick
    if schedule == "weekly":
        local = tick.astimezone(zone)
        back = _fire_time(local.date() - timedelta(days=7), local.timetz().replace(tzinfo=None), zone)
        return back + _SLACK
    if schedule == "monthly":
        return _months_back(tick, zone) + _SLACK
    if schedule == "manual":
        return None
    raise ConfigError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")


class ScheduledSource(Protocol):
    """What the schedule needs to know of a source and its runs."""

    @property
    def id(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def schedule(self) -> str | None: ...
    @property
    def active(self) -> bool: ...


def is_due(
    source: ScheduledSource,
    *,
    tick: datetime,
    zone: ZoneInfo,
    last_started: datetime | None,
    last_success_started: datetime | None,
) -> bool:
    """Whether ``source`` should be harvested at ``tick`` (see the module docstring)."""
    if not source.active:
        return False
    start = period_start(source.schedule or "daily", tick, zone)
    if start is None:
        return False
    if last_started is not None and last_started >= tick:
        return False
    return last_success_started is None or last_success_started < start


@dataclass(frozen=True)
class DueSource:
    """A due source and when to start it, counted from the tick."""

    source_id: int
    host: str
    offset_seconds: float


def spread(sources: Iterable[ScheduledSource], *, host_spacing_seconds: float) -> list[DueSource]:
    """Interleave the sources' hosts (round robin, most crowded host first) and space each host's runs."""
    by_host: dict[str, list[ScheduledSource]] = defaultdict(list)
    for source in sources:
        by_host[(urlsplit(source.url).hostname or "").lower()].append(source)
    queues: list[tuple[str, Sequence[ScheduledSource]]] = sorted(
        ((host, sorted(group, key=lambda s: s.id)) for host, group in by_host.items()),
        key=lambda item: (-len(item[1]), item[0]),
    )
    out: list[DueSource] = []
    for position in range(max((len(group) for _, group in queues), default=0)):
        for host, group in queues:
            if position < len(group):
                out.append(DueSource(group[position].id, host, position * host_spacing_seconds))
    return out
