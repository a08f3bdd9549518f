"""The CSW benchmark: ISO 19139 records per second through the CSW harvester's page reading and mapping.

    .venv/bin/python benchmarks/csw_bench.py                 # 5,000 records, best of 3
    .venv/bin/python benchmarks/csw_bench.py --size 1000 --repeat 5

A GetRecords answer holding ``--size`` ISO 19139 records is built in memory from the full dataset record
of the project capture ``tests/data/csw/project-capture-iso19139-page-2.xml`` (keywords in three thesauri,
a bounding box, a temporal extent, licence and access anchors, a WMS, a download and a web page), each
with its own identifier, title, box and date.
Timed, in the same run:

- baseline: ``lxml.etree.fromstring`` of the same bytes (a default parser, no mapping);
- csw: what the harvester does with one page: the hardened parse and ``csw:SearchResults`` reading
  (``read_page``), then per record its file identifier, its raw XML and the DCAT-AP mapping to a
  validated ``Dataset`` (``CswHarvester._iso_records``).

No network is used. Results go to stdout; benchmarks/README.md keeps them (section "CSW (ISO 19139)").
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lxml import etree  # noqa: E402

from harvesters._csw_response import read_page  # noqa: E402
from harvesters.base import SourceInfo  # noqa: E402
from harvesters.csw import CswHarvester, CswOptions  # noqa: E402

__all__ = ["generate", "main"]

CAPTURE = HERE.parent / "tests" / "data" / "csw" / "project-capture-iso19139-page-2.xml"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" version="2.0.2">\n'
    '<csw:SearchResults numberOfRecordsMatched="{n}" numberOfRecordsReturned="{n}" nextRecord="0">\n'
)
_TAIL = "</csw:SearchResults>\n</csw:GetRecordsResponse>\n"


def _template() -> str:
    """The capture's full dataset record, with its own namespace declarations."""
    root = etree.fromstring(CAPTURE.read_bytes())
    record = root.find(".//{http://www.isotc211.org/2005/gmd}MD_Metadata")
    assert record is not None
    return etree.tostring(record, encoding="unicode")


def generate(size: int) -> bytes:
    """A CSW GetRecords answer with ``size`` ISO 19139 dataset records, each different."""
    template = _template()
    parts = [_HEAD.format(n=size)]
    for i in range(size):
        west = 2.6 + (i % 50) * 0.05
        parts.append(
            template.replace("7f3c0d2e-5a1b-4c8e-9f00-0a1b2c3d4e5f", f"bench-{i:06d}")
            .replace("fietspaden-gent", f"dataset-{i}")
            .replace("Fietspaden in Gent", f"Dataset {i} van gemeente {i % 285}")
            .replace("fietspaden.zip", f"{i}.zip")
            .replace("3.5799", f"{west:.4f}")
            .replace("2021-04-01", f"2021-04-{i % 28 + 1:02d}")
        )
    parts.append(_TAIL)
    return "".join(parts).encode("utf-8")


def _best(repeat: int, run: Callable[[], int]) -> tuple[float, float, int]:
    """Best wall and best CPU seconds of ``repeat`` runs (CPU time is steadier on a shared machine)."""
    walls: list[float] = []
    cpus: list[float] = []
    count = 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        count = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    data = generate(args.size)
    url = "http://127.0.0.1/csw"
    harvester = CswHarvester(SourceInfo(id=1, name="bench", url=url), CswOptions(), http=None)  # type: ignore[arg-type]

    def baseline() -> int:
        return len(etree.fromstring(data)[0])

    def csw() -> int:
        page = read_page(data, url)
        found = harvester._iso_records(page, url, "http://www.isotc211.org/2005/gmd", 1, {}, [])
        mapped = [r for r in found if r.record is not None]
        assert len(mapped) == args.size, [r.error for r in found if r.error][:3]
        return len(mapped)

    csw()  # warm the vocabulary lookups (loaded once per process)
    load = os.getloadavg()
    base_wall, base_cpu, base_n = _best(args.repeat, baseline)
    csw_wall, csw_cpu, csw_n = _best(args.repeat, csw)
    print(f"CSW benchmark: {args.size:,} ISO 19139 records, {len(data) / 1e6:.1f} MB, best of {args.repeat}")
    print(
        f"python {platform.python_version()}, lxml {etree.__version__}, {platform.machine()},"
        f" load average {load[0]:.1f}"
    )
    print("seconds wall (CPU); records/s by CPU time (by wall)")
    print(
        f"baseline lxml.etree.fromstring: {base_wall:.2f} ({base_cpu:.2f}) s  "
        f"{base_n / base_cpu:,.0f} ({base_n / base_wall:,.0f}) records/s"
    )
    print(
        f"csw read_page + mapping:        {csw_wall:.2f} ({csw_cpu:.2f}) s  "
        f"{csw_n / csw_cpu:,.0f} ({csw_n / csw_wall:,.0f}) records/s"
    )
    print(f"mapping / raw parse: {csw_cpu / base_cpu:.1f}x by CPU time ({csw_wall / base_wall:.1f}x by wall)")


if __name__ == "__main__":
    main()
