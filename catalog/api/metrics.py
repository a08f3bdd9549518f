"""Prometheus metrics at ``/metrics`` (text exposition format 0.0.4).

Two kinds of numbers:

- **HTTP latency** of this web process: a histogram per method, route template (``/datasets/{id}``,
  never the raw path, so the label set stays small) and status class, recorded by the request middleware.
- **Harvest and queue figures read from the store at scrape time**, so they are the same whichever web
  process is scraped and count the work of every worker: harvest runs by source kind and status, records
  by action (the sum of the finished jobs' counts), run durations (a histogram over finished runs),
  running and queued runs, and, on PostgreSQL, the worker queue's waiting and running jobs.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from catalog.db.tables import HarvestJob, Source

__all__ = [
    "CONTENT_TYPE",
    "HTTP_BUCKETS",
    "RUN_BUCKETS",
    "HttpLatency",
    "queue_depth",
    "render_metrics",
    "route_label",
]

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RUN_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class _Histogram:
    buckets: Sequence[float]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    n: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(self.buckets, value)
        if index < len(self.counts):
            self.counts[index] += 1
        self.total += value
        self.n += 1

    def lines(self, name: str, labels: dict[str, str]) -> Iterable[str]:
        running = 0
        for bound, count in zip(self.buckets, self.counts, strict=True):
            running += count
            yield f"{name}_bucket{_labels({**labels, 'le': _number(bound)})} {running}"
        yield f"{name}_bucket{_labels({**labels, 'le': '+Inf'})} {self.n}"
        yield f"{name}_sum{_labels(labels)} {_number(self.total)}"
        yield f"{name}_count{_labels(labels)} {self.n}"


class HttpLatency:
    """Request durations of this process, by method, route template and status class."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._series: dict[tuple[str, str, str], _Histogram] = {}

    def observe(self, method: str, route: str, status: int | None, seconds: float) -> None:
        key = (method, route, f"{(status or 500) // 100}xx")
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Histogram(HTTP_BUCKETS)
            series.observe(seconds)

    def lines(self) -> Iterable[str]:
        name = "catalog_http_request_duration_seconds"
        yield f"# HELP {name} Time to answer an HTTP request (this web process), by route template."
        yield f"# TYPE {name} histogram"
        with self._lock:
            items = sorted(self._series.items())
            for (method, route, status), series in items:
                yield from series.lines(name, {"method": method, "route": route, "status": status})


def _number(value: float) -> str:
    return "+Inf" if math.isinf(value) else repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}"


def _family(name: str, kind: str, help: str, samples: Iterable[tuple[dict[str, str], float]]) -> list[str]:
    lines = [f"# HELP {name} {help}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{_labels(labels)} {_number(value)}" for labels, value in samples]
    return lines


def _harvest_lines(session: Session) -> list[str]:
    runs = session.execute(
        select(Source.kind, HarvestJob.status, func.count())
        .join(Source, Source.id == HarvestJob.source_id)
        .group_by(Source.kind, HarvestJob.status)
        .order_by(Source.kind, HarvestJob.status)
    ).all()
    finished = [(kind, status, n) for kind, status, n in runs if status not in ("queued", "running")]
    lines = _family(
        "catalog_harvest_runs_total",
        "counter",
        "Finished harvest runs, by source kind and final status.",
        (({"kind": kind, "status": status}, n) for kind, status, n in finished),
    )
    active: dict[str, float] = {"running": 0, "queued": 0}
    for _, status, n in runs:
        if status in active:
            active[status] += n
    lines += _family(
        "catalog_harvest_runs_active",
        "gauge",
        "Harvest runs going on now (running) or waiting to start (queued).",
        (({"state": state}, n) for state, n in sorted(active.items())),
    )
    actions: dict[str, float] = {}
    durations = _Histogram(RUN_BUCKETS)
    rows = session.execute(
        select(HarvestJob.stats, HarvestJob.started_at, HarvestJob.finished_at).where(
            HarvestJob.finished_at.is_not(None)
        )
    )
    for stats, started, ended in rows:
        for action, n in (stats or {}).items():
            if isinstance(n, int | float):
                actions[action] = actions.get(action, 0) + n
        if started is not None and ended is not None:
            durations.observe(max((ended - started).total_seconds(), 0.0))
    lines += _family(
        "catalog_harvest_records_total",
        "counter",
        "Records handled by finished harvest runs, by action (created, updated, unchanged, failed ...).",
        (({"action": action}, n) for action, n in sorted(actions.items())),
    )
    lines += [
        "# HELP catalog_harvest_run_duration_seconds How long finished harvest runs took.",
        "# TYPE catalog_harvest_run_duration_seconds histogram",
        *durations.lines("catalog_harvest_run_duration_seconds", {}),
    ]
    return lines


def queue_depth(session: Session) -> dict[str, int] | None:
    """The worker queue's harvest jobs waiting (todo) and running (doing); None without the queue."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    try:
        with session.begin_nested():
            rows = session.execute(
                text(
                    "SELECT status::text, count(*) FROM procrastinate_jobs"
                    " WHERE task_name = 'catalog.harvest_source' AND status IN ('todo', 'doing')"
                    " GROUP BY status"
                )
            ).all()
    except SQLAlchemyError:
        return None
    depth = {"todo": 0, "doing": 0}
    depth.update({status: int(n) for status, n in rows})
    return depth


def render_metrics(session: Session, latency: HttpLatency) -> str:
    """The whole exposition: store figures (when the store answers) and this process's latency."""
    lines: list[str] = []
    up = 1.0
    try:
        lines += _harvest_lines(session)
        depth = queue_depth(session)
        if depth is not None:
            lines += _family(
                "catalog_queue_jobs",
                "gauge",
                "Harvest jobs in the worker queue, waiting (todo) or running (doing).",
                (({"state": state}, n) for state, n in sorted(depth.items())),
            )
    except SQLAlchemyError:
        up = 0.0
    lines += _family("catalog_store_up", "gauge", "1 when the store answered this scrape.", [({}, up)])
    lines += list(latency.lines())
    return "\n".join(lines) + "\n"


def route_label(scope: MutableMapping[str, Any]) -> str:
    """The matched route's path template, or ``unmatched`` (keeps the label set small)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
