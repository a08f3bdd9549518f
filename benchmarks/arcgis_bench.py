"""The ArcGIS benchmark: a generated 5,000-record Hub feed, served over loopback HTTP, read by the harvester.

    .venv/bin/python benchmarks/arcgis_bench.py                  # 5,000 records, prints the table
    .venv/bin/python benchmarks/arcgis_bench.py --size 1000 --repeat 1

Two feeds of the same ``--size`` datasets are generated in memory, in the shapes an ArcGIS Hub site
publishes: a DCAT-US 1.1 ``data.json`` (HTML descriptions and licences, six distributions, a bbox) and a
DCAT-AP 2.1.1 JSON-LD feed (inline prefix context, the Hub template's habits). A ``ThreadingHTTPServer``
in this process serves them on 127.0.0.1; ``ArcgisHarvester.records()`` runs with the engine's real
``Fetcher`` and every record is drained (mapping only: nothing is stored). Baselines from the same run
and the same bytes: ``json.loads`` for both feeds, and ``pyoxigraph.parse`` (counting triples) for the
JSON-LD one. Each figure is the best of ``--repeat`` runs. Nothing leaves the loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

__all__ = ["dcat_ap_feed", "dcat_us_feed", "main"]

_HUB = "https://opendata-bench.hub.arcgis.com"
_WORDS = ("groen", "mobiliteit", "parkeren", "water", "wegen", "bomen", "fietsen", "afval", "onderwijs")


def _item(n: int) -> str:
    return f"{n:032x}"


def dcat_us_feed(size: int) -> bytes:
    """A DCAT-US 1.1 data.json of ``size`` Hub-like datasets."""
    datasets = []
    for n in range(size):
        item = _item(n)
        west, south = 2.6 + (n % 100) * 0.02, 50.7 + (n % 70) * 0.01
        downloads = [
            {
                "@type": "dcat:Distribution",
                "title": fmt,
                "format": fmt,
                "mediaType": media,
                "accessURL": f"{_HUB}/api/download/v1/items/{item}/{fmt.lower()}?layers=0",
            }
            for fmt, media in (
                ("CSV", "text/csv"),
                ("GeoJSON", "application/vnd.geo+json"),
                ("KML", "application/vnd.google-earth.kml+xml"),
                ("ZIP", "application/zip"),
            )
        ]
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "identifier": f"https://www.arcgis.com/home/item.html?id={item}&sublayer=0",
                "landingPage": f"{_HUB}/maps/{item}_0",
                "title": f"Dataset {n} {_WORDS[n % len(_WORDS)]}",
                "description": (
                    f'<DIV STYLE="text-align:Left;"><DIV><P><SPAN>Laag {n} van de stad over '
                    f"<B>{_WORDS[n % len(_WORDS)]}</B>. Meer info op "
                    f'<A href="https://www.stad.example/info/{n}">de website</A>.</SPAN></P></DIV></DIV>'
                ),
                "keyword": [_WORDS[n % len(_WORDS)], _WORDS[(n + 3) % len(_WORDS)]],
                "issued": "2022-07-29T10:07:13.000Z",
                "modified": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T11:29:07.556Z",
                "publisher": {"name": "Stad Gent" if n % 2 else "Stad Antwerpen"},
                "contactPoint": {
                    "@type": "vcard:Contact",
                    "fn": "opendata",
                    "hasEmail": "mailto:data@stad.example",
                },
                "accessLevel": "public",
                "spatial": f"{west:.4f},{south:.4f},{west + 0.05:.4f},{south + 0.03:.4f}",
                "license": (
                    "<DIV><P><SPAN>Licentie: https://creativecommons.org/licenses/by/4.0/</SPAN></P></DIV>"
                ),
                "theme": ["geospatial"],
                "distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "title": "ArcGIS Hub Dataset",
                        "format": "Web Page",
                        "mediaType": "text/html",
                        "accessURL": f"{_HUB}/maps/{item}_0",
                    },
                    {
                        "@type": "dcat:Distribution",
                        "title": "ArcGIS GeoService",
                        "format": "ArcGIS GeoServices REST API",
                        "mediaType": "application/json",
                        "accessURL": f"https://services.arcgis.com/bench/arcgis/rest/services/l{n}/FeatureServer/0",
                    },
                    *downloads,
                ],
            }
        )
    catalog = {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": datasets,
    }
    return json.dumps(catalog, ensure_ascii=False).encode()


def dcat_ap_feed(size: int) -> bytes:
    """A Hub-style DCAT-AP 2.1.1 JSON-LD feed of ``size`` datasets."""
    datasets = []
    for n in range(size):
        item = _item(n)
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "@id": f"{_HUB}/datasets/bench::dataset-{n}",
                "dct:identifier": f"https://www.arcgis.com/home/item.html?id={item}&sublayer=0",
                "dct:title": f"Dataset {n} {_WORDS[n % len(_WORDS)]}",
                "dct:description": f"<p>Laag {n} van de stad over <b>{_WORDS[n % len(_WORDS)]}</b>.</p>",
                "dcat:contactPoint": {"@type": "vcard:Contact", "vcard:fn": "opendata"},
                "dct:publisher": {"@type": "foaf:Agent", "foaf:name": "Stad Gent"},
                "dcat:theme": "geospatial",
                "dct:accessRights": "public",
                "dct:license": "https://creativecommons.org/licenses/by/4.0/",
                "dcat:keyword": [_WORDS[n % len(_WORDS)], _WORDS[(n + 3) % len(_WORDS)]],
                "dct:issued": "2022-07-29T10:07:13.000Z",
                "dct:modified": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T11:29:07.556Z",
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": fmt,
                        "dcat:accessURL": f"{_HUB}/api/download/v1/items/{item}/{fmt.lower()}?layers=0",
                        "dct:format": {"@id": f"ftype:{fmt.upper()}"},
                    }
                    for fmt in ("HTML", "CSV", "GeoJSON", "KML")
                ],
            }
        )
    catalog = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "ftype": "http://publications.europa.eu/resource/authority/file-type/",
        },
        "@id": _HUB,
        "@type": "dcat:Catalog",
        "dct:title": "Bench",
        "dcat:dataset": datasets,
    }
    return json.dumps(catalog, ensure_ascii=False).encode()


def _serve(routes: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = routes.get(self.path.split("?", 1)[0])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host!s}:{port}"


def _harvest(url: str, feed: str) -> tuple[int, int]:
    """Drain the harvester once; (records mapped, records failed or skipped)."""
    from catalog.harvest.fetch import Fetcher
    from harvesters.arcgis import ArcgisHarvester, ArcgisOptions
    from harvesters.base import HarvestedRecord, SourceInfo

    async def run() -> tuple[int, int]:
        fetcher = Fetcher(allow_private_networks=True, max_response_bytes=2**31)
        try:
            options = ArcgisOptions(feed=feed)  # type: ignore[arg-type]
            harvester = ArcgisHarvester(SourceInfo(id=1, name="bench", url=url), options, fetcher)
            ok = other = 0
            async for item in harvester.records():
                if isinstance(item, HarvestedRecord) and item.record is not None:
                    ok += 1
                elif isinstance(item, HarvestedRecord):
                    other += 1
            return ok, other
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def _best(repeat: int, work: Callable[[], Any]) -> tuple[float, float, Any]:
    """The shortest wall time and the shortest CPU time (this process, all threads) of ``repeat`` runs."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, result


