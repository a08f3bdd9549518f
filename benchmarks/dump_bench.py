"""Benchmark the full catalogue dumps through HTTP: seconds, datasets/s and the server's peak RSS.

    python benchmarks/dump_bench.py [N] [--workdir DIR] [--db PATH] [--formats ntriples turtle]
                                    [--cpu-records K] [--no-http]

Builds (or reuses) a SQLite catalogue of N generated datasets (``generate_feed.generate`` +
``catalog.services.import_location``), starts uvicorn on 127.0.0.1 in a subprocess, and downloads
``/catalog/dump.nt.gz`` and ``/catalog/dump.ttl.gz``: first with an empty block cache (*cold*: every
record is serialised), then twice more (*warm*: blocks come from the cache). The server's resident
memory is sampled every 20 ms with psutil. Each download is checked: decompressed (all gzip
members) and its ``dcat:dataset``/``dcat:service`` links from the catalogue counted. Prints one
Markdown table row per run. Nothing leaves the loopback interface.

First, in this process, the CPU cost of serialising a block's records is compared on the first
``--cpu-records`` datasets (default 10,000), both ways in the same run: the model path
(``write_records`` over each record's JSON parsed into the model, what dumps did before) and the
JSON path (``write_stored``, what they do now), then gzip at levels 1, 4, 6 and 9 on the output.
Through HTTP, after the dumps, ``--pages`` catalogue pages of 1,000 datasets
(``/catalog?page=N&per_page=1000``) are read in each format. Every HTTP row also gives the server's
CPU seconds (psutil), steadier than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pyoxigraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_feed import generate

__all__ = ["main", "run_dump"]

DUMPS = {"ntriples": "/catalog/dump.nt.gz", "turtle": "/catalog/dump.ttl.gz"}
_LINKS = {
    pyoxigraph.NamedNode("http://www.w3.org/ns/dcat#dataset"),
    pyoxigraph.NamedNode("http://www.w3.org/ns/dcat#service"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def build_database(n: int, workdir: Path, base_uri: str) -> Path:
    """A SQLite catalogue of ``n`` generated datasets in ``workdir`` (reused when already there)."""
    from catalog.services import import_location, upgrade_database
    from catalog.settings import Settings

    db = workdir / f"dump-{n}.db"
    if db.exists():
        return db
    feed = workdir / f"feed-{n}.nt"
    if not feed.exists():
        generate(n, feed, format="ntriples")
    partial = workdir / f"dump-{n}.partial.db"
    settings = Settings(
        database={"url": f"sqlite:///{partial}"},
        catalog={"base_uri": base_uri},
        harvest={"max_response_bytes": 4_000_000_000},
    )
    upgrade_database(settings=settings)
    started = time.perf_counter()
    report = import_location(str(feed), format="ntriples", settings=settings)
    print(f"imported {report.counts} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    partial.rename(db)
    return db


class _RssSampler(threading.Thread):
    """Peak resident memory of a process and its children, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._done = threading.Event()

    def current(self) -> int:
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, self.current())
            time.sleep(self.interval)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def _count_links(chunks: list[bytes], fmt: str) -> int:
    """Datasets the catalogue links to, read back from the downloaded (multi-member) gzip file."""
    rdf_format = pyoxigraph.RdfFormat.N_TRIPLES if fmt == "ntriples" else pyoxigraph.RdfFormat.TURTLE
    with gzip.GzipFile(fileobj=io.BytesIO(b"".join(chunks))) as document:
        return sum(1 for triple in pyoxigraph.parse(document, rdf_format) if triple.predicate in _LINKS)


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process has used so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


PAGE_TYPES = {"turtle": "text/turtle", "ntriples": "application/n-triples"}


