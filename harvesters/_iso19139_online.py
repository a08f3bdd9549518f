"""ISO 19139 online resources (``gmd:distributionInfo``) as DCAT distributions and documentation pages.

Each ``gmd:CI_OnlineResource`` is read by its protocol and function (``_iso19139_tables``):

- a service (OGC:WMS, OGC:WFS, OGC:WMTS, ESRI REST ...) is a distribution with an access URL and the
  service's file type (``WMS_SRVC`` ...);
- a download (WWW:DOWNLOAD, function ``download``, a file path) is a distribution whose access and
  download URL are the link, its format taken from the link's suffix or the record's one declared
  distribution format;
- an access page (an Atom feed, function ``offlineAccess``/``order``) is a distribution with an access URL;
- a web link (WWW:LINK, function ``information``) is documentation: ``foaf:page``, not a distribution.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from catalog.model import Distribution
from catalog.rdf.parse import Problem
from harvesters._iso19139_tables import ONLINE_FUNCTIONS, LinkKind, protocol_kind
from harvesters._iso19139_xml import GMD, children, code, first, value
from vocab import formats

__all__ = ["Online", "OnlineResource", "is_web_url", "online_resources", "read_online"]

_FILE_SUFFIXES = frozenset(
    {
        "csv", "tsv", "json", "geojson", "xml", "xls", "xlsx", "ods", "zip", "gz", "shp", "kml", "kmz",
        "gpkg", "pdf", "txt", "rdf", "ttl", "gml", "tif", "tiff", "png", "jpg", "dxf", "dwg", "las", "laz",
        "ecw", "jp2", "parquet", "7z",
    }
)  # fmt: skip
_ONLINE = f"{GMD}distributionInfo/{GMD}MD_Distribution/{GMD}transferOptions/{GMD}MD_DigitalTransferOptions/{GMD}onLine/{GMD}CI_OnlineResource"  # noqa: E501
_FORMATS = f"{GMD}distributionInfo/{GMD}MD_Distribution/{GMD}distributionFormat/{GMD}MD_Format/{GMD}name"
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
_lookup_format: Callable[[str], str | None] = lru_cache(maxsize=4096)(formats.lookup_format)


@dataclass(frozen=True)
class OnlineResource:
    """One ``gmd:CI_OnlineResource`` as read."""

    url: str
    protocol: str | None
    name: str | None
    description: str | None
    function: str | None
    kind: LinkKind


@dataclass
class Online:
    """What the online resources of one record became."""

    distributions: list[Distribution] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    resources: list[OnlineResource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def is_web_url(url: str) -> bool:
    if _IRI.fullmatch(url) is None:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ftp") and bool(parts.netloc)


def _suffix(url: str) -> str | None:
    path = urlsplit(url).path.rsplit("/", 1)[-1]
    if "." not in path:
        return None
    suffix = path.rsplit(".", 1)[1].lower()
    return suffix if suffix in _FILE_SUFFIXES else None


def _kind(url: str, protocol: str | None, function: str | None) -> tuple[LinkKind, str | None]:
    kind, label = protocol_kind(protocol)
    by_function = ONLINE_FUNCTIONS.get(function or "")
    if kind is None or (kind == "page" and by_function is not None):
        kind = by_function
    if kind is None:
        query = {k.lower(): v.lower() for k, v in parse_qsl(urlsplit(url).query)}
        service = query.get("service", "").upper()
        if service in ("WMS", "WFS", "WMTS", "WCS"):
            return "service", service
        kind = "download" if _suffix(url) else "access"
    return kind, label


def online_resources(root: etree._Element) -> list[OnlineResource]:
    """Every online resource of the record's distribution info with a usable link, in document order."""
    found: list[OnlineResource] = []
    for resource in children(root, _ONLINE):
        url = value(first(resource, GMD + "linkage"))
        if not url:
            continue
        protocol = value(first(resource, GMD + "protocol"))
        function = code(first(resource, GMD + "function"))
        kind, _ = _kind(url, protocol, function)
        found.append(
            OnlineResource(
                url=url,
                protocol=protocol,
                name=value(first(resource, GMD + "name")),
                description=value(first(resource, GMD + "description")),
                function=function,
                kind=kind,
            )
        )
    return found


def _format(resource: OnlineResource, declared: str | None) -> str | None:
    _, label = _kind(resource.url, resource.protocol, resource.function)
    if label:
        return _lookup_format(label)
    suffix = _suffix(resource.url)
    if suffix:
        found = _lookup_format(suffix)
        if found:
            return found
    if resource.kind == "download" and declared:
        return _lookup_format(declared)
    return None


def read_online(root: etree._Element, language: str) -> Online:
    """Distributions and documentation pages of one ``gmd:MD_Metadata``."""
    online = Online()
    declared_formats = sorted(set(v for v in (value(p) for p in children(root, _FORMATS)) if v))
    declared = declared_formats[0] if len(declared_formats) == 1 else None
    seen: set[tuple[str, LinkKind]] = set()
    for resource in online_resources(root):
        online.resources.append(resource)
        if not is_web_url(resource.url):
            online.problems.append(Problem("distribution.access_url", "not a web URL", resource.url))
            continue
        if (resource.url, resource.kind) in seen:
            continue
        seen.add((resource.url, resource.kind))
        if resource.kind == "page":
            online.pages.append(resource.url)
            continue
        title = {language: resource.name} if resource.name else {}
        description = {language: resource.description} if resource.description else {}
        online.distributions.append(
            Distribution(
                title=title,
                description=description,
                access_url=[resource.url],
                download_url=[resource.url] if resource.kind == "download" else [],
                format=_format(resource, declared),
            )
        )
    return online
