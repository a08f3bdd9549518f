"""The search benchmark's report: tables of p50/p95/p99, the README's Search section and its PostgreSQL part.

``search_bench.py`` measures; this module writes what it measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from pathlib import Path
from typing import Any

__all__ = [
    "NOTES",
    "POSTGRES_HEADING",
    "machine",
    "percentile",
    "postgres_section",
    "ratio_table",
    "sqlite_section",
    "table",
    "write_readme",
]


NOTES = [
    "How a search is answered: the words go to FTS5 (matching keys only; bm25 ranking when at most",
    "2,000 datasets match, else title, keyword and other matches in tiers), filters and facet counts",
    "are bitwise operations on an in-memory bitset per frequent facet value and numpy counts over key",
    "arrays for the others (`catalog.search.memory`, rebuilt when the store changes), and only the",
    "page's datasets are read from the store. A query's matches are remembered by the index (the 64",
    "most recent) until the store changes, so the passes after the first read no matches again: the",
    "first-pass table is what a query new to the server costs. The body is written once from plain",
    "dicts (`SEARCH_JSON`), not validated again as a model. In process, `search_inprocess.py` measures",
    "`search()` alone (`--cold` forgets the matches before every search).",
]


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def table(timings: dict[str, list[float]]) -> list[str]:
    """Markdown rows: requests, p50, p95 and p99 per class of query and for all."""
    rows = ["| queries | requests | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    everything = [t for values in timings.values() for t in values]
    for kind, values in [*timings.items(), ("all", everything)]:
        name = f"**{kind}**" if kind == "all" else kind
        rows.append(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 95):.1f} | {percentile(values, 99):.1f} |"
        )
    return rows


POSTGRES_HEADING = "### PostgreSQL"


def write_readme(readme: Path, section: str, *, postgres: bool) -> None:
    """Replace the Search section (keeping its PostgreSQL part), or only its PostgreSQL part."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    start = text.find("\n## Search\n")
    if start == -1:
        text, start = text.rstrip("\n") + "\n\n## Search\n", len(text.rstrip("\n")) + 1
    end = text.find("\n## ", start + 1)
    end = len(text) if end == -1 else end
    search = text[start:end]
    at = search.find("\n" + POSTGRES_HEADING + "\n")
    sqlite_part, postgres_part = (search, "") if at == -1 else (search[:at], search[at:])
    if postgres:
        postgres_part = "\n" + section
    else:
        sqlite_part = "\n" + section
    search = (
        sqlite_part.rstrip("\n") + "\n" + ("\n" + postgres_part.strip("\n") + "\n" if postgres_part else "")
    )
    text = text[:start] + search + ("\n" + text[end:].lstrip("\n") if end < len(text) else "")
    readme.write_text(text, encoding="utf-8")


def machine() -> str:
    """The machine, Python and the load average (the benchmark shares the machine)."""
    load = os.getloadavg()[0]
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    return machine + f", load average {load:.1f} at the end (other jobs share the machine)"


def sqlite_section(
    args: argparse.Namespace, run: dict[str, Any], queries: int, baseline: dict[str, Any] | None = None
) -> list[str]:
    """The Search section: the SQLite run (with ratios against the baseline code when it ran beside it)."""
    lines = [
        "## Search",
        "",
        "`search_bench.py`: `GET /api/datasets` over HTTP (httpx) against one uvicorn process on",
        f"127.0.0.1, {args.size:,} generated datasets in SQLite (FTS5), {queries} queries in the mix,",
        f"each request counting all ten facets; a first pass over the mix, then {args.rounds} passes.",
    ]
    if baseline is not None:
        lines += [
            f"Beside it, a second uvicorn serves the same store with the code of `{args.baseline.name}`",
            "(the baseline): each request of the mix goes to one, then the other, so both see the same",
            "load from the rest of the machine; the ratios are this code's over the baseline's.",
        ]
    lines += [f"Machine: {machine()}.", ""]
    if baseline is not None:
        lines += [
            "Passes after the first (queries seen before):",
            "",
            *ratio_table(run["timings"], baseline["timings"], "baseline"),
            "",
            "First pass (every query new to the server):",
            "",
            *ratio_table(run["first_pass"], baseline["first_pass"], "baseline"),
        ]
    else:
        lines += [
            *table(run["timings"]),
            "",
            "First pass (every query new to the server):",
            "",
            *table(run["first_pass"]),
        ]
    lines += [
        "",
        f"Throughput, {args.clients} concurrent clients for {run['seconds']:.0f} s: "
        f"**{run['count'] / run['seconds']:.0f} requests/s** ({run['count']} requests)"
        + (f"; baseline {baseline['count'] / baseline['seconds']:.0f} requests/s." if baseline else "."),
        f"First request after start (builds the in-memory facet index): {run['first']:.0f} ms"
        + (f" (baseline {baseline['first']:.0f} ms)." if baseline else "."),
        f"In-memory facet index build (in process, best of 3): {run['index']:.0f} ms.",
        "",
        *NOTES,
        "",
    ]
    return lines


