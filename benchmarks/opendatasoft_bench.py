"""Opendatasoft mapping benchmark: Explore API v2.1 dataset objects to records, against ``json.loads``.

    .venv/bin/python benchmarks/opendatasoft_bench.py                 # 5,000 datasets, best of 3
    .venv/bin/python benchmarks/opendatasoft_bench.py --datasets 20000 --repeat 5

A capture of N datasets is generated in memory (deterministic for a seed) as the pages of 100 that
``/api/explore/v2.1/catalog/datasets`` answers: HTML descriptions with links and lists, 3-7 keywords,
Flemish portal themes, a mix of licence strings (Flemish model licences, CC BY 4.0, Licence Ouverte, an
unknown one), publisher, territory cycling through real municipality names, one dataset in three
geographic (``geo_point_2d`` field and a bbox), half with a ``dcat`` template (contact, issued,
frequency, temporal coverage), one in five with an attachment.

Two measurements over the same page bytes, in one process, one after the other:

- baseline: ``json.loads`` of every page;
- mapping: ``json.loads`` of every page, then ``OpendatasoftHarvester._records`` on its datasets (what
  the harvester does per page off the event loop: raw JSON for the store, checks, ``map_dataset``).

Prints records/s (wall and CPU) for both and their ratio, as a Markdown table row.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import cpu_seconds as _cpu

from harvesters.base import SourceInfo
from harvesters.opendatasoft import OdsOptions, OpendatasoftHarvester

__all__ = ["generate_pages", "main", "measure"]

PORTAL = "https://data.stad.example"
THEMES = ["Mobiliteit", "Milieu", "Bestuur", "Cultuur, sport en vrije tijd", "Economie", "Wonen", "Welzijn"]
LICENCES = [
    (
        "Modellicentie Gratis Hergebruik",
        "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
    ),
    ("Open Database License (ODbL)", None),
    ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    ("Licence Ouverte v2.0 (Etalab)", None),
    ("Gebruiksvoorwaarden van de stad", None),
]
PLACES = ["Gent", "Antwerpen", "Brugge", "Leuven", "Mechelen", "Aalst", "Kortrijk", "Hasselt", "Oostende"]
WORDS = ["fiets", "verkeer", "parkeren", "afval", "lucht", "water", "groen", "school", "cultuur", "sport"]
WORDS += ["bevolking", "budget", "wonen", "zorg"]
FREQUENCIES = ["Dagelijks", "Wekelijks", "Maandelijks", "Jaarlijks", "Onregelmatig"]


def _dataset(n: int, rng: random.Random) -> dict[str, Any]:
    place = PLACES[n % len(PLACES)]
    licence, licence_url = LICENCES[n % len(LICENCES)]
    geo = n % 3 == 0
    words = rng.sample(WORDS, rng.randint(3, 7))
    fields = [
        {"name": "naam", "label": "Naam", "type": "text"},
        {"name": "aantal", "label": "Aantal", "type": "int"},
    ]
    if geo:
        fields.append({"name": "geo_point_2d", "label": "Locatie", "type": "geo_point_2d"})
    default: dict[str, Any] = {
        "title": f"{words[0].capitalize()} in {place} {2015 + n % 11}",
        "description": (
            f"<p>Gegevens over <b>{words[0]}</b> en {words[1]} in {place}.</p>"
            f"<ul><li>Bron: stad {place}</li><li>Eenheid: aantal</li></ul>"
            f'<p>Meer uitleg op <a href="https://www.{place.lower()}.be/{words[0]}" target="_blank">'
            "de website</a>.</p>"
        ),
        "theme": [THEMES[n % len(THEMES)]],
        "keyword": words,
        "license": licence,
        "license_url": licence_url,
        "language": "nl",
        "modified": f"20{19 + n % 7}-0{1 + n % 9}-1{n % 10}T0{n % 10}:30:00+00:00",
        "data_processed": f"20{19 + n % 7}-0{1 + n % 9}-1{n % 10}T0{n % 10}:31:00+00:00",
        "metadata_processed": f"20{19 + n % 7}-0{1 + n % 9}-1{n % 10}T0{n % 10}:32:00+00:00",
        "publisher": f"Stad {place}",
        "territory": [place],
        "records_count": rng.randint(1, 100_000),
        "references": None,
        "attributions": None,
        "bbox": None,
    }
    if geo:
        west, south = 3.0 + (n % 20) / 10, 50.7 + (n % 7) / 10
        ring = [
            [west, south],
            [west + 0.1, south],
            [west + 0.1, south + 0.1],
            [west, south + 0.1],
            [west, south],
        ]
        default["bbox"] = {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {},
        }
    metas: dict[str, Any] = {"default": default}
    if n % 2 == 0:
        metas["dcat"] = {
            "issued": f"20{15 + n % 10}-03-01",
            "creator": f"Dienst {words[1].capitalize()}",
            "contact_name": f"Team {words[2]}",
            "contact_email": f"{words[2]}@{place.lower()}.be",
            "accrualperiodicity": FREQUENCIES[n % len(FREQUENCIES)],
            "temporal_coverage_start": f"20{10 + n % 10}-01-01",
            "temporal_coverage_end": None,
        }
    attachments = []
    if n % 5 == 0:
        href = f"{PORTAL}/api/explore/v2.1/catalog/datasets/ds-{n:06d}/attachments/toelichting_pdf"
        attachments.append(
            {"href": href, "id": "toelichting_pdf", "mimetype": "application/pdf", "title": "Toelichting"}
        )
    return {
        "dataset_id": f"ds-{n:06d}",
        "dataset_uid": f"da_{n:06x}",
        "has_records": True,
        "features": ["geo", "analyze"] if geo else ["analyze"],
        "attachments": attachments,
        "alternative_exports": [],
        "data_visible": True,
        "fields": fields,
        "metas": metas,
    }


def generate_pages(datasets: int, *, seed: int = 0, page_size: int = 100) -> list[bytes]:
    """The Explore v2.1 answers listing ``datasets`` generated datasets, ``page_size`` a page."""
    rng = random.Random(seed)
    items = [_dataset(n, rng) for n in range(datasets)]
    return [
        json.dumps({"total_count": datasets, "results": items[start : start + page_size]}).encode()
        for start in range(0, datasets, page_size)
    ]


def _timed(work: Any) -> tuple[float, float, Any]:
    start, cpu = time.perf_counter(), _cpu()
    result = work()
    return time.perf_counter() - start, _cpu() - cpu, result


def measure(datasets: int, repeat: int, seed: int = 0) -> dict[str, Any]:
    pages = generate_pages(datasets, seed=seed)
    harvester = OpendatasoftHarvester(SourceInfo(id=1, name="bench", url=PORTAL), OdsOptions(), http=None)  # type: ignore[arg-type]

    def baseline() -> int:
        return sum(len(json.loads(page)["results"]) for page in pages)

    def mapping() -> tuple[int, int, int]:
        records = failed = problems = 0
        for page in pages:
            for record in harvester._records(json.loads(page)["results"], PORTAL):
                records += 1
                failed += record.record is None
                problems += len(record.problems)
        return records, failed, problems

    mapping()  # warm the vocabulary caches, as a harvest does after its first page
    best_base = min((_timed(baseline) for _ in range(repeat)), key=lambda t: t[0])
    best_map = min((_timed(mapping) for _ in range(repeat)), key=lambda t: t[0])
    records, failed, problems = best_map[2]
    return {
        "datasets": datasets,
        "bytes": sum(len(p) for p in pages),
        "json_s": best_base[0],
        "json_cpu": best_base[1],
        "map_s": best_map[0],
        "map_cpu": best_map[1],
        "records": records,
        "failed": failed,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    r = measure(args.datasets, args.repeat, args.seed)
    n = r["records"]
    print(
        f"# Python {platform.python_version()}, {r['bytes'] / 1e6:.1f} MB in {-(-r['datasets'] // 100)} pages"
    )
    print(
        "| datasets | json.loads records/s | mapping records/s | mapping / json.loads | failed | problems |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {n:,} | {n / r['json_s']:,.0f} (cpu {n / r['json_cpu']:,.0f}) "
        f"| {n / r['map_s']:,.0f} (cpu {n / r['map_cpu']:,.0f}) "
        f"| {r['json_s'] / r['map_s']:.3f} ({r['map_s'] / r['json_s']:.0f}x slower) "
        f"| {r['failed']} | {r['problems']} |"
    )


if __name__ == "__main__":
    main()
