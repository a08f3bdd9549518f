"""The search benchmark: ``GET /api/datasets`` over HTTP against uvicorn, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/search_bench.py                  # 100,000 datasets, writes README section
    .venv/bin/python benchmarks/search_bench.py --size 10000 --no-readme
    .venv/bin/python benchmarks/search_bench.py --database both --size 20000   # PostgreSQL vs SQLite

The store is built once (``upgrade_database`` + ``import_location`` of a feed from ``generate_feed``)
and cached: a SQLite file under ``benchmarks/out/``, or a scratch schema ``bench_search_<size>`` in the
PostgreSQL at ``--postgres-url`` (loopback only; default ``CATALOG_BENCH_POSTGRES_URL`` or the test
server). uvicorn runs in a subprocess on 127.0.0.1 (a free port); a mix of queries (free text,
prefixes, facet filters, sorts, deep pages) is timed one request at a time for p50/p95/p99, then sent
by 8 concurrent clients for requests per second. Nothing leaves the loopback. ``--database sqlite``
writes the Search section of the README (keeping its PostgreSQL part); ``postgres`` and ``both``
write the PostgreSQL part, ``both`` with ratios against SQLite measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import socket
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

import search_report as report  # noqa: E402 (found through the path above)

__all__ = ["QUERIES", "build_postgres_store", "build_store", "main"]

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _settings(db: Path | str) -> Any:
    from catalog.settings import Settings

    return Settings(
        database={"url": db if isinstance(db, str) else f"sqlite:///{db}"},
        catalog={"base_uri": "https://catalog.example/"},
        harvest={"max_response_bytes": 2**31},
    )


def _feed(size: int) -> Path:
    from generate_feed import generate

    OUT.mkdir(exist_ok=True)
    feed = OUT / f"feed-{size}.ttl"
    if not feed.exists():
        generate(size, feed)
    return feed


def build_store(size: int) -> Path:
    """A SQLite store holding ``size`` generated datasets (built once, then reused)."""
    from catalog.services import import_location, upgrade_database

    db = OUT / f"search-{size}.db"
    if db.exists():
        return db
    feed = _feed(size)
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


def build_postgres_store(size: int, base_url: str) -> tuple[str, float | None]:
    """The URL of a scratch schema holding ``size`` generated datasets, and the load's seconds (None: reused).

    The schema is marked complete by a comment once loaded; an unmarked one (a load cut off) is rebuilt,
    a complete one is migrated to the newest revision.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from catalog.services import import_location, upgrade_database

    if make_url(base_url).host not in LOOPBACK:
        raise SystemExit(f"--postgres-url must point at the loopback interface, not {base_url!r}")
    schema = f"bench_search_{size}"
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    schema_url = url.render_as_string(hide_password=False)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            mark = "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = :schema"
            if connection.execute(text(mark), {"schema": schema}).scalar() == "complete":
                upgrade_database(settings=_settings(schema_url))  # migrations added since it was built
                return schema_url, None
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        feed = _feed(size)
        settings = _settings(schema_url)
        started = time.perf_counter()
        upgrade_database(settings=settings)
        report = import_location(str(feed), name="benchmark", settings=settings)
        seconds = time.perf_counter() - started
        print(f"loaded {size} datasets into PostgreSQL in {seconds:.0f} s: {report}", flush=True)
        with admin.connect() as connection:
            connection.execute(text(f'VACUUM ANALYZE "{schema}".datasets, "{schema}".dataset_search'))
            connection.execute(text(f"COMMENT ON SCHEMA \"{schema}\" IS 'complete'"))
        return schema_url, seconds
    finally:
        admin.dispose()


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(
    url: str, *, tree: Path | None = None, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn serving the store at ``url`` from the code in ``tree`` (default: this checkout)."""
    port = _free_port()
    env = {**os.environ, "CATALOG_DATABASE__URL": url, **(env or {})}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "catalog.api.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    quiet = subprocess.DEVNULL  # the app logs every request (structured access log)
    # ``python -m`` puts the working directory first on the path: the tree's ``catalog`` is served
    server = subprocess.Popen(command, env=env, cwd=tree or HERE.parent, stdout=quiet, stderr=quiet)
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


def _sequential(bases: list[str], rounds: int) -> list[dict[str, list[float]]]:
    """Each query of the mix timed on each server in turn (servers measured side by side see the same
    load from the rest of the machine)."""
    import httpx

    timings: list[dict[str, list[float]]] = [{} for _ in bases]
    clients = [httpx.Client(base_url=base, timeout=60) for base in bases]
    try:
        for _ in range(rounds):
            for kind, params in QUERIES:
                for client, timing in zip(clients, timings, strict=True):
                    started = time.perf_counter()
                    response = client.get("/api/datasets", params=params)
                    elapsed = (time.perf_counter() - started) * 1000
                    response.raise_for_status()
                    timing.setdefault(kind, []).append(elapsed)
    finally:
        for client in clients:
            client.close()
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


def _index_build_ms(url: str) -> float:
    """Milliseconds to build the in-memory facet index in process (best of three)."""
    from sqlalchemy.orm import Session

    from catalog.db.engine import make_engine
    from catalog.search import memory

    engine = make_engine(url)
    try:
        best = float("inf")
        for _ in range(3):
            with Session(engine) as session:
                started = time.perf_counter()
                memory._build(session, ())
                best = min(best, (time.perf_counter() - started) * 1000)
        return best
    finally:
        engine.dispose()


def _measure(
    urls: list[str], args: argparse.Namespace, trees: list[Path | None] | None = None
) -> list[dict[str, Any]]:
    """Serve each store from its own uvicorn (from the code in ``trees``, default this checkout); the
    sequential mix side by side, then each concurrently.

    The first pass over the mix (each query new to the server: its words' matches not yet remembered
    by the index) is kept apart as ``first_pass``; ``timings`` are the passes after it."""
    import httpx

    servers: list[subprocess.Popen[bytes]] = []
    try:
        runs: list[dict[str, Any]] = []
        for url, tree in zip(urls, trees or [None] * len(urls), strict=True):
            server, base = _start_server(url, tree=tree)
            servers.append(server)
            started = time.perf_counter()
            httpx.get(base + "/api/datasets", timeout=300).raise_for_status()
            runs.append({"base": base, "first": (time.perf_counter() - started) * 1000})
        bases = [run["base"] for run in runs]
        for run, timings in zip(runs, _sequential(bases, 1), strict=True):
            run["first_pass"] = timings
        for run, timings in zip(runs, _sequential(bases, args.rounds), strict=True):
            run["timings"] = timings
        for run in runs:
            run["count"], run["seconds"] = _concurrent(run["base"], args.clients, args.seconds)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    for run, url, tree in zip(runs, urls, trees or [None] * len(urls), strict=True):
        run["index"] = _index_build_ms(url) if tree is None else None  # in process: this checkout's code
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CATALOG_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    )
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query mix (sequential)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the concurrent run")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="SQLite only: also serve the store from the code in this directory (e.g. `git archive` of an "
        "older commit), side by side, and report ratios against it",
    )
    args = parser.parse_args(argv)
    if args.baseline is not None and args.database != "sqlite":
        raise SystemExit("--baseline compares SQLite runs only")
    urls: list[str] = []
    loads: list[float | None] = []
    if args.database in ("sqlite", "both"):
        fresh = not (OUT / f"search-{args.size}.db").exists()
        started = time.perf_counter()
        urls.append(f"sqlite:///{build_store(args.size)}")
        loads.append(time.perf_counter() - started if fresh else None)
    if args.database in ("postgres", "both"):
        url, load = build_postgres_store(args.size, args.postgres_url)
        urls.append(url)
        loads.append(load)
    trees: list[Path | None] = [None] * len(urls)
    if args.baseline is not None:
        urls, trees, loads = [*urls, urls[0]], [None, args.baseline.resolve()], [*loads, None]
    runs = _measure(urls, args, trees)
    for run, load in zip(runs, loads, strict=True):
        run["load"] = load
    if args.database == "sqlite":
        baseline = runs[1] if args.baseline is not None else None
        section = "\n".join(report.sqlite_section(args, runs[0], len(QUERIES), baseline))
    else:
        baseline = runs[0] if args.database == "both" else None
        section = "\n".join(report.postgres_section(args, runs[-1], runs[-1]["load"], baseline))
    print(section)
    if not args.no_readme:
        report.write_readme(README, section, postgres=args.database != "sqlite")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
