"""Benchmark the full catalogue dumps through HTTP: seconds, datasets/s and the server's peak RSS.

    python benchmarks/dump_bench.py [N] [--workdir DIR] [--db PATH] [--formats ntriples turtle]

Builds (or reuses) a SQLite catalogue of N generated datasets (``generate_feed.generate`` +
``catalog.services.import_location``), starts uvicorn on 127.0.0.1 in a subprocess, and downloads
``/catalog/dump.nt.gz`` and ``/catalog/dump.ttl.gz``: first with an empty block cache (*cold*: every
record is serialised), then twice more (*warm*: blocks come from the cache). The server's resident
memory is sampled every 20 ms with psutil. Each download is checked: decompressed (all gzip
members) and its ``dcat:dataset``/``dcat:service`` links from the catalogue counted. Prints one
Markdown table row per run. Nothing leaves the loopback interface.
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


def run_dump(base: str, fmt: str, pid: int) -> dict[str, float]:
    """Download one dump; return seconds, bytes, datasets linked and the server's peak RSS (MB)."""
    sampler = _RssSampler(pid)
    baseline = sampler.current()
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
    datasets = _count_links(chunks, fmt)
    return {
        "seconds": seconds,
        "bytes": size,
        "datasets": datasets,
        "rate": datasets / seconds,
        "rss_mb": peak / 2**20,
        "rss_before_mb": baseline / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", nargs="?", type=int, default=100_000, help="datasets (default 100000)")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--db", type=Path, help="use this SQLite catalogue instead of building one")
    parser.add_argument("--formats", nargs="+", choices=sorted(DUMPS), default=["ntriples", "turtle"])
    parser.add_argument("--warm-runs", type=int, default=2)
    args = parser.parse_args(argv)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or build_database(args.n, args.workdir, base + "/")
    cache = db.with_name(db.name + ".dump-cache")
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
        print("| dump | cache | datasets | seconds | datasets/s | MB gzip | peak RSS MB (idle) |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for fmt in args.formats:
            shutil.rmtree(cache / fmt, ignore_errors=True)
            for run in range(1 + args.warm_runs):
                result = run_dump(base, fmt, server.pid)
                name, cache_state = DUMPS[fmt].rsplit("/", 1)[1], "cold" if run == 0 else "warm"
                print(
                    f"| {name} | {cache_state} | {result['datasets']:,.0f} | {result['seconds']:.2f} "
                    f"| {result['rate']:,.0f} | {result['bytes'] / 2**20:.1f} "
                    f"| {result['rss_mb']:.0f} ({result['rss_before_mb']:.0f}) |",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
