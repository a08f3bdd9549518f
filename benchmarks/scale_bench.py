"""At scale on PostgreSQL (issue 6): a million datasets, and harvest throughput with 1 versus 2 workers.

    .venv/bin/python benchmarks/scale_bench.py load --size 1000000        # build the store once
    .venv/bin/python benchmarks/scale_bench.py search --size 1000000      # search, catalogue pages
    .venv/bin/python benchmarks/scale_bench.py dump --size 1000000 --reuse  # dump cache, dump download
    .venv/bin/python benchmarks/scale_bench.py workers --sources 8 --per-source 2000

**load**: a scratch schema ``bench_scale_<size>`` in the PostgreSQL at ``--postgres-url`` (loopback
only). ``--seed`` datasets (default 20,000) go in through the harvest path (``import_location`` of a
generated feed: records, facets, search documents, quality); the rest is a bulk load that copies those
rows with SQL, each copy with new keys, slugs, URIs and remote ids (the search documents are rebuilt by
the database for every copy, the facet rows copied), until ``--size`` datasets are live. Say "bulk load
(copies of N harvested datasets)" when quoting numbers from it.

**search**: uvicorn on 127.0.0.1 against that schema; the search benchmark's query mix
(``search_bench.QUERIES``: browse, text, prefix, facet-only, text with facets) timed one request at a
time for p50/p95, the first pass over the mix (every query new to the server) apart from the passes
after it; catalogue pages (``/catalog?page=N&per_page=1000``, Turtle) as datasets/s.

**dump**: ``refresh_dump_cache`` of the N-Triples dump (every block serialised: the cold rate, in this
process), then ``/catalog/dump.nt.gz`` downloaded from a fresh uvicorn (the warm rate) and that
server's peak RSS.

A store in another database: ``--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/bench1m``
(``createdb`` it first); ``--reuse`` then never loads (an error when the store is not there).

**workers**: ``--sources`` loopback feeds of ``--per-source`` generated datasets each (pages of 500), a
fresh schema per run, all sources due at once; the time from the first worker's start until every
source's run succeeded, with 1 and then 2 ``catalog worker`` processes (each ``--concurrency 1``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import search_bench  # noqa: E402  (the benchmarks folder is not a package)

DEFAULT_URL = os.environ.get("CATALOG_BENCH_POSTGRES_URL", search_bench.DEFAULT_POSTGRES_URL)
COPIED = (
    "dataset_theme", "dataset_format", "dataset_licence", "dataset_keyword", "dataset_municipality",
    "dataset_publisher", "dataset_language", "dataset_access_rights",
)  # fmt: skip


def _schema_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    if make_url(base).host not in search_bench.LOOPBACK:
        raise SystemExit(f"--postgres-url must point at the loopback interface, not {base!r}")
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def _fresh_schema(base: str, schema: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return _schema_url(base, schema)


def _columns(connection: Any, table: str) -> list[str]:
    from sqlalchemy import text

    rows = connection.execute(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = :t AND is_generated = 'NEVER' ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [name for (name,) in rows]


def _copy_sql(connection: Any, table: str, key: str) -> str:
    """INSERT ... SELECT copying the seed rows of ``table`` with shifted keys and suffixed unique texts."""
    columns = _columns(connection, table)
    shifted = {
        "id": f"id + :{key}",
        "dataset_id": "dataset_id + :dataset_shift",
        "slug": "slug || :suffix",
        "uri": "uri || '#c' || :suffix",
        "remote_id": "remote_id || '#c' || :suffix",
    }
    select = ", ".join(
        shifted.get(c, c) if not (table == "datasets" and c == "dataset_id") else c for c in columns
    )
    where = "id <= :seed_max" if table == "datasets" else "dataset_id <= :seed_max"
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} WHERE {where}"


def load(size: int, seed: int, base: str, *, reuse: bool = False) -> str:
    """The URL of the ``size`` store: reused when a complete one is there (migrated to the newest
    revision), else loaded; with ``reuse``, never loaded (an error when there is none)."""
    from sqlalchemy import create_engine, text

    from catalog.services import import_location, upgrade_database

    schema = f"bench_scale_{size}"
    url = _schema_url(base, schema)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        mark = "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = :s"
        if connection.execute(text(mark), {"s": schema}).scalar() == "complete":
            print(f"reusing {schema}")
            upgrade_database(settings=search_bench._settings(url))  # migrations added since it was built
            return url
    if reuse:
        raise SystemExit(f"--reuse: no complete {schema} at {base} (run the load step first)")
    url = _fresh_schema(base, schema)
    settings = search_bench._settings(url)
    started = time.perf_counter()
    upgrade_database(settings=settings)
    report = import_location(str(search_bench._feed(seed)), name="benchmark", settings=settings)
    harvest_s = time.perf_counter() - started
    print(f"harvested {seed} datasets in {harvest_s:.0f} s: {report}", flush=True)
    engine = create_engine(url)
    copies = (size + seed - 1) // seed
    started = time.perf_counter()
    with engine.begin() as connection:
        seed_max = connection.execute(text("SELECT max(id) FROM datasets")).scalar_one()
        records_max = connection.execute(text("SELECT max(id) FROM source_records")).scalar_one()
        statements = {
            "datasets": _copy_sql(connection, "datasets", "dataset_shift"),
            "source_records": _copy_sql(connection, "source_records", "record_shift"),
            **{t: _copy_sql(connection, t, "dataset_shift") for t in COPIED},
        }
    for copy in range(1, copies):
        params = {
            "dataset_shift": copy * seed_max,
            "record_shift": copy * records_max,
            "suffix": f"-{copy}",
            "seed_max": seed_max,
        }
        with engine.begin() as connection:
            for sql in statements.values():
                connection.execute(text(sql), params)
        if copy % 10 == 0:
            print(f"  {copy * seed:,} copied in {time.perf_counter() - started:.0f} s", flush=True)
    with engine.begin() as connection:
        for table in ("datasets", "source_records"):
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
    engine.dispose()
    with admin.connect() as connection:
        # every table the copies filled: a server's autovacuum would get there in time, a benchmark
        # right after the load would otherwise plan with no statistics (source_records without them
        # looked like 1,400 records per dataset, and the catalogue pages paid 110 ms of JIT each)
        copied = ("datasets", "dataset_search", "source_records", "raw_records", "dataset_quality", *COPIED)
        connection.execute(text("VACUUM ANALYZE " + ", ".join(f'"{schema}".{t}' for t in copied)))
        connection.execute(text(f"COMMENT ON SCHEMA \"{schema}\" IS 'complete'"))
    admin.dispose()
    print(f"bulk load to {copies * seed:,} datasets in {time.perf_counter() - started:.0f} s", flush=True)
    return url


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _sequential(base: str, rounds: int, *, each: bool = False) -> dict[str, list[float]]:
    """The search benchmark's query mix, one request at a time: milliseconds per query class
    (``each``: every request's time printed too)."""
    import httpx

    timings: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=600) as client:
        for _ in range(rounds):
            for kind, params in search_bench.QUERIES:
                started = time.perf_counter()
                client.get("/api/datasets", params=params).raise_for_status()
                elapsed = (time.perf_counter() - started) * 1000
                timings.setdefault(kind, []).append(elapsed)
                if each:
                    print(f"  {elapsed:8.1f} ms  {kind} {params}", flush=True)
    return timings


