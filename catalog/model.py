"""DCAT-AP-VL records: the catalogue's canonical, validated form of harvested metadata.

One pydantic model per DCAT-AP 3 / DCAT-AP-VL class. The conventions, shared by every part of the
catalogue (RDF mapping, store, API):

- Field names are the DCAT property names in snake_case (``dct:accessRights`` -> ``access_rights``).
- Controlled values and links (themes, licences, formats, pages) are absolute IRIs held as ``str``.
- Multilingual text is a ``dict`` from language tag to text; the empty tag ``""`` is untagged text.
  Tags are lower-cased (``"nl"``, ``"en"``, ``"fr"``, ``"de"``, ``"nl-be"`` ...).
- Keywords are ``dict[tag, list[str]]``.
- Dates keep their precision: a ``date`` stays a date, a ``datetime`` a datetime.
- Lists hold distinct values in a stable (sorted) order, so that the same metadata always gives the
  same record and the same content hash, whatever order a feed happened to list it in.

Validation errors name the field (pydantic's ``loc``), e.g. ``distribution.0.byte_size``.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = [
    "Agent",
    "Attribution",
    "BBox",
    "Catalog",
    "Checksum",
    "ContactPoint",
    "DataService",
    "Dataset",
    "DatasetSeries",
    "DateValue",
    "Distribution",
    "Iri",
    "Iris",
    "Keywords",
    "Location",
    "MultiText",
    "PeriodOfTime",
    "Record",
    "RightsStatement",
    "Texts",
    "content_hash",
    "pick_text",
]

_IRI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$"

Iri = Annotated[str, StringConstraints(strip_whitespace=True, pattern=_IRI_PATTERN)]
"""An absolute IRI (``https://...``, ``mailto:...``, ``urn:...``); checked by pydantic-core, not Python."""


def _distinct_sorted(values: list[str]) -> list[str]:
    return sorted(set(values)) if len(values) > 1 else values


Iris = Annotated[list[Iri], AfterValidator(_distinct_sorted)]
"""Distinct IRIs in sorted order, so equal metadata gives equal records."""
Texts = Annotated[list[str], AfterValidator(_distinct_sorted)]
"""Distinct strings in sorted order."""


def _parse_date_value(value: Any) -> Any:
    """Keep a date a date and a datetime a datetime; read ``YYYY`` and ``YYYY-MM`` as their first day."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 4 and text.isdigit():
            return date(int(text), 1, 1)
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            return date(int(text[:4]), int(text[5:]), 1)
        if len(text) == 10:
            return date.fromisoformat(text)
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        return datetime.fromisoformat(text)
    raise ValueError(f"not a date: {value!r}")


DateValue = Annotated[datetime | date, BeforeValidator(_parse_date_value)]
"""``xsd:date`` or ``xsd:dateTime``; a bare year (``xsd:gYear``) or ``YYYY-MM`` is read as its first day."""


def _clean_multitext(value: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag, text in value.items():
        text = text.strip()
        if text:
            out[tag.strip().lower()] = text
    return out if len(out) < 2 else dict(sorted(out.items()))


def _clean_keywords(value: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tag, words in value.items():
        cleaned = sorted({w.strip() for w in words if w.strip()})
        if cleaned:
            key = tag.strip().lower()
            out[key] = sorted(set(out[key]) | set(cleaned)) if key in out else cleaned
    return out if len(out) < 2 else dict(sorted(out.items()))


def _strip_mailto(value: str) -> str | None:
    return (value[7:] if value.lower().startswith("mailto:") else value) or None


Email = Annotated[str, AfterValidator(_strip_mailto)]
"""An e-mail address; a ``mailto:`` prefix is removed."""
MultiText = Annotated[dict[str, str], AfterValidator(_clean_multitext)]
Keywords = Annotated[dict[str, list[str]], AfterValidator(_clean_keywords)]

LANGUAGE_PREFERENCE = ("nl", "en", "", "fr", "de")


def pick_text(text: dict[str, str], preferred: str = "nl") -> str | None:
    """Return the text in ``preferred`` language, else Dutch, English, untagged, French, German, any."""
    if not text:
        return None
    for tag in (preferred, *LANGUAGE_PREFERENCE):
        if tag in text:
            return text[tag]
    for tag, value in text.items():
        if tag.split("-")[0] == preferred:
            return value
    return next(iter(text.values()))


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)


class Agent(_Node):
    """foaf:Agent / foaf:Organization (publisher, creator, rights holder)."""

    uri: Iri | None = None
    name: MultiText = Field(default_factory=dict)
    type: Iri | None = None
    """dct:type, from the EU publisher-type vocabulary."""
    email: Email | None = None
    homepage: Iri | None = None
    identifier: str | None = None


class ContactPoint(_Node):
    """vcard:Kind (vcard:Organization / vcard:Individual)."""

    uri: Iri | None = None
    name: str | None = None
    email: Email | None = None
    telephone: str | None = None
    url: Iri | None = None

    @field_validator("telephone")
    @classmethod
    def _canonical_telephone(cls, value: str | None) -> str | None:
        """The number as a ``tel:`` URI holds it: no scheme, no spaces (``09 266 22 11`` -> ``092662211``)."""
        if value and value.lower().startswith("tel:"):
            value = value[4:]
        return "".join(value.split()) if value else None


class PeriodOfTime(_Node):
    """dct:PeriodOfTime with dcat:startDate / dcat:endDate."""

    start: DateValue | None = None
    end: DateValue | None = None

    @model_validator(mode="after")
    def _start_before_end(self) -> PeriodOfTime:
        if self.start is not None and self.end is not None and _as_date(self.start) > _as_date(self.end):
            raise ValueError("start is after end")
        return self


class BBox(_Node):
    """A bounding box in WGS84 longitude/latitude (CRS84)."""

    west: float = Field(ge=-180, le=180)
    south: float = Field(ge=-90, le=90)
    east: float = Field(ge=-180, le=180)
    north: float = Field(ge=-90, le=90)

    @model_validator(mode="after")
    def _ordered(self) -> BBox:
        if self.south > self.north:
            raise ValueError("south is north of north")
        return self

    def to_wkt(self) -> str:
        w, s, e, n = self.west, self.south, self.east, self.north
        return f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"


class Location(_Node):
    """dct:Location: a named place (municipality, province, GeoNames ...) and/or a bounding box."""

    uri: Iri | None = None
    name: MultiText = Field(default_factory=dict)
    bbox: BBox | None = None


class Checksum(_Node):
    """spdx:Checksum."""

    algorithm: Iri
    value: str = Field(min_length=1)


class RightsStatement(_Node):
    """dct:RightsStatement: a link to a rights document and/or a text."""

    uri: Iri | None = None
    label: MultiText = Field(default_factory=dict)


class Attribution(_Node):
    """prov:Attribution (dcat:qualifiedAttribution): an agent and the role it played."""

    agent: Agent
    role: Iri | None = None


class _Resource(_Node):
    """What every catalogued resource (dataset, service, series, catalogue) has in common."""

    uri: Iri | None = None
    """The subject IRI; None when the source gave a blank node."""
    identifier: Texts = Field(default_factory=list)
    title: MultiText = Field(default_factory=dict)
    description: MultiText = Field(default_factory=dict)
    keyword: Keywords = Field(default_factory=dict)
    theme: Iris = Field(default_factory=list)
    publisher: Agent | None = None
    creator: Agent | None = None
    contact_point: list[ContactPoint] = Field(default_factory=list)
    issued: DateValue | None = None
    modified: DateValue | None = None
    access_rights: Iri | None = None
    license: Iri | None = None
    rights: RightsStatement | None = None
    conforms_to: Iris = Field(default_factory=list)
    landing_page: Iris = Field(default_factory=list)
    page: Iris = Field(default_factory=list)
    """foaf:page: documentation."""
    language: Iris = Field(default_factory=list)
    spatial: list[Location] = Field(default_factory=list)
    statuut: Iris = Field(default_factory=list)
    """mdcat:statuut (e.g. VLOPENDATA)."""

    def text(self, field: str = "title", lang: str = "nl") -> str | None:
        value = getattr(self, field)
        return pick_text(value, lang) if isinstance(value, dict) else None


class Distribution(_Node):
    """dcat:Distribution."""

    uri: Iri | None = None
    identifier: Texts = Field(default_factory=list)
    title: MultiText = Field(default_factory=dict)
    description: MultiText = Field(default_factory=dict)
    access_url: Iris = Field(default_factory=list)
    download_url: Iris = Field(default_factory=list)
    access_service: list[DataService] = Field(default_factory=list)
    format: Iri | None = None
    """dct:format, an EU file-type IRI."""
    media_type: Iri | None = None
    """dcat:mediaType, an IANA media-type IRI."""
    compress_format: Iri | None = None
    package_format: Iri | None = None
    license: Iri | None = None
    rights: RightsStatement | None = None
    access_rights: Iri | None = None
    byte_size: int | None = Field(default=None, ge=0)
    checksum: Checksum | None = None
    issued: DateValue | None = None
    modified: DateValue | None = None
    status: Iri | None = None
    availability: Iri | None = None
    language: Iris = Field(default_factory=list)
    conforms_to: Iris = Field(default_factory=list)
    page: Iris = Field(default_factory=list)
    spatial_resolution_in_meters: float | None = Field(default=None, ge=0)
    temporal_resolution: str | None = None


class DataService(_Resource):
    """dcat:DataService."""

    kind: Literal["DataService"] = "DataService"
    endpoint_url: Iris = Field(default_factory=list)
    endpoint_description: Iris = Field(default_factory=list)
    serves_dataset: Iris = Field(default_factory=list)
    levensfase: Iri | None = None
    """mdcat:levensfase (lifecycle phase)."""
    ontwikkelingstoestand: Iri | None = None
    """mdcat:ontwikkelingstoestand (development state)."""


class Dataset(_Resource):
    """dcat:Dataset."""

    kind: Literal["Dataset"] = "Dataset"
    distribution: list[Distribution] = Field(default_factory=list)
    temporal: list[PeriodOfTime] = Field(default_factory=list)
    frequency: Iri | None = None
    version: str | None = None
    version_notes: MultiText = Field(default_factory=dict)
    provenance: MultiText = Field(default_factory=dict)
    relation: Iris = Field(default_factory=list)
    source: Iris = Field(default_factory=list)
    has_version: Iris = Field(default_factory=list)
    is_version_of: Iris = Field(default_factory=list)
    is_referenced_by: Iris = Field(default_factory=list)
    in_series: Iris = Field(default_factory=list)
    qualified_attribution: list[Attribution] = Field(default_factory=list)
    applicable_legislation: Iris = Field(default_factory=list)
    type: Iri | None = None
    spatial_resolution_in_meters: float | None = Field(default=None, ge=0)
    temporal_resolution: str | None = None
    levensfase: Iri | None = None
    ontwikkelingstoestand: Iri | None = None


class DatasetSeries(_Resource):
    """dcat:DatasetSeries."""

    kind: Literal["DatasetSeries"] = "DatasetSeries"
    temporal: list[PeriodOfTime] = Field(default_factory=list)
    frequency: Iri | None = None
    applicable_legislation: Iris = Field(default_factory=list)


class Catalog(_Resource):
    """dcat:Catalog: the catalogue's own description (not its datasets, which are streamed)."""

    kind: Literal["Catalog"] = "Catalog"
    homepage: Iri | None = None
    theme_taxonomy: Iris = Field(default_factory=list)
    has_part: Iris = Field(default_factory=list)


Record = Annotated[Dataset | DataService | DatasetSeries, Field(discriminator="kind")]
"""A catalogued resource as held in the store."""


def _as_date(value: DateValue) -> date:
    return value.date() if isinstance(value, datetime) else value


def content_hash(record: BaseModel) -> str:
    """A stable SHA-256 of a record's content: equal metadata gives an equal hash.

    The JSON of a record is canonical (field order fixed by the model, text maps and lists sorted by the
    validators), so no re-sorting is needed; the store keys change detection on this same hash.
    """
    return hashlib.sha256(record.model_dump_json(exclude_none=True).encode("utf-8")).hexdigest()