def run_pages(base: str, fmt: str, pid: int, pages: int, per_page: int = 1000) -> dict[str, float]:
    """Read catalogue pages 1..``pages`` of ``per_page`` datasets; datasets/s of wall and server CPU."""
    cpu_before = _server_cpu(pid)
    started = time.perf_counter()
    datasets = 0
    with httpx.Client(base_url=base, timeout=None, headers={"Accept": PAGE_TYPES[fmt]}) as client:
        for page in range(1, pages + 1):
            response = client.get("/catalog", params={"page": page, "per_page": per_page})
            response.raise_for_status()
            rdf_format = pyoxigraph.RdfFormat.N_TRIPLES if fmt == "ntriples" else pyoxigraph.RdfFormat.TURTLE
            datasets += sum(
                1 for t in pyoxigraph.parse(response.content, rdf_format) if t.predicate in _LINKS
            )
    seconds = time.perf_counter() - started
    cpu = _server_cpu(pid) - cpu_before
    return {"datasets": datasets, "seconds": seconds, "rate": datasets / seconds, "cpu": cpu}


def run_dump(base: str, fmt: str, pid: int) -> dict[str, float]:
    """Download one dump; return seconds, bytes, datasets linked and the server's peak RSS (MB)."""
    sampler = _RssSampler(pid)
    baseline = sampler.current()
    cpu_before = _server_cpu(pid)
    sampler.start()
    chunks: list[bytes] = []
    size = 0
    started = time.perf_counter()
    with httpx.Client(timeout=None) as client, client.stream("GET", base + DUMPS[fmt]) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            size += len(chunk)
            chunks.append(chunk)
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    cpu = _server_cpu(pid) - cpu_before
    datasets = _count_links(chunks, fmt)
    return {
        "seconds": seconds,
        "bytes": size,
        "datasets": datasets,
        "rate": datasets / seconds,
        "cpu": cpu,
        "rss_mb": peak / 2**20,
        "rss_before_mb": baseline / 2**20,
    }


