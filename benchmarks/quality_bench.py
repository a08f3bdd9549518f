"""Quality benchmark: import throughput with validation and scoring on versus off, and per-record costs.

    .venv/bin/python benchmarks/quality_bench.py                 # 2,000 datasets
    .venv/bin/python benchmarks/quality_bench.py --sizes 10000 --rounds 2

For each size the generated feed (``generate_feed.generate``, cached under ``benchmarks/out/``) is
imported into a fresh SQLite file by ``import_location``, once with ``quality.score_on_harvest`` off
(the baseline) and once on, each in its own process, alternating for ``--rounds`` rounds; wall and CPU
seconds of the import itself (not the schema upgrade) are reported, and datasets/s. Then, in this
process, on the feed's records: the cost per record of ``validate_record`` (the validator's
``check_record``), of ``score_record``, and of ``recompute`` over the imported feed (read each record
from SQLite, validate, score, replace its quality row).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import cpu_seconds as _cpu

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE.parent))

__all__ = ["main"]


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


def _child_import(path: str) -> dict[str, Any]:
    from catalog.services import import_location, upgrade_database

    upgrade_database()
    start, cpu = time.perf_counter(), _cpu()
    report = import_location(path, name="benchmark feed")
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _cpu() - cpu,
        "created": report.counts["created"],
        "failed": report.failed,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _import(path: Path, scoring: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="catalog-quality-bench-") as tmp:
        env = dict(os.environ)
        env["CATALOG_DATABASE__URL"] = f"sqlite:///{tmp}/catalog.db"
        env["CATALOG_HARVEST__MAX_RESPONSE_BYTES"] = str(max(path.stat().st_size * 2, 1 << 20))
        env["CATALOG_QUALITY__SCORE_ON_HARVEST"] = "true" if scoring else "false"
        env["PYTHONPATH"] = str(HERE.parent)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(path)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=tmp)
        if done.returncode != 0:
            raise RuntimeError(f"import of {path} failed:\n{done.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


def _per_record(path: Path) -> dict[str, float]:
    """CPU microseconds per record: validation (one by one; in harvest batches with and without the fast
    path), scoring, ``recompute``, and the harvest's hook ``score_and_store`` (validate, score, store the
    rows) per batch of 500 with and without the fast path."""
    from functools import partial

    from sqlalchemy import select

    import catalog.quality.validate as validate_module
    from catalog.db.engine import make_engine, make_session_factory
    from catalog.db.tables import DatasetRow
    from catalog.model import DataService, Dataset, DatasetSeries
    from catalog.quality.score import score_record
    from catalog.quality.store import recompute, score_and_store, validate_record
    from catalog.rdf.parse import parse_feed
    from catalog.services import import_location, upgrade_database
    from catalog.settings import Settings, get_settings

    with parse_feed(str(path)) as reader:
        records = [parsed.record for parsed in reader]
    n = len(records)
    start = time.process_time()
    findings = [validate_record(r) for r in records]
    validate_us = (time.process_time() - start) / n * 1e6
    checked = validate_module.check_records
    batches = [records[i : i + 500] for i in range(0, n, 500)]
    costs: dict[str, float] = {}
    for label, check in (("batch_ref_us", partial(checked, fast=False)), ("batch_fast_us", checked)):
        start = time.process_time()
        for batch in batches:
            check(batch)
        costs[label] = (time.process_time() - start) / n * 1e6
    start = time.process_time()
    for record, found in zip(records, findings, strict=True):
        score_record(record, findings=found, links={})
    score_us = (time.process_time() - start) / n * 1e6
    kinds = {"Dataset": Dataset, "DataService": DataService, "DatasetSeries": DatasetSeries}
    with tempfile.TemporaryDirectory(prefix="catalog-quality-bench-") as tmp:
        limit = max(path.stat().st_size * 2, 1 << 20)
        settings = Settings(database={"url": f"sqlite:///{tmp}/q.db"}, harvest={"max_response_bytes": limit})
        os.environ["CATALOG_QUALITY__SCORE_ON_HARVEST"] = "false"  # import unscored, then time recompute
        get_settings.cache_clear()
        upgrade_database(settings=settings)
        import_location(str(path), name="benchmark feed", settings=settings)
        engine = make_engine(settings.database.url)
        factory = make_session_factory(engine, writer=True)
        start = time.process_time()
        recompute(factory)
        store_us = (time.process_time() - start) / n * 1e6
        with factory() as session:
            rows = session.execute(select(DatasetRow.id, DatasetRow.kind, DatasetRow.record)).all()
        items = [(row.id, kinds[row.kind].model_validate_json(row.record)) for row in rows]
        for label, check in (("hook_ref_us", partial(checked, fast=False)), ("hook_fast_us", checked)):
            validate_module.check_records = check  # what score_and_store's validate_records calls
            try:
                start = time.process_time()
                for i in range(0, len(items), 500):
                    with factory() as session:
                        score_and_store(session, items[i : i + 500])
                        session.commit()
                costs[label] = (time.process_time() - start) / n * 1e6
            finally:
                validate_module.check_records = checked
        engine.dispose()
    violations = sum(1 for f in findings for x in (f or ()) if getattr(x, "severity", "") == "violation")
    return {"records": n, "validate_us": validate_us, "score_us": score_us, "store_us": store_us,
            "violations": violations, "validated": sum(f is not None for f in findings), **costs}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark validation and scoring on the import path.")
    parser.add_argument("--sizes", default="2000", help="comma-separated dataset counts")
    parser.add_argument("--rounds", type=int, default=1, help="off/on import pairs per size")
    parser.add_argument("--costs-only", action="store_true", help="only the per-record costs")
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child_import(args.child)))
        return 0
    load = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load}")  # fmt: skip
    print("| datasets | scoring | import s (CPU s) | datasets/s (CPU) | peak MB | on / off (wall, CPU) |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        path = _feed(n)
        for _ in range(0 if args.costs_only else args.rounds):
            off, on = _import(path, False), _import(path, True)
            for label, r in (("off", off), ("on", on)):
                ratio = (
                    f"{on['seconds'] / off['seconds']:.2f}x, {on['cpu'] / off['cpu']:.2f}x"
                    if label == "on"
                    else ""
                )
                print(
                    f"| {n:,} | {label} | {r['seconds']:.1f} ({r['cpu']:.1f}) "
                    f"| {r['created'] / r['seconds']:,.0f} ({r['created'] / r['cpu']:,.0f}) "
                    f"| {r['peak_mb']:.0f} | {ratio} |",
                    flush=True,
                )
        costs = _per_record(path)
        print(
            f"\nCPU per record ({costs['records']:,} records, {costs['validated']:,} validated, "
            f"{costs['violations']:,} violations): validate {costs['validate_us']:,.0f} us, "
            f"score {costs['score_us']:,.1f} us, recompute (read + validate + score + store) "
            f"{costs['store_us']:,.0f} us",
            flush=True,
        )
        print(
            f"Harvest batches of 500, CPU per record, checker only -> with the fast path (same run): "
            f"check_records {costs['batch_ref_us']:,.0f} -> {costs['batch_fast_us']:,.0f} us "
            f"({costs['batch_ref_us'] / costs['batch_fast_us']:.1f}x); score_and_store (validate + score + "
            f"store the rows) {costs['hook_ref_us']:,.0f} -> {costs['hook_fast_us']:,.0f} us "
            f"({costs['hook_ref_us'] / costs['hook_fast_us']:.1f}x)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
