"""The validation benchmark: ``catalog validate`` on a generated feed, against pyshacl on the same feed.

    .venv/bin/python benchmarks/validate_bench.py                   # 10,000 datasets (pyshacl on 1,000)
    .venv/bin/python benchmarks/validate_bench.py --size 2000 --no-readme
    .venv/bin/python benchmarks/validate_bench.py --pyshacl-full    # pyshacl on the whole feed too (slow)

The feed is ``generate_feed.generate`` (cached in ``benchmarks/out/feed-N.ttl``, as ``run.py`` does).
Each measurement runs in a process of its own, so its peak RSS (``ru_maxrss``) is its own:

- ``parse``: the safe reader and the checker's index alone (``catalog.quality.report.read_graph``): the
  floor under any validation of the document;
- ``fast``: what ``catalog validate FEED --shapes vl`` does (read, index, check, group per dataset),
  without printing;
- ``pyshacl``: rdflib parse plus ``pyshacl.validate`` with the same shapes (the project's own ``vl`` set),
  ``inference="none"``; by default on the first 1,000 datasets of the same generator and seed (the same
  datasets as the feed's first 1,000), scaled linearly to the feed's size: that scaling is stated in the
  table;
- ``records``: ``check_record`` on records parsed from the feed (what the harvest runs on every record),
  CPU microseconds per record, split into writing the record's triples and checking them; and
  ``check_records`` (the batch form) on the same records.

Prints a Markdown block and, unless ``--no-readme``, adds it to ``benchmarks/README.md`` under
"## Validation benchmark".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import commit as _commit
from _common import cpu_seconds as _cpu
from _common import machine as _machine
from _common import peak_mb as _peak_mb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
README = HERE / "README.md"
SECTION = "## Validation benchmark"
SUBSET = 1000

__all__ = ["main", "measure"]


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


# Children: one measurement each, printed as one JSON line.


def _child_parse(feed: str) -> dict[str, Any]:
    from catalog.quality.report import read_graph

    start, cpu = time.perf_counter(), _cpu()
    graph = read_graph(feed)
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "triples": len(graph)}


def _child_fast(feed: str, shapes: str) -> dict[str, Any]:
    from catalog.quality.report import validate_document
    from catalog.quality.validate import shape_set

    shape_set(shapes)  # compiling the shapes (about 0.3 s, once per process) is not the document's cost
    start, cpu = time.perf_counter(), _cpu()
    report = validate_document(feed, shapes=shapes)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu": _cpu() - cpu,
        "results": len(report.results),
        "records": len(report.records),
        "triples": report.triples,
    }


def _child_pyshacl(feed: str, shapes: str) -> dict[str, Any]:
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    from catalog.quality.validate import SHAPE_SETS, _shape_file

    shapes_graph = rdflib.Graph()
    for name in SHAPE_SETS[shapes]:
        shapes_graph.parse(_shape_file(name), format="turtle")
    start, cpu = time.perf_counter(), _cpu()
    data = rdflib.Graph().parse(feed, format="turtle")
    parsed = time.perf_counter() - start
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none", allow_warnings=True)
    seconds = time.perf_counter() - start
    details = set(report.objects(None, SH.detail))
    results = sum(1 for r in report.subjects(rdflib.RDF.type, SH.ValidationResult) if r not in details)
    return {"seconds": seconds, "parse_seconds": parsed, "cpu": _cpu() - cpu, "results": results}


def _child_records(feed: str, count: str) -> dict[str, Any]:
    from catalog.quality.shacl import validate_graph
    from catalog.quality.shacl_graph import DataGraph
    from catalog.quality.validate import check_record, check_records, reference_findings, shape_set
    from catalog.rdf._write_triples import TripleWriter
    from catalog.rdf.parse import parse_feed

    limit = int(count)
    with parse_feed(feed) as reader:
        records = [parsed.record for _, parsed in zip(range(limit), reader, strict=False)]
    shapes = shape_set("vl")
    check_record(records[0])  # warm the caches (shapes, datatype checks)
    clock = time.process_time  # CPU time: other jobs on the machine do not inflate it
    start = clock()
    findings = sum(len(check_record(r)) for r in records)
    total = clock() - start
    start = clock()
    batched = sum(len(found) for found in check_records(records))
    batch = clock() - start
    start = clock()
    reference = sum(len(found) for found in check_records(records, fast=False))
    batch_reference = clock() - start
    start = clock()
    one_by_one = sum(len(reference_findings(r)) for r in records)
    single_reference = clock() - start
    start = clock()
    written = [TripleWriter("https://catalog.invalid/").record(r) for r in records]
    writing = clock() - start
    start = clock()
    for statements in written:
        validate_graph(DataGraph(statements), shapes)
    checking = clock() - start
    n = len(records)
    return {
        "records": n,
        "us_per_record": total / n * 1e6,
        "write_us": writing / n * 1e6,
        "check_us": checking / n * 1e6,
        "findings": findings,
        "batch_us": batch / n * 1e6,
        "batch_findings": batched,
        "batch_reference_us": batch_reference / n * 1e6,
        "batch_reference_findings": reference,
        "single_reference_us": single_reference / n * 1e6,
        "single_reference_findings": one_by_one,
    }


_CHILDREN = {"parse": _child_parse, "fast": _child_fast, "pyshacl": _child_pyshacl, "records": _child_records}


def _run_child(*args: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(n: int, *, pyshacl_full: bool = False, records: int = 2000) -> dict[str, Any]:
    """Every measurement on an ``n``-dataset feed (and pyshacl on the first ``SUBSET`` datasets)."""
    feed, subset = str(_feed(n)), str(_feed(min(n, SUBSET)))
    result: dict[str, Any] = {"n": n, "subset": min(n, SUBSET)}
    result["parse"] = _run_child("parse", feed)
    result["fast"] = _run_child("fast", feed, "vl")
    result["fast_subset"] = _run_child("fast", subset, "vl")
    result["pyshacl_subset"] = _run_child("pyshacl", subset, "vl")
    if pyshacl_full:
        result["pyshacl"] = _run_child("pyshacl", feed, "vl")
    result["records"] = _run_child("records", feed, str(min(records, n)))
    return result


def _row(label: str, datasets: int, triples: int, results: str, m: dict[str, Any]) -> str:
    return (
        f"| {label} | {datasets:,} | {triples:,} | {results} | {m['seconds']:.2f} | {m['cpu']:.2f} "
        f"| {m['peak_mb']:.0f} |"
    )


def _report(r: dict[str, Any]) -> list[str]:
    n, subset = r["n"], r["subset"]
    fast, sub, py = r["fast"], r["fast_subset"], r["pyshacl_subset"]
    scale = n / subset
    rows = [
        "| run | datasets | triples | results | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        _row("parse + index only (floor)", n, r["parse"]["triples"], "-", r["parse"]),
        _row("`catalog validate` logic", n, fast["triples"], f"{fast['results']:,}", fast),
        _row("`catalog validate` logic", subset, sub["triples"], f"{sub['results']:,}", sub),
        _row(f"pyshacl (rdflib parse {py['parse_seconds']:.1f} s incl.)", subset, sub["triples"],
             f"{py['results']:,}", py),
    ]  # fmt: skip
    if "pyshacl" in r:
        full = r["pyshacl"]
        rows.append(_row("pyshacl", n, fast["triples"], f"{full['results']:,}", full))
        versus = (
            f"pyshacl on all {n:,} datasets: {full['cpu'] / fast['cpu']:.0f}x the fast checker's CPU time, "
            f"{full['seconds'] / fast['seconds']:.0f}x its wall time"
        )
    else:
        estimate = py["cpu"] * scale
        versus = (
            f"pyshacl scaled from {subset:,} to {n:,} datasets (x{scale:.0f}, linear): about {estimate:.0f} "
            f"CPU s, {estimate / fast['cpu']:.0f}x the fast checker's {fast['cpu']:.1f} CPU s"
        )
    same = "equal" if py["results"] == sub["results"] else "DIFFERENT"
    rec = r["records"]
    rows += [
        "",
        f"- Same {subset:,} datasets: fast checker {sub['cpu']:.2f} CPU s vs pyshacl {py['cpu']:.2f} CPU s "
        f"= {py['cpu'] / sub['cpu']:.0f}x (wall {py['seconds'] / sub['seconds']:.0f}x); result counts {same} "
        f"({sub['results']:,} / {py['results']:,}).",
        f"- {versus}.",
        f"- Validating costs {fast['cpu'] / r['parse']['cpu']:.1f}x the CPU time of parse + index alone.",
        f"- `check_record` on {rec['records']:,} records parsed from the feed, CPU per record: "
        f"{rec['us_per_record']:.0f} µs ({rec['findings']:,} findings) with the fast path, "
        f"{rec['single_reference_us']:.0f} µs ({rec['single_reference_findings']:,} findings) without it "
        f"({rec['write_us']:.0f} µs writing the triples, {rec['check_us']:.0f} µs checking them): "
        f"{rec['single_reference_us'] / rec['us_per_record']:.1f}x. `check_records` (the batch form the "
        f"harvest uses) on the same records: {rec['batch_us']:.0f} µs with the fast path, "
        f"{rec['batch_reference_us']:.0f} µs without ({rec['batch_reference_us'] / rec['batch_us']:.1f}x); "
        f"{rec['batch_findings']:,} / {rec['batch_reference_findings']:,} findings.",
    ]
    return rows


INTRO = f"""{SECTION}

