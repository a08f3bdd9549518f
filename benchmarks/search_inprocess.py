"""``search()`` in process against a benchmark store: where a request's time goes, without HTTP.

    .venv/bin/python benchmarks/search_inprocess.py sqlite:///benchmarks/out/search-100000.db
    .venv/bin/python benchmarks/search_inprocess.py 'postgresql+psycopg://postgres@127.0.0.1/bench1m?options=-csearch_path%3Dbench_scale_1000000'
    .venv/bin/python benchmarks/search_inprocess.py URL --profile out.prof --only prefix

Builds the in-memory facet index once (timed), then runs the search benchmark's query mix
(``search_bench.QUERIES``) ``--rounds`` times through ``catalog.search.search`` (``--cold``: with the
index's remembered text matches forgotten before each search, as for a query not seen before). Prints
per query class the median and p95 of wall milliseconds and the process CPU milliseconds per search,
so that numbers on a shared machine can be compared.
"""

from __future__ import annotations

import argparse
import cProfile
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import search_bench  # noqa: E402  (the benchmarks folder is not a package)


def _query(params: Any) -> Any:
    from catalog.search import FACETS, SearchQuery

    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    filters: dict[str, list[str]] = {}
    options: dict[str, Any] = {}
    for name, value in pairs:
        if name in FACETS:
            filters.setdefault(name, []).append(value)
        elif name == "modified_since":
            from datetime import datetime

            options[name] = datetime.fromisoformat(value)
        else:
            options[name] = value
    return SearchQuery(filters=filters, **options)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", help="only this query class (browse, text, prefix, facets, text+facets)")
    parser.add_argument("--profile", help="write a cProfile of the timed searches to this file")
    parser.add_argument("--each", action="store_true", help="print every query's median")
    parser.add_argument(
        "--cold", action="store_true", help="forget remembered text matches before every search"
    )
    args = parser.parse_args(argv)

    from sqlalchemy.orm import Session

    from catalog.db.engine import make_engine
    from catalog.search import memory, search

    engine = make_engine(args.url)
    queries = [(kind, params) for kind, params in search_bench.QUERIES if args.only in (None, kind)]
    with Session(engine) as session:
        started, cpu = time.perf_counter(), time.process_time()
        memory.facet_index(session)
        print(
            f"index build: {(time.perf_counter() - started) * 1000:.0f} ms wall,"
            f" {(time.process_time() - cpu) * 1000:.0f} ms CPU"
        )
        for _, params in queries:  # warm: lexeme cache, statement caches
            search(session, _query(params))
        profile = cProfile.Profile() if args.profile else None
        wall: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        each: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for kind, params in queries:
                query = _query(params)
                if args.cold:
                    memory.facet_index(session)._memo.clear()
                started, cpu = time.perf_counter(), time.process_time()
                if profile is not None:
                    profile.enable()
                search(session, query)
                if profile is not None:
                    profile.disable()
                elapsed = (time.perf_counter() - started) * 1000
                wall.setdefault(kind, []).append(elapsed)
                cpus.setdefault(kind, []).append((time.process_time() - cpu) * 1000)
                each.setdefault(f"{kind} {params}", []).append(elapsed)
        if profile is not None:
            profile.dump_stats(args.profile)
    engine.dispose()
    print("| queries | searches | p50 ms | p95 ms | CPU ms (mean) |")
    print("|---|---:|---:|---:|---:|")
    everything = [t for values in wall.values() for t in values]
    all_cpu = [t for values in cpus.values() for t in values]
    for kind, values in [*wall.items(), ("all", everything)]:
        cpu_values = cpus.get(kind, all_cpu)
        print(
            f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {_percentile(values, 95):.1f} |"
            f" {statistics.fmean(cpu_values):.1f} |"
        )
    if args.each:
        for name, values in each.items():
            print(f"{statistics.median(values):8.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
