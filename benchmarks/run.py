"""The feed import benchmark: raw pyoxigraph parse, our parse to records, end-to-end import into SQLite.

    .venv/bin/python benchmarks/run.py                      # 10,000 and 100,000 datasets
    .venv/bin/python benchmarks/run.py --sizes 10000        # chosen sizes
    .venv/bin/python benchmarks/run.py --quick              # 1,000 datasets only

Feeds are generated once with ``generate_feed.generate`` and cached under ``benchmarks/out/``. Each
measurement runs in its own Python process, so the peak RSS reported (``ru_maxrss`` of that process)
is the measured step's own: the raw ``pyoxigraph.parse`` loop (the baseline), ``parse_feed`` iterated to
records, and ``upgrade_database`` + ``import_location`` into a fresh SQLite file (parse, normalise,
store, index). Prints one Markdown table row per feed size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import cpu_seconds as _cpu
from _common import peak_mb as _peak_mb

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

__all__ = ["main", "measure"]


def _child_raw(path: str) -> dict[str, Any]:
    import pyoxigraph

    start, cpu = time.perf_counter(), _cpu()
    triples = sum(1 for _ in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE))
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "triples": triples}


def _child_parse(path: str) -> dict[str, Any]:
    from catalog.rdf.parse import parse_feed

    start, cpu = time.perf_counter(), _cpu()
    records = 0
    with parse_feed(path) as reader:
        indexed = time.perf_counter() - start
        for _ in reader:
            records += 1
        failures = len(reader.failures)
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "index_seconds": indexed,
            "records": records, "failures": failures}  # fmt: skip


def _child_import(path: str) -> dict[str, Any]:
    from catalog.services import import_location, upgrade_database

    start = time.perf_counter()
    upgrade_database()
    upgraded, cpu = time.perf_counter(), _cpu()
    report = import_location(path, name="benchmark feed")
    done = time.perf_counter()
    return {
        "seconds": done - upgraded,
        "cpu": _cpu() - cpu,
        "upgrade_seconds": upgraded - start,
        "records": sum(report.counts[k] for k in ("created", "updated", "unchanged", "restored", "linked")),
        "failed": report.failed,
        "status": report.status,
    }


_CHILDREN = {"raw": _child_raw, "parse": _child_parse, "import": _child_import}


def _run_child(step: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", step, str(path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{step} on {path} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _feed(n: int) -> Path:
    path = OUT / f"feed-{n}.ttl"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        from generate_feed import generate

        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        generate(n, partial, format="turtle")
        partial.rename(path)
    return path


def measure(n: int) -> dict[str, Any]:
    """Generate (or reuse) the ``n``-dataset feed and measure the three steps, each in a fresh process."""
    path = _feed(n)
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        env = dict(os.environ)
        env["CATALOG_DATABASE__URL"] = f"sqlite:///{tmp}/catalog.db"
        env["CATALOG_HARVEST__MAX_RESPONSE_BYTES"] = str(max(path.stat().st_size * 2, 1 << 20))
        env.setdefault("PYTHONPATH", str(HERE.parent))
        raw = _run_child("raw", path, env)
        parse = _run_child("parse", path, env)
        imported = _run_child("import", path, env)
    return {"datasets": n, "mb": path.stat().st_size / 1e6, "raw": raw, "parse": parse, "import": imported}


def _row(r: dict[str, Any]) -> str:
    n, raw, parse, imp = r["datasets"], r["raw"], r["parse"], r["import"]
    return (
        f"| {n:,} | {raw['triples']:,} | {r['mb']:.0f} "
        f"| {raw['seconds']:.2f} ({raw['cpu']:.2f}) | {raw['peak_mb']:.0f} "
        f"| {parse['seconds']:.1f} ({parse['cpu']:.1f}) "
        f"| {n / parse['seconds']:,.0f} ({n / parse['cpu']:,.0f}) | {parse['peak_mb']:.0f} "
        f"| {imp['seconds']:.1f} ({imp['cpu']:.1f}) "
        f"| {imp['records'] / imp['seconds']:,.0f} ({imp['records'] / imp['cpu']:,.0f}) "
        f"| {imp['peak_mb']:.0f} "
        f"| {imp['seconds'] / raw['seconds']:.1f}x ({imp['cpu'] / raw['cpu']:.1f}x) |"
    )


HEADER = (
    "Times are wall seconds (CPU seconds of the measured process in brackets).\n\n"
    "| datasets | triples | feed MB | raw parse s | raw peak MB | parse to records s | records/s "
    "| parse peak MB | import s | datasets/s | import peak MB | import / raw parse |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the DCAT feed import.")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated dataset counts")
    parser.add_argument("--quick", action="store_true", help="1,000 datasets only")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        step, path = args.child
        result = _CHILDREN[step](path)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{platform.machine()}{load}")  # fmt: skip
    print(HEADER, flush=True)
    for n in sizes:
        print(_row(measure(n)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
