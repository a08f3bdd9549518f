"""The web pages benchmark: home, search and dataset pages over HTTP against uvicorn on a large store.

    .venv/bin/python benchmarks/pages_bench.py                  # 100,000 datasets (SQLite), writes README
    .venv/bin/python benchmarks/pages_bench.py --size 10000 --no-readme

The store is the search benchmark's (``search_bench.build_store``: generated feed imported through the
harvest path, cached under ``benchmarks/out/``). uvicorn runs in a subprocess on 127.0.0.1; each page is
asked for ``--rounds`` times, one request at a time, as a browser asks (``Accept: text/html``). The
time quoted is the server's: the ``duration_ms`` the app writes in its access log line for the request
(from the first byte of the request to the last byte of the body), so the client's own HTTP work does
not count; the client's wall time is shown beside it. As a baseline from the same run, the JSON API
answer for the same search (``/api/datasets``) is timed too: the page's cost over the API's is the
templates' and the extra queries'. Nothing leaves the loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import search_bench  # noqa: E402  (the benchmarks folder is not a package)

README = HERE / "README.md"
HEADING = "## Web pages"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _start(url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = search_bench._free_port()
    env = {**os.environ, "CATALOG_DATABASE__URL": url}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "catalog.api.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    out = log.open("wb")
    server = subprocess.Popen(command, env=env, cwd=HERE.parent, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("uvicorn did not start")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _server_times(log: Path) -> dict[str, float]:
    """request id -> the app's own duration_ms, from its JSON access log."""
    times: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("logger") == "catalog.access" and entry.get("request_id"):
            times[entry["request_id"]] = float(entry["duration_ms"])
    return times


def _pages(base: str) -> list[tuple[str, str, dict[str, str]]]:
    import httpx

    api = httpx.get(base + "/api/datasets", params={"q": "fietstellingen"}, timeout=60).json()
    some = api["results"][0]["id"]
    theme = "http://publications.europa.eu/resource/authority/data-theme/TRAN"
    return [
        ("home", "/", HTML),
        ("search", "/search?q=fietstellingen", HTML),
        ("search with filters", f"/search?q=parkeren&theme={theme}&province=40000", HTML),
        ("search, browse page 40", "/search?page=40", HTML),
        ("dataset", f"/datasets/{some}", HTML),
        ("municipality", "/municipalities/44021", HTML),
        ("API search (baseline)", "/api/datasets?q=fietstellingen", {"Accept": "application/json"}),
    ]


def measure(url: str, rounds: int, log: Path) -> list[dict[str, Any]]:
    import httpx

    server, base = _start(url, log)
    rows = []
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            first = time.perf_counter()
            client.get("/", headers=HTML).raise_for_status()  # builds the facet index
            warmup_ms = (time.perf_counter() - first) * 1000
            plan = _pages(base)
            sent: dict[str, list[tuple[str, float]]] = {}
            for _ in range(rounds):
                for name, path, headers in plan:
                    rid = f"bench-{len(sent.get(name, []))}-" + re.sub(r"[^A-Za-z0-9]+", "_", name)
                    started = time.perf_counter()
                    response = client.get(path, headers={**headers, "X-Request-ID": rid})
                    wall = (time.perf_counter() - started) * 1000
                    response.raise_for_status()
                    sent.setdefault(name, []).append((rid, wall))
        time.sleep(0.5)  # let the log reach the file
    finally:
        server.terminate()
        server.wait(10)
    server_ms = _server_times(log)
    for name, _, _ in plan:
        measured = [(server_ms[rid], wall) for rid, wall in sent[name] if rid in server_ms]
        own = [s for s, _ in measured]
        walls = [w for _, w in measured]
        rows.append(
            {
                "page": name,
                "requests": len(own),
                "p50": statistics.median(own),
                "p95": _percentile(own, 95),
                "wall_p95": _percentile(walls, 95),
            }
        )
    rows.append({"page": "first request (facet index)", "requests": 1, "p50": warmup_ms, "p95": warmup_ms})
    return rows


def _table(rows: list[dict[str, Any]], baseline: float) -> list[str]:
    out = [
        "| page | requests | server p50 ms | server p95 ms | client p95 ms | p95 / API p95 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        wall = f"{row['wall_p95']:.1f}" if "wall_p95" in row else ""
        ratio = f"{row['p95'] / baseline:.1f}x" if "wall_p95" in row else ""
        out.append(
            f"| {row['page']} | {row['requests']} | {row['p50']:.1f} | {row['p95']:.1f} | {wall} | {ratio} |"
        )
    return out


def _write_readme(block: list[str]) -> None:
    text = README.read_text()
    section = "\n".join([HEADING, "", *block]) + "\n"
    if HEADING in text:
        start = text.index(HEADING)
        after = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + ("\n" + text[after + 1 :] if after != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    README.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    db = search_bench.build_store(args.size)
    log = search_bench.OUT / f"pages-{args.size}.log"
    rows = measure(f"sqlite:///{db}", args.rounds, log)
    baseline = next(r["p95"] for r in rows if r["page"].startswith("API search"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    block = [
        f"`pages_bench.py`: each page asked {args.rounds} times over HTTP (uvicorn, 127.0.0.1), one",
        f"request at a time, from a SQLite store of {args.size:,} generated datasets. Server time is the",
        "app's own `duration_ms` from its access log; the API search for the same words is the",
        "baseline of the same run. Target (issue 9): home, search and dataset pages under 150 ms at p95.",
        f"Load average {load}.",
        "",
        *_table(rows, baseline),
    ]
    print("\n".join(block))
    if not args.no_readme:
        _write_readme(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
