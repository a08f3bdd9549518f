"""The harvest benchmark: a paged DCAT feed served over loopback HTTP, harvested twice into SQLite.

    .venv/bin/python benchmarks/harvest_bench.py                    # 10,000 and 100,000 datasets
    .venv/bin/python benchmarks/harvest_bench.py --sizes 10000      # chosen sizes
    .venv/bin/python benchmarks/harvest_bench.py --quick            # 1,000 datasets only
    .venv/bin/python benchmarks/harvest_bench.py --no-readme        # print only
    .venv/bin/python benchmarks/harvest_bench.py --quality both     # validation and scoring on, then off

The feed of ``generate_feed.generate`` (cached in ``benchmarks/out/feed-N.ttl``, as ``run.py`` does) is
split into Turtle pages of 1,000 datasets (cached in ``benchmarks/out/pages-N/``), each with the
catalogue header (the catalogue and its agents) and a Hydra ``PartialCollectionView`` whose ``next``
names the following page. A plain threaded ``http.server`` in a subprocess serves the pages on 127.0.0.1
(with ``Last-Modified``, answering ``If-Modified-Since`` with 304 as any static server does). A ``dcat``
source is registered in a fresh SQLite store and harvested twice, each run in a process of its own so its
peak RSS (``ru_maxrss``) is that run's: the first run creates every dataset, the second finds the source
unchanged. The baseline, also in a process of its own: ``pyoxigraph.parse`` over the same page files,
counting triples. Prints a Markdown table and, unless ``--no-readme``, adds it to ``benchmarks/README.md``
under "## Harvest benchmark".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, TextIO

from _common import commit as _commit
from _common import cpu_seconds as _cpu
from _common import machine as _machine
from _common import peak_mb as _peak_mb
from _common import stolen_seconds as _stolen

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
README = HERE / "README.md"
PAGE_SIZE = 1000
SECTION = "## Harvest benchmark"
RAW_BASE = "http://127.0.0.1/pages/"
"""Base IRI for the baseline parse (the pages link to each other by relative IRIs)."""

__all__ = ["main", "measure", "split_pages"]


# Feed and pages


def _feed(n: int) -> Path:
    """The generated ``n``-dataset Turtle feed, made once (the same cache as ``run.py``)."""
    path = OUT / f"feed-{n}.ttl"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        from generate_feed import generate

        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        generate(n, partial, format="turtle")
        partial.rename(path)
    return path


def _blocks(lines: TextIO) -> Iterator[list[str]]:
    """The feed's statements: runs of lines separated by blank lines (how ``generate_feed`` writes them)."""
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _page_name(number: int) -> str:
    return f"page-{number:05d}.ttl"


def split_pages(feed: Path, folder: Path, page_size: int = PAGE_SIZE) -> list[Path]:
    """Split a generated feed into pages of ``page_size`` datasets, streaming; return the page files.

    Each page repeats the header (prefixes, catalogue, agents) so that it stands alone, and all but the
    last link to the next with ``hydra:next``. A dataset's blocks (contact point, distributions, catalogue
    link) follow it in the feed and stay on its page.
    """
    done = folder / "complete"
    if done.exists():
        return sorted(folder.glob("page-*.ttl"))
    folder.mkdir(parents=True, exist_ok=True)
    header: list[str] = []
    pages: list[Path] = []
    current: list[str] = []
    count = 0

    def flush(last: bool) -> None:
        number = len(pages) + 1
        view = (
            "<> a <http://www.w3.org/ns/hydra/core#PartialCollectionView>"
            + ("" if last else f" ;\n    <http://www.w3.org/ns/hydra/core#next> <{_page_name(number + 1)}>")
            + " .\n\n"
        )
        path = folder / _page_name(number)
        path.write_text("".join(header) + view + "".join(current), encoding="utf-8")
        pages.append(path)

    with feed.open(encoding="utf-8") as lines:
        for block in _blocks(lines):
            is_dataset = len(block) > 1 and block[1].strip().startswith("a dcat:Dataset")
            if is_dataset:
                if count and count % page_size == 0:
                    flush(last=False)
                    current = []
                count += 1
            elif not count:
                header.extend([*block, "\n"])
                continue
            current.extend([*block, "\n"])
    flush(last=True)
    done.write_text(f"{count} datasets\n", encoding="utf-8")
    return pages


# Child processes


def _child_raw(folder: str) -> dict[str, Any]:
    """The baseline: ``pyoxigraph.parse`` over every page file, counting triples."""
    import pyoxigraph

    start, cpu = time.perf_counter(), _cpu()
    triples = 0
    for path in sorted(Path(folder).glob("page-*.ttl")):
        parsed = pyoxigraph.parse(
            path=str(path), format=pyoxigraph.RdfFormat.TURTLE, base_iri=RAW_BASE + path.name
        )
        triples += sum(1 for _ in parsed)
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "triples": triples}