def _cpu(function: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU seconds of ``repeat`` calls (the machine is shared: the least is the least disturbed)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def serialisation_cpu(db: Path, records: int, base_uri: str) -> None:
    """Print CPU microseconds per record: model path vs JSON path, per format; then gzip levels."""
    from catalog.api.catalog_query import live_in_key_range
    from catalog.api.dumps import BLOCK_SIZE
    from catalog.db.engine import make_engine, make_session_factory
    from catalog.db.queries import StoredDataset
    from catalog.model import DataService, Dataset, DatasetSeries
    from catalog.rdf.serialize import write_records, write_stored
    from catalog.services import catalog_description
    from catalog.settings import Settings

    settings = Settings(database={"url": f"sqlite:///{db}"}, catalog={"base_uri": base_uri})
    engine = make_engine(settings.database.url)
    with make_session_factory(engine)() as session:
        rows = live_in_key_range(session, 0, records + 1)
    engine.dispose()
    blocks = [rows[i : i + BLOCK_SIZE] for i in range(0, len(rows), BLOCK_SIZE)]
    models = {"Dataset": Dataset, "DataService": DataService, "DatasetSeries": DatasetSeries}
    catalog = catalog_description(settings)

    def model(stored: StoredDataset) -> Dataset | DataService | DatasetSeries:
        record = models[stored.kind].model_validate_json(stored.record_json)
        return record if record.uri == stored.uri else record.model_copy(update={"uri": stored.uri})

    def by_model(fmt: str) -> list[bytes]:
        documents = []
        for block in blocks:
            out = io.BytesIO()
            write_records(out, (model(r) for r in block), format=fmt, catalog=catalog, base_uri=base_uri,
                          chunk_records=len(block) + 1)  # fmt: skip
            documents.append(out.getvalue())
        return documents

    def by_json(fmt: str) -> list[bytes]:
        documents = []
        for block in blocks:
            out = io.BytesIO()
            write_stored(
                out, block, format=fmt, catalog=catalog, base_uri=base_uri, chunk_records=len(block) + 1
            )
            documents.append(out.getvalue())
        return documents

    n = len(rows)
    print(f"CPU per record, {n:,} datasets in {len(blocks)} blocks (least of 3 runs, this process):\n")
    print("| format | model path µs | JSON path µs | ratio | output MB |")
    print("|---|---:|---:|---:|---:|")
    outputs: dict[str, list[bytes]] = {}
    for fmt in ("ntriples", "turtle"):
        old = _cpu(lambda fmt=fmt: by_model(fmt))
        new = _cpu(lambda fmt=fmt: by_json(fmt))
        outputs[fmt] = by_json(fmt)
        size = sum(map(len, outputs[fmt])) / 2**20
        print(
            f"| {fmt} | {old / n * 1e6:.0f} | {new / n * 1e6:.0f} | {old / new:.1f}x | {size:.1f} |",
            flush=True,
        )
    print("\n| format | gzip level | µs per record | MB gzip |")
    print("|---|---:|---:|---:|")
    for fmt, documents in outputs.items():
        for level in (1, 4, 6, 9):
            compressed: list[int] = []

            def pack(
                level: int = level, documents: list[bytes] = documents, out: list[int] = compressed
            ) -> None:
                out.clear()
                for document in documents:
                    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
                    out.append(len(compressor.compress(document) + compressor.flush()))

            seconds = _cpu(pack)
            print(
                f"| {fmt} | {level} | {seconds / n * 1e6:.1f} | {sum(compressed) / 2**20:.1f} |", flush=True
            )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", nargs="?", type=int, default=100_000, help="datasets (default 100000)")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--db", type=Path, help="use this SQLite catalogue instead of building one")
    parser.add_argument("--formats", nargs="+", choices=sorted(DUMPS), default=["ntriples", "turtle"])
    parser.add_argument("--warm-runs", type=int, default=2)
    parser.add_argument("--cpu-records", type=int, default=10_000, help="0: skip the in-process comparison")
    parser.add_argument("--no-http", action="store_true", help="only the in-process comparison")
    parser.add_argument("--pages", type=int, default=10, help="catalogue pages of 1,000 to read (0: none)")
    args = parser.parse_args(argv)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or build_database(args.n, args.workdir, base + "/")
    cache = db.with_name(db.name + ".dump-cache")
    if args.cpu_records:
        serialisation_cpu(db, args.cpu_records, base + "/")
    if args.no_http:
        return 0
    env = {
        **os.environ,
        "CATALOG_DATABASE__URL": f"sqlite:///{db}",
        "CATALOG_CATALOG__BASE_URI": base + "/",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "catalog.api.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")
        print(
            "| dump | cache | datasets | seconds | datasets/s | server CPU s | MB gzip | peak RSS MB (idle) |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for fmt in args.formats:
            shutil.rmtree(cache / fmt, ignore_errors=True)
            for run in range(1 + args.warm_runs):
                result = run_dump(base, fmt, server.pid)
                name, cache_state = DUMPS[fmt].rsplit("/", 1)[1], "cold" if run == 0 else "warm"
                print(
                    f"| {name} | {cache_state} | {result['datasets']:,.0f} | {result['seconds']:.2f} "
                    f"| {result['rate']:,.0f} | {result['cpu']:.2f} | {result['bytes'] / 2**20:.1f} "
                    f"| {result['rss_mb']:.0f} ({result['rss_before_mb']:.0f}) |",
                    flush=True,
                )
        if args.pages:
            print()
            print(
                f"| catalogue pages ({args.pages} x 1,000) | datasets | seconds | datasets/s | server CPU s "
                "| datasets per CPU s |"
            )
            print("|---|---:|---:|---:|---:|---:|")
            for fmt in args.formats:
                result = run_pages(base, fmt, server.pid, args.pages)
                print(
                    f"| {fmt} | {result['datasets']:,.0f} | {result['seconds']:.2f} | {result['rate']:,.0f} "
                    f"| {result['cpu']:.2f} | {result['datasets'] / result['cpu']:,.0f} |",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
