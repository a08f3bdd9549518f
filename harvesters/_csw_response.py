"""Reading a CSW 2.0.2 GetRecords answer: its paging numbers and records, or its exception report."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from catalog.exceptions import FeedError
from harvesters._iso19139_xml import CSW, OWS_NAMESPACES, local_name, parse_xml

__all__ = ["CswException", "ResultsPage", "merge_rdf", "read_page"]

_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


class CswException(FeedError):
    """The server answered with an OWS ExceptionReport; the message quotes its code and text."""

    def __init__(self, message: str, *, code: str | None, text: str | None) -> None:
        super().__init__(message)
        self.code = code
        self.text = text


@dataclass(frozen=True)
class ResultsPage:
    """One page of ``csw:SearchResults``."""

    matched: int | None
    """numberOfRecordsMatched: the whole listing's size."""
    returned: int | None
    next_record: int | None
    """nextRecord: where the next page starts (1-based); 0 when this is the last page."""
    records: tuple[etree._Element, ...]


def _int(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _exception(root: etree._Element, url: str) -> CswException:
    parts: list[str] = []
    first_code: str | None = None
    first_text: str | None = None
    for exception in root:
        if not isinstance(exception.tag, str) or local_name(exception) != "Exception":
            continue
        code = exception.get("exceptionCode")
        locator = exception.get("locator")
        texts = [
            " ".join((t.text or "").split())
            for t in exception
            if isinstance(t.tag, str) and (t.text or "").strip()
        ]
        text = "; ".join(texts) or None
        first_code = first_code or code
        first_text = first_text or text
        where = f" (locator {locator})" if locator else ""
        parts.append(f"{code or 'exception'}{where}: {text or 'no text'}")
    said = " | ".join(parts) or "an empty exception report"
    return CswException(
        f"{url}: the CSW server answered with an exception: {said}", code=first_code, text=first_text
    )


def read_page(data: bytes, url: str) -> ResultsPage:
    """The page's numbers and records; CswException for an exception report, FeedError for other XML."""
    root = parse_xml(data, what=f"{url}: the CSW answer")
    namespace = root.tag.split("}", 1)[0][1:] if isinstance(root.tag, str) and "}" in root.tag else ""
    if local_name(root) == "ExceptionReport" and namespace in OWS_NAMESPACES:
        raise _exception(root, url)
    if root.tag != CSW + "GetRecordsResponse":
        raise FeedError(f"{url}: not a CSW 2.0.2 GetRecords answer (root element {local_name(root)!r})")
    results = root.find(CSW + "SearchResults")
    if results is None:
        raise FeedError(f"{url}: a CSW GetRecords answer without csw:SearchResults")
    return ResultsPage(
        matched=_int(results.get("numberOfRecordsMatched")),
        returned=_int(results.get("numberOfRecordsReturned")),
        next_record=_int(results.get("nextRecord")),
        records=tuple(child for child in results if isinstance(child.tag, str)),
    )


def merge_rdf(records: tuple[etree._Element, ...]) -> bytes | None:
    """One RDF/XML document holding the content of every ``rdf:RDF`` record (GeoNetwork's DCAT output
    wraps each record in its own); None when the page holds no RDF."""
    merged = etree.Element(f"{{{_RDF_NS}}}RDF", nsmap={"rdf": _RDF_NS})
    found = False
    for record in records:
        if record.tag != f"{{{_RDF_NS}}}RDF":
            continue
        found = True
        for child in record:
            if isinstance(child.tag, str):
                merged.append(copy.deepcopy(child))
    return bytes(etree.tostring(merged, xml_declaration=True, encoding="UTF-8")) if found else None