def _child_harvest(database_url: str, source_id: str, max_bytes: str, quality: str = "on") -> dict[str, Any]:
    """One ``run_harvest`` of the source with the real fetcher (its page cache included) and plugin."""
    from sqlalchemy.orm import Session, sessionmaker

    from catalog.db.engine import make_engine, make_session_factory
    from catalog.harvest.fetch import Fetcher
    from catalog.harvest.pagecache import DbPageCache
    from catalog.harvest.readers import reader_cpu_seconds, reader_peak_mb
    from catalog.harvest.runner import run_harvest
    from catalog.settings import Settings

    settings = _settings(database_url, int(max_bytes), quality=quality == "on")
    fetchers: list[Fetcher] = []

    @contextlib.asynccontextmanager
    async def fetcher_factory(
        settings: Settings, factory: sessionmaker[Session], source: int, dry_run: bool
    ) -> AsyncIterator[Fetcher]:
        cache = DbPageCache(factory, source_id=source, read_only=dry_run)
        async with Fetcher.from_settings(settings, cache=cache) as fetcher:
            fetchers.append(fetcher)
            yield fetcher

    sessions = make_session_factory(make_engine(database_url), writer=True)
    start, cpu, readers = time.perf_counter(), _cpu(), reader_cpu_seconds()
    report = run_harvest(
        sessions, source_id=int(source_id), settings=settings, fetcher_factory=fetcher_factory
    )
    log = [entry for fetcher in fetchers for entry in fetcher.log]
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _cpu() - cpu,
        "reader_cpu": reader_cpu_seconds() - readers,
        "reader_peak_mb": reader_peak_mb(),
        "status": report.status,
        "error": report.error,
        "counts": dict(report.counts),
        "pages": len(log),
        "not_modified": sum(1 for entry in log if entry.from_cache),
    }


def _settings(database_url: str, max_bytes: int, *, quality: bool = True) -> Any:
    from catalog.settings import Settings

    return Settings(
        database={"url": database_url},
        harvest={"allow_private_networks": True, "max_response_bytes": max_bytes},
        quality={"score_on_harvest": quality},
    )


def _serve(folder: str) -> None:
    """Serve ``folder`` on 127.0.0.1 (a free port, printed on the first line) until killed."""
    import mimetypes
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    mimetypes.add_type("text/turtle", ".ttl")

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=folder))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def _run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextlib.contextmanager
def _server(folder: Path) -> Iterator[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}/{_page_name(1)}"
    finally:
        process.terminate()
        process.wait(timeout=10)


# Measuring


def measure(n: int, quality: str = "on") -> dict[str, Any]:
    """Generate (or reuse) and split the ``n``-dataset feed; baseline parse, first and second harvest."""
    feed = _feed(n)
    folder = OUT / f"pages-{n}-{PAGE_SIZE}"
    pages = split_pages(feed, folder)
    size = sum(page.stat().st_size for page in pages)
    largest = max(page.stat().st_size for page in pages)
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(HERE.parent))
    stolen = _stolen()
    raw = _run_child(["raw", str(folder)], env)
    with tempfile.TemporaryDirectory(prefix="catalog-harvest-bench-") as tmp, _server(folder) as url:
        database_url = f"sqlite:///{tmp}/catalog.db"
        max_bytes = str(max(largest * 2, 1 << 20))
        source_id = _register(database_url, url, int(max_bytes))
        first = _run_child(["harvest", database_url, str(source_id), max_bytes, quality], env)
        second = _run_child(["harvest", database_url, str(source_id), max_bytes, quality], env)
        db_mb = Path(tmp, "catalog.db").stat().st_size / 1e6
    after = _stolen()
    for run in (first, second):
        if run["status"] != "succeeded":
            raise RuntimeError(f"the harvest ended {run['status']}: {run['error']}")
    return {"datasets": n, "quality": quality, "pages": len(pages), "mb": size / 1e6, "db_mb": db_mb,
            "raw": raw, "first": first, "second": second,
            "stolen": None if stolen is None or after is None else after - stolen}  # fmt: skip


def _register(database_url: str, url: str, max_bytes: int) -> int:
    from catalog.db.engine import make_engine, make_session_factory
    from catalog.harvest.sources import add_source
    from catalog.services import upgrade_database

    settings = _settings(database_url, max_bytes)
    upgrade_database(settings=settings)
    engine = make_engine(database_url)
    try:
        return add_source(make_session_factory(engine), settings, name="Benchmark", kind="dcat", url=url)
    finally:
        engine.dispose()


