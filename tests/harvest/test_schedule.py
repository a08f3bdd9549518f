"""The nightly schedule: cron ticks in Brussels time across clock changes, due sources, spreading hosts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from catalog.exceptions import ConfigError
from catalog.harvest.schedule import is_due, parse_cron, spread
from catalog.settings import HarvestSection

BRUSSELS = ZoneInfo("Europe/Brussels")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@dataclass(frozen=True)
class Src:
    id: int
    url: str = "https://data.example/feed"
    schedule: str | None = "daily"
    active: bool = True


def test_two_at_night_brussels_is_midnight_utc_in_summer_and_one_in_winter() -> None:
    cron = parse_cron("0 2 * * *")
    assert cron.previous(utc(2026, 7, 1, 12)) == utc(2026, 7, 1, 0)
    assert cron.previous(utc(2026, 1, 15, 12)) == utc(2026, 1, 15, 1)
    assert cron.previous(utc(2026, 1, 15, 0, 59)) == utc(2026, 1, 14, 1), "before today's tick: yesterday's"


def test_a_time_skipped_when_clocks_go_forward_fires_at_the_change() -> None:
    # 29 March 2026: at 02:00 CET clocks jump to 03:00 CEST (01:00 UTC); 02:30 never happens.
    cron = parse_cron("30 2 * * *")
    assert cron.previous(utc(2026, 3, 29, 3)) == utc(2026, 3, 29, 1)
    assert cron.previous(utc(2026, 3, 30, 3)) == utc(2026, 3, 30, 0, 30)
    assert parse_cron("0 2 * * *").previous(utc(2026, 3, 29, 3)) == utc(2026, 3, 29, 1)


def test_a_time_repeated_when_clocks_go_back_fires_once() -> None:
    # 25 October 2026: 02:00-03:00 happens twice (00:00-01:00 UTC in CEST, then 01:00-02:00 UTC in CET).
    cron = parse_cron("30 2 * * *")
    assert cron.previous(utc(2026, 10, 25, 1, 45)) == utc(2026, 10, 25, 0, 30), "first 02:30"
    ticks = {cron.previous(utc(2026, 10, 25, 0, 0) + timedelta(minutes=m)) for m in range(0, 180, 5)}
    assert ticks == {utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30)}


def test_cron_fields_lists_ranges_steps_and_weekdays() -> None:
    weekdays = parse_cron("15 6,18 * * 1-5")
    assert weekdays.previous(utc(2026, 11, 29, 12)) == utc(2026, 11, 27, 17, 15), "Sunday -> Friday 18:15"
    every_6h = parse_cron("0 */6 * * *")
    assert every_6h.previous(utc(2026, 11, 27, 10, 59)) == utc(2026, 11, 27, 5), "11:59 local: 06:00"
    sunday = parse_cron("0 3 * * 7")
    assert sunday.previous(utc(2026, 11, 27, 12)) == utc(2026, 11, 22, 2)
    first_of_month = parse_cron("0 2 1 * *")
    assert first_of_month.previous(utc(2026, 11, 27)) == utc(2026, 11, 1, 1)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 2 * *", "five fields, not 4"),
        ("61 2 * * *", "minute: '61' is outside 0-59"),
        ("0 2 * * mon", "day of week: 'mon' is not a number"),
        ("0 2/0 * * *", "hour: bad step"),
    ],
)
def test_bad_cron_expressions_are_refused_by_name(expression: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_cron(expression)
    with pytest.raises(ValueError, match=message):
        HarvestSection(schedule=expression)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Gent'"):
        HarvestSection(timezone="Europe/Gent")


def due(src: Src, tick: datetime, last: datetime | None = None, ok: datetime | None = None) -> bool:
    return is_due(src, tick=tick, zone=BRUSSELS, last_started=last, last_success_started=ok)


def test_daily_sources_run_once_per_tick_and_retry_after_a_failure() -> None:
    tick = utc(2026, 11, 27, 1)
    assert due(Src(1), tick), "never harvested"
    assert due(Src(1), tick, last=utc(2026, 11, 26, 1, 3), ok=utc(2026, 11, 26, 1, 3)), "last night's run"
    assert not due(Src(1), tick, last=utc(2026, 11, 27, 1, 2), ok=utc(2026, 11, 27, 1, 2)), "ran tonight"
    assert not due(Src(1), tick, last=utc(2026, 11, 27, 1, 2), ok=utc(2026, 11, 26, 1)), "failed: next tick"
    assert not due(Src(1, active=False), tick)
    assert not due(Src(1, schedule="manual"), tick)


def test_weekly_and_monthly_sources_wait_their_period_across_a_clock_change() -> None:
    # The week across the October change: last Saturday 02:00 CEST = 00:00 UTC, this Saturday 02:00 CET.
    tick = utc(2026, 10, 31, 1)
    last_week = utc(2026, 10, 24, 0, 4)
    assert due(Src(1, schedule="weekly"), tick, last=last_week, ok=last_week), "seven local days have passed"
    assert not due(Src(1, schedule="weekly"), tick, last=utc(2026, 10, 27), ok=utc(2026, 10, 27)), "Tuesday"
    assert due(Src(1, schedule="weekly"), tick, last=utc(2026, 10, 30), ok=utc(2026, 10, 20)), "failed since"
    tick = utc(2026, 3, 31, 0)  # 02:00 CEST; a month back is 28 February 02:00 CET (01:00 UTC)
    assert due(Src(1, schedule="monthly"), tick, last=utc(2026, 2, 28, 1, 5), ok=utc(2026, 2, 28, 1, 5))
    assert not due(Src(1, schedule="monthly"), tick, last=utc(2026, 3, 10), ok=utc(2026, 3, 10))


def test_spread_interleaves_hosts_and_spaces_runs_on_one_host() -> None:
    sources = [
        Src(1, "https://a.example/1"),
        Src(2, "https://a.example/2"),
        Src(3, "https://A.example/3"),
        Src(4, "https://b.example/feed"),
        Src(5, "https://c.example/feed"),
        Src(6, "https://b.example/other"),
    ]
    plan = spread(sources, host_spacing_seconds=300)
    assert [d.source_id for d in plan] == [1, 4, 5, 2, 6, 3]
    assert [(d.host, d.offset_seconds) for d in plan if d.host == "a.example"] == [
        ("a.example", 0),
        ("a.example", 300),
        ("a.example", 600),
    ]
    hosts = [d.host for d in plan]
    assert all(left != right for left, right in pairwise(hosts)), "no host twice in a row"