def _table(timings: dict[str, list[float]]) -> list[str]:
    rows = ["| queries | requests | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
    everything = [t for values in timings.values() for t in values]
    for kind, values in [*timings.items(), ("all", everything)]:
        rows.append(
            f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {_percentile(values, 95):.1f} |"
        )
    return rows


SERVER_ENV = {"CATALOG_CATALOG__BASE_URI": "https://catalog.example/"}
"""The benchmark's settings (``search_bench._settings``) for the served app: the dumps it serves are the
blocks ``refresh_dump_cache`` built with them."""


def search(url: str, rounds: int, pages: int) -> dict[str, Any]:
    """The query mix: a first pass (every query new to the server), then ``rounds`` passes; catalogue
    pages as datasets/s."""
    import httpx

    server, base = search_bench._start_server(url, env=SERVER_ENV)
    try:
        started = time.perf_counter()
        httpx.get(base + "/api/datasets", timeout=600).raise_for_status()
        first_ms = (time.perf_counter() - started) * 1000
        first_pass = _sequential(base, 1, each=True)
        timings = _sequential(base, rounds)
        seen = 0
        started = time.perf_counter()
        with httpx.Client(base_url=base, timeout=600, headers={"Accept": "text/turtle"}) as client:
            for page in range(1, pages + 1):
                body = client.get("/catalog", params={"page": page, "per_page": 1000}).text
                seen += body.count("a dcat:Dataset")
        catalog_s = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    return {
        "first_ms": first_ms,
        "first_pass": first_pass,
        "timings": timings,
        "catalog_datasets": seen,
        "catalog_s": catalog_s,
    }


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (Linux ``VmHWM``) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def dump(url: str) -> dict[str, Any]:
    """``refresh_dump_cache`` of the N-Triples dump timed (every block serialised: the cold rate), then
    ``/catalog/dump.nt.gz`` downloaded from a fresh server (the warm rate) with its peak RSS."""
    import httpx
    from sqlalchemy import create_engine, text

    from catalog.api.dumps import refresh_dump_cache

    settings = search_bench._settings(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        live = connection.execute(
            text("SELECT count(*) FROM datasets WHERE withdrawn_at IS NULL")
        ).scalar_one()
    engine.dispose()
    started, cpu = time.perf_counter(), time.process_time()
    built = refresh_dump_cache(settings, formats=("ntriples",))
    refresh_s, refresh_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"dump cache: {built} blocks in {refresh_s:.0f} s ({refresh_cpu:.0f} s CPU)", flush=True)
    server, base = search_bench._start_server(url, env=SERVER_ENV)
    try:
        idle_mb = _peak_rss_mb(server.pid)
        size = 0
        started = time.perf_counter()
        with httpx.stream("GET", base + "/catalog/dump.nt.gz", timeout=3600) as response:
            response.raise_for_status()
            for chunk in response.iter_raw():
                size += len(chunk)
        download_s = time.perf_counter() - started
        peak_mb = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(10)
    return {
        "datasets": live,
        "blocks": built,
        "refresh_s": refresh_s,
        "refresh_cpu": refresh_cpu,
        "download_s": download_s,
        "bytes": size,
        "idle_mb": idle_mb,
        "peak_mb": peak_mb,
    }


def _serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def workers(
    sources: int, per_source: int, base_pg: str, counts: tuple[int, ...] = (1, 2)
) -> dict[int, float]:
    import harvest_bench
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from catalog.db.sources import create_source
    from catalog.db.tables import HarvestJob
    from catalog.services import upgrade_database

    folders = []
    for n in range(sources):
        folder = search_bench.OUT / f"workers-{per_source}-{n}"
        if not folder.exists():
            feed = search_bench.OUT / f"workers-feed-{per_source}-{n}.ttl"
            from generate_feed import generate

            generate(per_source, feed, seed=n, first=n * per_source)
            harvest_bench.split_pages(feed, folder, page_size=500)
        folders.append(folder)
    results: dict[int, float] = {}
    with ExitStack() as stack:
        bases = []
        for folder in folders:
            server, base = _serve(folder)
            stack.callback(server.shutdown)
            bases.append(base)
        for count in counts:
            url = _fresh_schema(base_pg, f"bench_workers_{count}")
            upgrade_database(settings=search_bench._settings(url))
            engine = create_engine(url)
            with Session(engine) as session:
                for n, base in enumerate(bases):
                    create_source(
                        session, name=f"feed {n}", kind="dcat", url=f"{base}/{harvest_bench._page_name(1)}"
                    )
                session.commit()
            env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
            env.update(
                CATALOG_DATABASE__URL=url,
                CATALOG_HARVEST__ALLOW_PRIVATE_NETWORKS="true",
                CATALOG_HARVEST__SCHEDULE="0 0 1 1 *",
                CATALOG_HARVEST__HOST_SPACING_SECONDS="0",
                CATALOG_WORKER__CONTROL_INTERVAL_SECONDS="1",
            )
            started = time.perf_counter()
            processes = [
                subprocess.Popen(
                    [str(Path(sys.executable).parent / "catalog"), "worker", "--concurrency", "1"],
                    env=env,
                    cwd=HERE.parent,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(count)
            ]
            try:
                while True:
                    with Session(engine) as session:
                        done = session.scalars(select(HarvestJob.status)).all()
                    if len(done) >= sources and all(s in ("succeeded", "partial", "failed") for s in done):
                        break
                    time.sleep(0.5)
                results[count] = time.perf_counter() - started
            finally:
                for process in processes:
                    process.terminate()
                    process.wait(60)
                engine.dispose()
            print(
                f"{count} worker(s): {sources * per_source:,} datasets in {results[count]:.1f} s", flush=True
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["load", "search", "dump", "workers"])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--sources", type=int, default=8)
    parser.add_argument("--per-source", type=int, default=2000)
    parser.add_argument("--postgres-url", default=DEFAULT_URL)
    parser.add_argument(
        "--reuse", action="store_true", help="use the store built before (never load; error if none)"
    )
    args = parser.parse_args(argv)
    if args.step == "workers":
        results = workers(args.sources, args.per_source, args.postgres_url)
        total = args.sources * args.per_source
        for count, seconds in results.items():
            print(
                f"| {count} | {total:,} | {seconds:.1f} | {total / seconds:,.0f} |"
                f" {results[1] / seconds:.2f}x |"
            )
        return 0
    url = load(args.size, args.seed, args.postgres_url, reuse=args.reuse)
    if args.step == "dump":
        run = dump(url)
        print(
            f"dump cache (cold): {run['datasets']:,} datasets in {run['refresh_s']:.0f} s"
            f" ({run['datasets'] / run['refresh_s']:,.0f}/s; {run['refresh_cpu']:.0f} s CPU)"
        )
        print(
            f"dump.nt.gz (warm): {run['bytes'] / 1e6:,.0f} MB in {run['download_s']:.1f} s"
            f" ({run['datasets'] / run['download_s']:,.0f} datasets/s),"
            f" server peak RSS {run['peak_mb']:.0f} MB (idle {run['idle_mb']:.0f} MB)"
        )
    if args.step == "search":
        run = search(url, args.rounds, args.pages)
        print(f"first request (facet index over {args.size:,}): {run['first_ms']:.0f} ms")
        print("first pass (every query new to the server):")
        print("\n".join(_table(run["first_pass"])))
        print(f"{args.rounds} passes after it:")
        print("\n".join(_table(run["timings"])))
        everything = [t for values in run["timings"].values() for t in values]
        print(f"all: p50 {statistics.median(everything):.1f} ms")
        rate = run["catalog_datasets"] / run["catalog_s"]
        print(
            f"catalogue pages: {run['catalog_datasets']:,} datasets in {run['catalog_s']:.1f} s"
            f" ({rate:,.0f}/s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