HEADER = (
    "| datasets | quality | pages | feed MB | raw parse s | raw datasets/s | first run s | datasets/s "
    "| CPU ms per dataset: main + readers | first peak MB: main, reader "
    "| second run s | second peak MB | first / second | pages 304 | first / raw parse | stolen CPU s |\n"
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _row(r: dict[str, Any]) -> str:
    n, raw, first, second = r["datasets"], r["raw"], r["first"], r["second"]
    both = first["cpu"] + first["reader_cpu"]
    return (
        f"| {n:,} | {r['quality']} | {r['pages']} | {r['mb']:.0f} "
        f"| {raw['seconds']:.1f} ({raw['cpu']:.1f}) | {n / raw['seconds']:,.0f} "
        f"| {first['seconds']:.1f} ({first['cpu']:.1f}) "
        f"| {n / first['seconds']:,.0f} "
        f"| {1000 * first['cpu'] / n:.2f} + {1000 * first['reader_cpu'] / n:.2f} "
        f"| {first['peak_mb']:.0f}, {first['reader_peak_mb']:.0f} "
        f"| {second['seconds']:.1f} ({second['cpu']:.1f}) | {second['peak_mb']:.0f} "
        f"| {first['seconds'] / second['seconds']:.1f}x ({first['cpu'] / second['cpu']:.1f}x) "
        f"| {second['not_modified']} of {second['pages']} "
        f"| {first['seconds'] / raw['seconds']:.0f}x ({both / raw['cpu']:.0f}x) "
        f"| {'?' if r['stolen'] is None else format(r['stolen'], '.1f')} |"
    )


INTRO = f"""{SECTION}

`harvest_bench.py` harvests the generated feeds through the real engine (`run_harvest`, the `dcat`
harvester, the guarded fetcher and its page cache) from a plain threaded `http.server` on 127.0.0.1,
in pages of {PAGE_SIZE:,} datasets linked by Hydra `PartialCollectionView` / `next`, into a fresh SQLite
store. Each run is a process of its own (peak RSS is the run's own `ru_maxrss`); its pages are read by
page reader processes (`harvest.parse_workers`), whose CPU time and peak RSS are shown apart. The second
run harvests the unchanged source: the server answers 304 to its `If-Modified-Since`, and a page the
engine remembers (same body, same settings, every record stored) is not parsed again: its records are
marked seen in bulk (no dataset row rewritten). The baseline is `pyoxigraph.parse` over the same page
files, counting triples (no records built). The last column is the CPU time the hypervisor took from the
machine during the row's runs (`steal` in `/proc/stat`): a row with much of it was slowed by work that
was not its own.

    .venv/bin/python benchmarks/harvest_bench.py                  # 10,000 and 100,000
    .venv/bin/python benchmarks/harvest_bench.py --sizes 10000 --no-readme

References (issue 3): ckanext-dcat parses about 500 datasets/s before storing anything and rewrites every
dataset on every run. Targets: at least 3,000 datasets/s on a first run, an unchanged re-run at least 10x
faster than the first, memory flat in the feed's size.
"""


def add_to_readme(block: str) -> None:
    """Add ``block`` at the end of the "Harvest benchmark" section (made first when missing)."""
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + INTRO
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    end = len(text) if end < 0 else end + 1
    text = (
        text[:end].rstrip("\n")
        + "\n\n"
        + block.rstrip("\n")
        + "\n"
        + ("\n" + text[end:] if end < len(text) else "")
    )
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark harvesting a paged DCAT feed over loopback HTTP.")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated dataset counts")
    parser.add_argument("--quick", action="store_true", help="1,000 datasets only")
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    parser.add_argument(
        "--quality",
        choices=("on", "off", "both"),
        default="on",
        help="validation and scoring while harvesting (quality.score_on_harvest); both: on, then off",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve(args.serve)
        return 0
    if args.child:
        step, *rest = args.child
        result = _child_raw(*rest) if step == "raw" else _child_harvest(*rest)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    note = (
        "Times are wall seconds (CPU seconds of the harvesting process in brackets; the page readers'"
        " CPU is counted apart)."
    )
    lines = [f"### Results ({time.strftime('%Y-%m-%d')}, commit `{_commit()}`)", "",
             f"Started {_machine()}.", note, "", HEADER]  # fmt: skip
    print("\n".join(lines), flush=True)
    qualities = ["on", "off"] if args.quality == "both" else [args.quality]
    for n in sizes:
        for quality in qualities:
            row = _row(measure(n, quality))
            lines.append(row)
            print(row, flush=True)
    ended = f"Ended {_machine()}."
    lines.extend(["", ended])
    print(ended)
    if not args.no_readme:
        add_to_readme("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
