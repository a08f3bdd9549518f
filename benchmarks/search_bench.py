"""The search benchmark: ``GET /api/datasets`` over HTTP against uvicorn, on 100,000 datasets in SQLite.

    .venv/bin/python benchmarks/search_bench.py                  # 100,000 datasets, writes README section
    .venv/bin/python benchmarks/search_bench.py --size 10000 --no-readme

The store is built once (``upgrade_database`` + ``import_location`` of a feed from ``generate_feed``)
and cached under ``benchmarks/out/``. uvicorn runs in a subprocess on 127.0.0.1 (a free port); a mix of
queries (free text, prefixes, facet filters, sorts, deep pages) is timed one request at a time for
p50/p95/p99, then sent by 8 concurrent clients for requests per second. Nothing leaves the loopback.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
README = HERE / "README.md"
sys.path.insert(0, str(HERE))

__all__ = ["QUERIES", "build_store", "main"]


def _settings(db: Path) -> Any:
    from catalog.settings import Settings

    return Settings(
        database={"url": f"sqlite:///{db}"},
        catalog={"base_uri": "https://catalog.example/"},
        harvest={"max_response_bytes": 2**31},
    )


def build_store(size: int) -> Path:
    """A SQLite store holding ``size`` generated datasets (built once, then reused)."""
    from generate_feed import generate

    from catalog.services import import_location, upgrade_database

    db = OUT / f"search-{size}.db"
    if db.exists():
        return db
    OUT.mkdir(exist_ok=True)
    feed = OUT / f"feed-{size}.ttl"
    if not feed.exists():
        generate(size, feed)
    partial = OUT / f"search-{size}.partial.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    settings = _settings(partial)
    started = time.perf_counter()
    upgrade_database(settings=settings)
    report = import_location(str(feed), name="benchmark", settings=settings)
    print(f"loaded {size} datasets in {time.perf_counter() - started:.0f} s: {report}", flush=True)
    import sqlite3

    with sqlite3.connect(partial) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(db)
    return db


THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FILETYPE = "http://publications.europa.eu/resource/authority/file-type/"
CC0 = "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"

Params = Any  # a dict, or a list of pairs for repeated parameters
QUERIES: list[tuple[str, Params]] = [
    # (class, query parameters); every request also counts all ten facets
    ("browse", {}),
    ("browse", {"sort": "title"}),
    ("browse", {"page": 40}),
    ("browse", {"modified_since": "2025-06-01"}),
    ("text", {"q": "fietstellingen"}),
    ("text", {"q": "bomeninventaris"}),
    ("text", {"q": "luchtkwaliteit lummen"}),
    ("text", {"q": "afval deinze"}),
    ("text", {"q": "financien"}),
    ("text", {"q": "publieke toiletten geel"}),
    ("text", {"q": "omgevingsvergunningen"}),
    ("text", {"q": "energieverbruik schoten"}),
    ("text", {"q": "gent"}),
    ("text", {"q": "sint niklaas"}),
    ("prefix", {"q": "fietst"}),
    ("prefix", {"q": "evene"}),
    ("prefix", {"q": "wifi aart"}),
    ("prefix", {"q": "kapelle op"}),
    ("prefix", {"q": "meerjarenpl"}),
    ("facets", {"theme": THEME + "TRAN"}),
    ("facets", [("theme", THEME + "TRAN"), ("theme", THEME + "ENVI"), ("municipality", "44021")]),
    ("facets", {"province": "40000", "format": FILETYPE + "CSV"}),
    ("facets", {"municipality": "11002", "sort": "title"}),
    ("facets", {"licence": CC0, "keyword": "fiets"}),
    (
        "facets",
        {"access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC", "page": 3},
    ),
    ("text+facets", {"q": "bevolking", "province": "30000"}),
    ("text+facets", {"q": "parkeren", "municipality": "24062"}),
    ("text+facets", {"q": "bomen", "theme": THEME + "ENVI", "sort": "modified"}),
    ("text+facets", {"q": "spelen", "format": FILETYPE + "GEOJSON", "province": "70000"}),
]


NOTES = [
    "How a search is answered: the words go to FTS5 (matching keys only; bm25 ranking when at most",
    "2,000 datasets match, else title, keyword and other matches in tiers), filters and facet counts",
    "are bitwise operations on an in-memory bitset per facet value (`catalog.search.memory`, rebuilt",
    "when the store changes), and only the page's datasets are read from the store. In process,",
    "`search()` takes 7 to 15 ms for browsing, facet filters and narrow words, 20 to 35 ms for words",
    "that match 6,000 of the 100,000 generated datasets (the generator's vocabulary is small, so",
    "every template word is that common); the rest of a request is HTTP, JSON and middleware. The",
    "p95 target of 50 ms is met by the facet-only queries and missed by the broad text queries on this",
    "shared 2-CPU machine; the generated catalogue is also far less varied than a real one.",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "CATALOG_DATABASE__URL": f"sqlite:///{db}"}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "catalog.api.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    quiet = subprocess.DEVNULL  # the app logs every request (structured access log)
    server = subprocess.Popen(command, env=env, cwd=HERE.parent, stdout=quiet, stderr=quiet)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("uvicorn did not start")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _sequential(base: str, rounds: int) -> dict[str, list[float]]:
    import httpx

    timings: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(rounds):
            for kind, params in QUERIES:
                started = time.perf_counter()
                response = client.get("/api/datasets", params=params)
                elapsed = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                timings.setdefault(kind, []).append(elapsed)
    return timings


def _concurrent(base: str, clients: int, seconds: float) -> tuple[int, float]:
    import httpx

    done = [0] * clients
    stop = time.monotonic() + seconds

    def work(i: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            n = i
            while time.monotonic() < stop:
                client.get("/api/datasets", params=QUERIES[n % len(QUERIES)][1]).raise_for_status()
                done[i] += 1
                n += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), time.perf_counter() - started


def _table(timings: dict[str, list[float]]) -> list[str]:
    rows = ["| queries | requests | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    everything = [t for values in timings.values() for t in values]
    for kind, values in [*timings.items(), ("all", everything)]:
        name = f"**{kind}**" if kind == "all" else kind
        rows.append(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{_percentile(values, 95):.1f} | {_percentile(values, 99):.1f} |"
        )
    return rows


def _write_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    start = text.find("\n## Search\n")
    if start != -1:
        end = text.find("\n## ", start + 1)
        text = text[:start] + text[end:] if end != -1 else text[:start]
    README.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query mix (sequential)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the concurrent run")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    db = build_store(args.size)
    server, base = _start_server(db)
    try:
        import httpx

        started = time.perf_counter()
        httpx.get(base + "/api/datasets", timeout=300).raise_for_status()
        first = (time.perf_counter() - started) * 1000
        _sequential(base, 1)  # warm caches
        timings = _sequential(base, args.rounds)
        count, seconds = _concurrent(base, args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load = os.getloadavg()[0]
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    machine += f", load average {load:.1f} at the end (other jobs share the machine)"
    lines = [
        "## Search",
        "",
        "`search_bench.py`: `GET /api/datasets` over HTTP (httpx) against one uvicorn process on",
        f"127.0.0.1, {args.size:,} generated datasets in SQLite (FTS5), {len(QUERIES)} queries in the mix,",
        f"each request counting all ten facets; {args.rounds} sequential passes after a warm-up pass.",
        f"Machine: {machine}.",
        "",
        *_table(timings),
        "",
        f"Throughput, {args.clients} concurrent clients for {seconds:.0f} s: "
        f"**{count / seconds:.0f} requests/s** ({count} requests).",
        f"First request after start (builds the in-memory facet index): {first:.0f} ms.",
        "",
        *NOTES,
        "",
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_readme:
        _write_readme(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
