"""GeoNetwork and any OGC CSW 2.0.2 catalogue, through GetRecords.

The source URL is the CSW endpoint (``https://metadata.vlaanderen.be/srv/dut/csw``; CSW parameters a
steward pasted with it are dropped). Each page is asked for by POST (a GetRecords XML document); when the
first POST is refused (an HTTP error such as 405 or 400, an exception report, an answer that is not CSW)
the harvester asks again by GET with the same request as KVP parameters, and keeps to GET for the run
and, through the source's state, for the runs after it.
Paging follows ``nextRecord`` (0 ends it) within ``numberOfRecordsMatched``; a server that does not
advance stops the run with an error, never a loop.

``output_schema = "iso19139"`` (default) asks for ISO 19139 records, mapped by the project's GeoDCAT-AP
subset (``harvesters._iso19139``); each is keyed by its ``gmd:fileIdentifier`` (a record without one is
skipped and counted) and kept raw as its own XML. Services become DataServices, mapped after the last
page so that ``srv:operatesOn`` can name the datasets read in the run. ``output_schema = "dcat"`` asks
for GeoNetwork's DCAT output and reads it like the ``dcat`` harvester does.

An exception report ends the run with a FeedError quoting the server's exception code and text.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal
from urllib.parse import quote

from lxml import etree
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from catalog.exceptions import FeedError
from catalog.rdf.parse import parse_feed
from harvesters._csw_request import (
    OUTPUT_SCHEMAS,
    Query,
    check_filter,
    endpoint,
    get_params,
    post_body,
    record_url,
)
from harvesters._csw_response import CswException, ResultsPage, merge_rdf, read_page
from harvesters._iso19139 import file_identifier, map_iso_record, reference_keys
from harvesters._iso19139_xml import GMD, GMI, local_name, parse_xml
from harvesters.base import FetchedPage, HarvestedRecord, Harvester
from harvesters.dcat import harvested_from_parsed

__all__ = ["CswHarvester", "CswOptions"]

ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.1"
ISO_RAW_FORMAT = "application/xml"
DUPLICATE = "listed again: a record with this file identifier was read earlier in this run"
NO_IDENTIFIER = "record has no gmd:fileIdentifier"
METHOD = "method"
"""State key: how GetRecords was answered last time (``post`` or ``get``), for ``method = auto``."""
_ISO_ROOTS = frozenset({GMD + "MD_Metadata", GMI + "MI_Metadata"})


class CswOptions(BaseModel):
    """Options of a CSW source."""

    model_config = ConfigDict(extra="forbid")

    output_schema: Literal["iso19139", "dcat"] = "iso19139"
    """ISO 19139 records (mapped by the catalogue) or the server's DCAT output (GeoNetwork 4)."""
    page_size: int = Field(default=50, ge=1, le=1000)
    """Records asked for per GetRecords request (maxRecords)."""
    keyword: list[str] = Field(default_factory=list)
    """Only records with one of these keywords (queryable ``Subject``); a comma-separated string works."""
    organisation: str | None = Field(
        default=None, validation_alias=AliasChoices("organisation", "organization")
    )
    """Only records of this organisation (queryable ``OrganisationName``)."""
    constraint: str | None = None
    """A raw constraint ANDed with the others: an ``ogc:Filter`` element (XML), else CQL text."""
    method: Literal["auto", "post", "get"] = "auto"
    """How GetRecords is sent: POST with a GET fallback (auto), or only one of them."""
    language: str = Field(default="nl", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")
    """Language tag of the texts of records that do not name their language."""
    max_pages: int | None = Field(default=None, ge=1)
    """Stop after this many pages; a listing cut off this way is not complete (nothing is withdrawn)."""

    @field_validator("keyword", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("constraint")
    @classmethod
    def _check_constraint(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and value.lstrip().startswith("<"):
            check_filter(value)
        return value


@dataclass(frozen=True)
class _Service:
    """A service record kept for the end of the run (its operatesOn may name later datasets)."""

    remote_id: str
    raw: bytes
    url: str


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else first["msg"]
    return f"record cannot be mapped: {exc}"


class CswHarvester(Harvester[CswOptions]):
    """An OGC CSW 2.0.2 catalogue (GeoNetwork, pycsw ...), paged through GetRecords."""

    name: ClassVar[str] = "csw"
    display_name: ClassVar[str] = "GeoNetwork / OGC CSW 2.0.2"
    Options: ClassVar[type[BaseModel]] = CswOptions

    async def records(self) -> AsyncIterator[HarvestedRecord]:
        options = self.options
        base = endpoint(self.source.url)
        schema = OUTPUT_SCHEMAS[options.output_schema]
        query = Query(
            schema, options.page_size, tuple(options.keyword), options.organisation, options.constraint
        )
        self._method: str = options.method
        if options.method == "auto" and self.source.state.get(METHOD) == "get":
            self._method = "get"  # POST was refused last time: do not ask again on every run
        guard = self.http.page_guard()
        seen: set[str] = set()
        known: dict[str, str] = {}
        services: list[_Service] = []
        start, pages = 1, 0
        while True:
            if options.max_pages is not None and pages >= options.max_pages:
                self.complete = False
                break
            page, results = await self._fetch(base, query, start)
            guard.check(page.url if self._method == "get" else f"{page.url}#startPosition={start}", page)
            pages += 1
            if options.output_schema == "dcat":
                found = await asyncio.to_thread(self._dcat_records, results, page.url)
            else:
                found = await asyncio.to_thread(
                    self._iso_records, results, base, schema, start, known, services
                )
            for record in found:
                if record.remote_id in seen and not record.error and not record.skipped:
                    record = replace(record, record=None, skipped=DUPLICATE)
                seen.add(record.remote_id)
                yield record
            following = self._next(results, start, page.url)
            if following is None:
                break
            start = following
        for record in await asyncio.to_thread(self._services, services, known):
            yield record
        if options.method == "auto":
            self.state[METHOD] = self._method

    async def _fetch(self, base: str, query: Query, start: int) -> tuple[FetchedPage, ResultsPage]:
        """One page by POST, falling back to GET when the first POST is refused (``method = auto``)."""
        refused: FeedError | None = None
        if self._method in ("auto", "post"):
            try:
                body = post_body(query, start)
                page = await self.http.post(
                    base, content=body, content_type="application/xml", headers={"Accept": ACCEPT}
                )
                results = await asyncio.to_thread(read_page, page.content, page.url)
            except FeedError as exc:
                if self._method != "auto":
                    raise
                refused = exc
            else:
                self._method = "post"
                return page, results
        self._method = "get"
        try:
            page = await self.http.get(base, params=get_params(query, start), headers={"Accept": ACCEPT})
            return page, await asyncio.to_thread(read_page, page.content, page.url)
        except FeedError as exc:
            if refused is None:
                raise
            message = f"{exc} (asked by GET after the POST was refused: {refused})"
            if isinstance(exc, CswException):
                raise CswException(message, code=exc.code, text=exc.text) from exc
            raise FeedError(message) from exc

    def _next(self, results: ResultsPage, start: int, url: str) -> int | None:
        """Where the next page starts, or None after the last one."""
        if not results.records:
            if results.matched is not None and start <= results.matched:
                self.complete = False  # the server stopped short of what it said it had
            return None
        if results.next_record == 0:
            return None
        following = results.next_record if results.next_record is not None else start + len(results.records)
        if following <= start:
            raise FeedError(
                f"{url}: the CSW server does not advance: nextRecord {following} after startPosition {start}"
            )
        if results.matched is not None and following > results.matched:
            return None
        return following

    def _iso_records(
        self,
        results: ResultsPage,
        base: str,
        schema: str,
        start: int,
        known: dict[str, str],
        services: list[_Service],
    ) -> list[HarvestedRecord]:
        if results.records and not any(r.tag in _ISO_ROOTS for r in results.records):
            shown = local_name(results.records[0])
            raise FeedError(
                f"{base}: the server answered {shown} records, not ISO 19139 (gmd:MD_Metadata);"
                " try output_schema = dcat"
            )
        out: list[HarvestedRecord] = []
        by_id = record_url(base, "", schema)  # the GetRecordById URL ends with "id="
        for position, element in enumerate(results.records, start=start):
            raw = bytes(etree.tostring(element, encoding="UTF-8"))
            identifier = file_identifier(element) if element.tag in _ISO_ROOTS else None
            if identifier is None:
                reason = (
                    NO_IDENTIFIER
                    if element.tag in _ISO_ROOTS
                    else f"not an ISO 19139 record ({local_name(element)})"
                )
                out.append(
                    HarvestedRecord(
                        f"(record {position}: no fileIdentifier)", raw, ISO_RAW_FORMAT, None, skipped=reason
                    )
                )
                continue
            url = by_id + quote(identifier, safe="")
            if _is_service(element):
                services.append(_Service(identifier, raw, url))
                continue
            try:
                mapped = map_iso_record(element, language=self.options.language.lower())
            except (ValidationError, ValueError, TypeError) as exc:
                out.append(
                    HarvestedRecord(identifier, raw, ISO_RAW_FORMAT, None, url=url, error=_error_text(exc))
                )
                continue
            record = mapped.record
            if record.uri:
                for key in (identifier, *record.identifier):
                    known.setdefault(key, record.uri)
                known.setdefault(record.uri, record.uri)
            out.append(HarvestedRecord(identifier, raw, ISO_RAW_FORMAT, record, mapped.problems, url=url))
        return out

    def _services(self, services: list[_Service], known: dict[str, str]) -> list[HarvestedRecord]:
        def resolve(reference: str) -> str | None:
            return next((known[k] for k in reference_keys(reference) if k in known), None)

        out: list[HarvestedRecord] = []
        for service in services:
            try:
                element = parse_xml(service.raw, what=f"service record {service.remote_id}")
                mapped = map_iso_record(element, language=self.options.language.lower(), resolve=resolve)
            except (ValidationError, ValueError, TypeError, FeedError) as exc:
                error = _error_text(exc)
                out.append(
                    HarvestedRecord(
                        service.remote_id, service.raw, ISO_RAW_FORMAT, None, url=service.url, error=error
                    )
                )
                continue
            out.append(
                HarvestedRecord(
                    service.remote_id,
                    service.raw,
                    ISO_RAW_FORMAT,
                    mapped.record,
                    mapped.problems,
                    url=service.url,
                )
            )
        return out

    def _dcat_records(self, results: ResultsPage, url: str) -> list[HarvestedRecord]:
        data = merge_rdf(results.records)
        if data is None:
            if results.records:
                shown = local_name(results.records[0])
                raise FeedError(
                    f"{url}: the server answered {shown} records, not DCAT (rdf:RDF);"
                    " try output_schema = iso19139"
                )
            return []
        max_bytes = getattr(self.http, "max_response_bytes", None)
        try:
            reader = parse_feed(data, format="rdfxml", base_iri=url, max_bytes=max_bytes)
        except FeedError as exc:
            raise FeedError(f"{url}: {exc}") from exc
        with reader:
            out = [harvested_from_parsed(parsed, url) for parsed in reader]
            out += [
                HarvestedRecord(subject, b"", "ntriples", None, url=url, error=reason)
                for subject, reason in reader.failures
            ]
        return out


def _is_service(element: etree._Element) -> bool:
    info = element.find(GMD + "identificationInfo")
    return info is not None and any(local_name(child) == "SV_ServiceIdentification" for child in info)