def ratio_table(
    postgres: dict[str, list[float]], sqlite: dict[str, list[float]], against: str = "SQLite"
) -> list[str]:
    """Markdown rows of timings (PostgreSQL's) with their p50 and p95 as ratios of others (SQLite's)."""
    rows = [
        f"| queries | requests | p50 ms | p95 ms | p99 ms | p50 / {against} | p95 / {against} |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    every = {
        "postgres": [t for v in postgres.values() for t in v],
        "sqlite": [t for v in sqlite.values() for t in v],
    }
    for kind in [*postgres, "all"]:
        mine = every["postgres"] if kind == "all" else postgres[kind]
        theirs = every["sqlite"] if kind == "all" else sqlite[kind]
        p50, p95 = statistics.median(mine), percentile(mine, 95)
        rows.append(
            f"| {'**all**' if kind == 'all' else kind} | {len(mine)} | {p50:.1f} | {p95:.1f} | "
            f"{percentile(mine, 99):.1f} | {p50 / statistics.median(theirs):.2f}x | "
            f"{p95 / percentile(theirs, 95):.2f}x |"
        )
    return rows


def postgres_section(
    args: argparse.Namespace, run: dict[str, Any], load: float | None, baseline: dict[str, Any] | None
) -> list[str]:
    """The PostgreSQL part of the Search section (with ratios when SQLite ran beside it)."""
    lines = [
        POSTGRES_HEADING,
        "",
        f"The same mix on PostgreSQL ({args.size:,} generated datasets in a scratch schema on 127.0.0.1,",
        "loaded through `import_location` like the SQLite store; full-text search by",
        "`catalog.search.postgres`) served by one uvicorn process"
        + (
            " beside one serving the SQLite store\nof the same size: each request of the mix goes to one, "
            "then the other, so that both see the\nsame load from the rest of the machine (the ratios "
            "compare them); the concurrent runs come\none after the other."
            if baseline
            else "."
        ),
        f"Machine: {machine()}.",
        "",
        *(ratio_table(run["timings"], baseline["timings"]) if baseline else table(run["timings"])),
        "",
        f"Throughput, {args.clients} concurrent clients for {run['seconds']:.0f} s: "
        f"**{run['count'] / run['seconds']:.0f} requests/s** ({run['count']} requests)"
        + (f"; SQLite {baseline['count'] / baseline['seconds']:.0f} requests/s." if baseline else "."),
        f"In-memory facet index build (in process, best of 3): {run['index']:.0f} ms"
        + (f" (SQLite {baseline['index']:.0f} ms)." if baseline else "."),
        f"First request after start: {run['first']:.0f} ms"
        + (f" (SQLite {baseline['first']:.0f} ms)." if baseline else "."),
    ]
    if load is not None:
        line = f"Load of the {args.size:,} datasets (schema migrated, then `import_location`): {load:.0f} s"
        sqlite_load = baseline.get("load") if baseline else None
        lines.append(line + (f" (SQLite {sqlite_load:.0f} s)." if sqlite_load else "."))
    return [*lines, ""]
