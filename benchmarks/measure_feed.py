"""Measure the feed generator and pyoxigraph's raw parse speed on its output.

    python benchmarks/measure_feed.py [N ...] [--format turtle|ntriples] [--keep DIR]

For each N (default 10000 and 100000) it writes a feed with ``generate_feed.generate``, then parses
it with ``pyoxigraph.parse`` (a streaming parse that counts triples, no store), and prints one
Markdown table row per run: datasets, triples, file size, generation time, parse time, peak memory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_mb as _peak_mb
from generate_feed import FORMATS, generate

__all__ = ["main", "measure"]

_OX_FORMATS = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES}


def measure(n: int, directory: Path, fmt: str = "turtle") -> dict[str, float]:
    """Generate ``n`` datasets into ``directory`` and time generation and a raw pyoxigraph parse."""
    path = directory / f"feed-{n}.{'ttl' if fmt == 'turtle' else 'nt'}"
    start = time.perf_counter()
    triples = generate(n, path, format=fmt)
    generated = time.perf_counter() - start
    generate_peak = _peak_mb()
    start = time.perf_counter()
    parsed = sum(1 for _ in pyoxigraph.parse(path=str(path), format=_OX_FORMATS[fmt]))
    parse_seconds = time.perf_counter() - start
    if parsed != triples:
        raise RuntimeError(f"generator said {triples} triples, pyoxigraph parsed {parsed}")
    return {
        "datasets": n,
        "triples": triples,
        "mb": path.stat().st_size / 1e6,
        "generate_s": generated,
        "parse_s": parse_seconds,
        "generate_peak_mb": generate_peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the benchmark feed generator and parsing.")
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--format", choices=FORMATS, default="turtle")
    parser.add_argument("--keep", type=Path, help="write the feeds here and keep them")
    args = parser.parse_args(argv)
    print(
        "| format | datasets | triples | file MB | generate s | peak RSS MB (generate) | pyoxigraph parse s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            r = measure(n, directory, args.format)
            print(
                f"| {args.format} | {n} | {r['triples']:.0f} | {r['mb']:.1f} | {r['generate_s']:.2f} "
                f"| {r['generate_peak_mb']:.0f} | {r['parse_s']:.2f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
