"""Mapping of one Opendatasoft Explore API v2.1 dataset to a DCAT-AP-VL :class:`~catalog.model.Dataset`.

Read from the dataset object (``results[]`` of ``/catalog/datasets``, or one item of
``/catalog/exports/json``):

- ``metas.default``: title, description, keyword, theme, license / license_url, language, modified
  (else data_processed, else metadata_processed), publisher, territory, bbox, references, attributions,
  records_count;
- ``metas.dcat`` and ``metas.dcat_ap`` (the portal's DCAT templates, when activated): identifier, issued
  (else created), creator, contact_name / contact_email, accrualperiodicity, spatial, temporal,
  temporal_coverage_start / _end, accessRights, conforms_to, relation, applicable_legislation;
- ``has_records`` / ``records_count``, ``fields[].type`` and ``features``: which standard exports are
  offered as distributions (``_ods_exports``);
- ``attachments`` and ``alternative_exports``: one distribution each.

Every text field may hold HTML; it becomes plain text with its links kept (``_ods_html``). Controlled
values go through the :mod:`vocab` lookups; what cannot be kept is reported as a
:class:`~catalog.rdf.parse.Problem` and the rest of the dataset is still mapped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from catalog.model import Agent, BBox, ContactPoint, Dataset, Distribution, Location, PeriodOfTime
from catalog.rdf.parse import Problem
from harvesters import _lookups as lookups
from harvesters._json_map import JsonMapper, bbox_of_points, coordinates, is_iri, is_web_url, strings, text_of
from harvesters._ods_exports import export_distributions, is_geographic
from harvesters._ods_html import html_to_text, link_targets
from vocab.municipalities import lookup_municipality

__all__ = ["map_dataset"]


@lru_cache(maxsize=4096)
def _municipality_uri(name: str) -> str | None:
    found = lookup_municipality(name)
    return found.uri if found is not None else None


class _Mapper(JsonMapper):
    """Maps one dataset; collects the problems met on the way."""

    def plain(self, text: str) -> str:
        return html_to_text(text)

    def licence(self, default: Mapping[str, Any]) -> str | None:
        """license_url, then license; the first the vocabulary knows wins, else a web URL is kept."""
        given: list[str] = []
        for value in (default.get("license_url"), default.get("license")):
            text = text_of(value)
            if text:  # a licence written as a link: its words, then its target
                given += [t for t in (html_to_text(text, keep_links=False), *link_targets(text)) if t]
        found = self.known_licence(given, _licence_names)
        if found is None and given:
            self.problem("license", "unknown licence", given[-1])
        return found

    def spatial(self, default: Mapping[str, Any], dcat: Mapping[str, Any]) -> list[Location]:
        out: list[Location] = []
        for name in (*strings(default.get("territory")), *strings(dcat.get("spatial"))):
            text = html_to_text(name)
            if is_iri(text):
                out.append(Location(uri=text))
            elif text:
                out.append(Location(uri=_municipality_uri(text), name={self.language: text}))
        bbox = self.bbox(default.get("bbox"))
        if bbox is not None:
            out.append(Location(bbox=bbox))
        return out

    def bbox(self, value: Any) -> BBox | None:
        """A GeoJSON Feature or geometry (ODS gives the extent as a polygon) as a bounding box."""
        if value is None:
            return None
        geometry = value.get("geometry") if isinstance(value, dict) and "geometry" in value else value
        points = list(coordinates(geometry.get("coordinates") if isinstance(geometry, dict) else None))
        if not points:
            self.problem("bbox", "not a GeoJSON geometry", value)
            return None
        bbox = bbox_of_points(points)
        if bbox is None:
            self.problem("bbox", "coordinates out of range", value)
        return bbox

    def temporal(self, dcat: Mapping[str, Any]) -> list[PeriodOfTime]:
        """temporal_coverage_start / _end, else the free-text ``temporal``: ``start/end``, a year, years."""
        start_value, end_value = dcat.get("temporal_coverage_start"), dcat.get("temporal_coverage_end")
        text = self.clean(dcat.get("temporal"))
        if text and start_value is None and end_value is None:
            years = _YEARS.fullmatch(text)
            if years is not None:
                start_value, end_value = f"{years[1]}-01-01", f"{years[2] or years[1]}-12-31"
            elif "/" in text:
                start_value, _, end_value = text.partition("/")
            else:
                self.problem("temporal", "not a period (start/end, a year or years)", text)
        start = self.date(start_value, "temporal.start")
        end = self.date(end_value, "temporal.end")
        return self.period(start, end)

    def contact_points(self, dcat: Mapping[str, Any]) -> list[ContactPoint]:
        name = self.clean(dcat.get("contact_name"))
        email = self.email(dcat.get("contact_email"), "contact_point.email")
        return [ContactPoint(name=name, email=email)] if name or email else []

    def agent(self, value: Any) -> Agent | None:
        name = self.clean(value)
        if name is None:
            return None
        return Agent(uri=name) if is_web_url(name) else Agent(name={"": name})

    def attachment(self, item: Any, path: str, licence: str | None) -> Distribution | None:
        """An attachment or alternative export: its API ``href`` is where it is downloaded."""
        if not isinstance(item, Mapping):
            return None
        href = text_of(item.get("href"))
        if href is None or not is_web_url(href):
            self.problem(path + "href", "attachment without a web URL", href)
            return None
        mimetype = text_of(item.get("mimetype"))
        media = self.controlled(mimetype, lookups.media_type, path + "mimetype") if mimetype else None
        return Distribution(
            identifier=[i for i in (text_of(item.get("id")),) if i],
            title=self.text(item.get("title")),
            access_url=[href],
            download_url=[href],
            format=lookups.file_format(mimetype) if mimetype else None,
            media_type=media,
            license=licence,
        )


_YEARS = re.compile(r"(\d{4})(?:\s*(?:-|–|/|tot)\s*(\d{4}))?")
_BRACKETS = re.compile(r"\s*\(([^()]*)\)\s*")
_VERSION = re.compile(r"\s+v\d+(\.\d+)*$", re.IGNORECASE)
"""A version written ``v2.0`` (ODS's labels); ``CC BY 2.0`` keeps its version, it is part of the name."""


def _licence_names(text: str) -> list[str]:
    """A licence name as written, then as ODS's licence picker decorates it undone.

    ``Open Database License (ODbL)`` -> also ``Open Database License``, ``ODbL``;
    ``Licence Ouverte v2.0 (Etalab)`` -> also ``Licence Ouverte v2.0``, ``Etalab``, ``Licence Ouverte``.
    """
    if is_iri(text):
        return [text]
    names = [text]
    inner = _BRACKETS.search(text)
    if inner is not None:
        names += [_BRACKETS.sub(" ", text).strip(), inner.group(1).strip()]
    names += [_VERSION.sub("", name) for name in names]
    return [name for i, name in enumerate(names) if name and name not in names[:i]]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def map_dataset(
    item: Mapping[str, Any], *, portal: str, language: str
) -> tuple[Dataset, tuple[Problem, ...]]:
    """One ODS dataset object as a Dataset, and what could not be kept.

    ``item`` has a ``dataset_id`` and a ``metas`` object (the caller checks); ValidationError when the
    record cannot be built.
    """
    mapper = _Mapper(language)
    dataset_id = str(item["dataset_id"])
    metas = _dict(item.get("metas"))
    default = _dict(metas.get("default"))
    dcat = {**_dict(metas.get("dcat")), **_dict(metas.get("dcat_ap"))}
    uri = text_of(dcat.get("identifier"))
    identifiers = [dataset_id]
    if uri is not None and not is_web_url(uri):
        identifiers.append(uri)
        uri = None
    licence = mapper.licence(default)
    keywords = [w for w in (mapper.clean(k) for k in strings(default.get("keyword"))) if w]
    page = [p for p in strings(default.get("references")) if is_web_url(p)]
    attributions = [a for a in (mapper.clean(v) for v in strings(default.get("attributions"))) if a]
    distributions: list[Distribution] = []
    if item.get("has_records") is not False and default.get("records_count") != 0:
        modified = mapper.date(default.get("data_processed"), "data_processed")
        distributions += export_distributions(
            portal, dataset_id, licence=licence, modified=modified, geographic=is_geographic(item)
        )
    for key in ("attachments", "alternative_exports"):
        for i, attached in enumerate(item.get(key) or ()):
            found = mapper.attachment(attached, f"{key}.{i}.", licence)
            if found is not None:
                distributions.append(found)
    modified = default.get("modified") or default.get("data_processed") or default.get("metadata_processed")
    dataset = Dataset(
        uri=uri,
        identifier=identifiers,
        title=mapper.text(default.get("title")),
        description=mapper.text(default.get("description")),
        keyword={language: keywords} if keywords else {},
        theme=mapper.controlled_all(strings(default.get("theme")), lookups.theme, "theme"),
        publisher=mapper.agent(default.get("publisher")),
        creator=mapper.agent(dcat.get("creator")),
        contact_point=mapper.contact_points(dcat),
        issued=mapper.date(dcat.get("issued") or dcat.get("created"), "issued"),
        modified=mapper.date(modified, "modified"),
        access_rights=mapper.controlled(
            dcat.get("accessRights") or dcat.get("access_rights"), lookups.access_rights, "access_rights"
        ),
        license=licence,
        conforms_to=mapper.iris(dcat.get("conforms_to"), "conforms_to"),
        relation=mapper.iris(dcat.get("relation"), "relation"),
        applicable_legislation=mapper.iris(dcat.get("applicable_legislation"), "applicable_legislation"),
        landing_page=[f"{portal}/explore/dataset/{quote(dataset_id, safe='')}/"],
        page=page,
        language=mapper.controlled_all(strings(default.get("language")), lookups.language, "language"),
        spatial=mapper.spatial(default, dcat),
        temporal=mapper.temporal(dcat),
        frequency=mapper.controlled(dcat.get("accrualperiodicity"), lookups.frequency, "frequency"),
        provenance={"": "; ".join(attributions)} if attributions else {},
        distribution=distributions,
    )
    return dataset, tuple(mapper.problems)
