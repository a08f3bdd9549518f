"""Serving a two-page CSW listing on the replay server: GeoNetwork's real page 1, a project capture as page 2.

Page 1 is ``../shared/reference/samples/udata-geonetwork-iso19139-page-1.xml`` (records 1-2 of 6,
``nextRecord="3"``); page 2 is ``tests/data/csw/project-capture-iso19139-page-2.xml`` (records 3-6,
``nextRecord="0"``). The page is chosen by the ``startPosition`` of the request, POST body or GET query.
"""

from __future__ import annotations

import re
from pathlib import Path

from replay import SAMPLES_DIR, RecordedRequest, ReplayServer, Reply

__all__ = ["CSW_PATH", "DATA", "PAGE_2", "XML", "iso_pages", "serve_pages", "start_position"]

CSW_PATH = "/geonetwork/srv/dut/csw"
DATA = Path(__file__).resolve().parents[1] / "data" / "csw"
PAGE_2 = DATA / "project-capture-iso19139-page-2.xml"
XML = {"Content-Type": "application/xml"}


def start_position(request: RecordedRequest) -> int:
    """The startPosition a GetRecords request asks for (1 when it names none)."""
    if request.method == "POST":
        found = re.search(rb'startPosition="(\d+)"', request.body)
        return int(found.group(1)) if found else 1
    return int(request.param("startPosition") or 1)


def serve_pages(
    replay: ReplayServer,
    pages: dict[int, bytes],
    *,
    post: bool = True,
    get: bool = True,
    path: str = CSW_PATH,
) -> str:
    """Serve ``pages`` (startPosition -> body); a method not allowed answers 405. Returns the endpoint."""

    def handler(request: RecordedRequest) -> Reply:
        if (request.method == "POST" and not post) or (request.method == "GET" and not get):
            return Reply(b"method not allowed", 405, {"Content-Type": "text/plain"})
        body = pages.get(start_position(request))
        if body is None:
            return Reply(b"no such page", 404, {"Content-Type": "text/plain"})
        return Reply(body, 200, XML)

    replay.route(path, handler=handler)
    return replay.url(path)


def iso_pages() -> dict[int, bytes]:
    """The two ISO 19139 pages, read now."""
    return {
        1: (SAMPLES_DIR / "udata-geonetwork-iso19139-page-1.xml").read_bytes(),
        3: PAGE_2.read_bytes(),
    }