`validate_bench.py` measures `catalog validate` (the safe reader, the checker's index, the fast SHACL
checker with the project's own DCAT-AP-VL 3 shapes, the per-dataset grouping; no output written) on the
generated feed, against pyshacl with the same shapes on the same datasets, each in a process of its own
(peak RSS is that process's `ru_maxrss`). pyshacl runs on the feed's first {SUBSET:,} datasets (the same
generator and seed) and is scaled linearly, unless `--pyshacl-full`. The generated feed does not type the
terms it points to (themes, licences, formats ...), so the range shapes report several results per
dataset: a realistic load for a raw portal feed.

    .venv/bin/python benchmarks/validate_bench.py                  # 10,000 datasets
    .venv/bin/python benchmarks/validate_bench.py --size 2000 --no-readme
"""


def add_to_readme(block: str) -> None:
    """Add ``block`` at the end of the "Validation benchmark" section (made first when missing)."""
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + INTRO
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    end = len(text) if end < 0 else end + 1
    tail = text[end:] if end < len(text) else ""
    text = text[:end].rstrip("\n") + "\n\n" + block.rstrip("\n") + "\n" + ("\n" + tail if tail else "")
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark catalog validate against pyshacl.")
    parser.add_argument("--size", type=int, default=10_000, help="datasets in the feed (default 10,000)")
    parser.add_argument("--records", type=int, default=2000, help="records for the check_record timing")
    parser.add_argument("--pyshacl-full", action="store_true", help="run pyshacl on the whole feed too")
    parser.add_argument("--no-readme", action="store_true", help="print the results only")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        step, *rest = args.child
        result = _CHILDREN[step](*rest)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0
    started = _machine()
    result = measure(args.size, pyshacl_full=args.pyshacl_full, records=args.records)
    lines = [
        f"### Results ({time.strftime('%Y-%m-%d')}, commit `{_commit()}`)",
        "",
        f"Started {started}; ended {_machine()}. Wall seconds, CPU seconds of the measured process.",
        "",
        *_report(result),
    ]
    print("\n".join(lines))
    if not args.no_readme:
        add_to_readme("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