def _triples(data: bytes) -> int:
    import pyoxigraph as ox

    return sum(1 for _ in ox.parse(data, ox.RdfFormat.JSON_LD, base_iri=_HUB + "/"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    us, ap = dcat_us_feed(args.size), dcat_ap_feed(args.size)
    server, base = _serve({"/api/feed/dcat-us/1.1.json": us, "/api/feed/dcat-ap/2.1.1.json": ap})
    rows = []
    try:
        for label, body, feed in (
            ("DCAT-US data.json", us, "dcat-us"),
            ("DCAT-AP 2.1.1 JSON-LD", ap, "dcat-ap-2"),
        ):
            loads = _best(args.repeat, lambda body=body: json.loads(body))
            harvest = _best(args.repeat, lambda feed=feed: _harvest(base, feed))
            ok, other = harvest[2]
            assert ok == args.size and other == 0, (ok, other)
            oxi = _best(args.repeat, lambda body=body: _triples(body)) if feed != "dcat-us" else None
            rows.append((label, len(body), loads, oxi, harvest))
    finally:
        server.shutdown()
        server.server_close()
    print(
        f"{args.size:,} records, best of {args.repeat}; "
        f"{platform.machine()}, Python {platform.python_version()}; wall s (CPU s)"
    )
    print()
    print(
        "| feed | MB | json.loads s | pyoxigraph parse s | harvester s | records/s | "
        "harvester / json.loads | harvester / pyoxigraph |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, size, loads, oxi, harvest in rows:
        oxi_text = f"{oxi[0]:.2f} ({oxi[1]:.2f})" if oxi is not None else "-"
        oxi_ratio = f"{harvest[0] / oxi[0]:.0f}x ({harvest[1] / oxi[1]:.0f}x)" if oxi is not None else "-"
        print(
            f"| {label} | {size / 1e6:.1f} | {loads[0]:.3f} ({loads[1]:.3f}) | {oxi_text} | "
            f"{harvest[0]:.2f} ({harvest[1]:.2f}) | "
            f"{args.size / harvest[0]:,.0f} ({args.size / harvest[1]:,.0f}) | "
            f"{harvest[0] / loads[0]:.0f}x ({harvest[1] / loads[1]:.0f}x) | {oxi_ratio} |"
        )


if __name__ == "__main__":
    main()
