"""DCAT-AP / DCAT-AP-VL graph -> records: one small function per model class.

Accepts the variants real feeds use: dct:format literals and media types, schema:startDate and
time:hasBeginning periods, vcard:hasEmail as a mailto: IRI or a literal, WKT / GML / GeoJSON
geometries, adms:identifier with skos:notation, licences as IRIs, literals or labelled nodes.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from pydantic import BaseModel, ValidationError

from catalog.model import (
    Agent,
    Attribution,
    BBox,
    Catalog,
    Checksum,
    ContactPoint,
    DataService,
    Dataset,
    DatasetSeries,
    Distribution,
    Location,
    PeriodOfTime,
    RightsStatement,
)
from catalog.rdf import _normalise as norm
from catalog.rdf._parse_nodes import NodeReader, Props
from catalog.rdf._parse_values import bbox_from_text, parse_float, parse_int, term_text
from vocab.namespaces import (
    ADMS,
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    LOCN,
    MDCAT,
    OWL,
    PROV,
    RDFS,
    SCHEMA,
    SKOS,
    SPDX,
    VCARD,
)

__all__ = ["build_catalog", "build_record"]

_D, _T, _F, _V = str(DCAT), str(DCT), str(FOAF), str(VCARD)
_MDCAT = str(MDCAT)
_ADMS_IDENTIFIER = str(ADMS.identifier)
_ADMS_STATUS = str(ADMS.status)
_ADMS_VERSION = str(ADMS.version)
_ADMS_VERSION_NOTES = str(ADMS.versionNotes)
_DCATAP_APPLICABLE_LEGISLATION = str(DCATAP.applicableLegislation)
_DCATAP_AVAILABILITY = str(DCATAP.availability)
_LOCN_GEOGRAPHIC_NAME = str(LOCN.geographicName)
_LOCN_GEOMETRY = str(LOCN.geometry)
_MDCAT_STATUUT = str(MDCAT.statuut)
_OWL_VERSION_INFO = str(OWL.versionInfo)
_PROV_AGENT = str(PROV.agent)
_RDFS_LABEL = str(RDFS.label)
_SCHEMA_END_DATE = str(SCHEMA.endDate)
_SCHEMA_START_DATE = str(SCHEMA.startDate)
_SKOS_NOTATION = str(SKOS.notation)
_SKOS_PREF_LABEL = str(SKOS.prefLabel)
_SPDX_ALGORITHM = str(SPDX.algorithm)
_SPDX_CHECKSUM = str(SPDX.checksum)
_SPDX_CHECKSUM_VALUE = str(SPDX.checksumValue)
_VCARD_VALUE = str(VCARD.value)
_TIME = "http://www.w3.org/2006/time#"
_MEDIA_PREFIX = "https://www.iana.org/assignments/media-types/"
_MAX_DEPTH = 4

# Every predicate the builder asks a node for, spelt once: a key built on each call ("_T + 'title'")
# is a new string to hash on every lookup, and a record makes a few hundred lookups.
_DCAT_ACCESS_SERVICE = _D + "accessService"
_DCAT_ACCESS_URL = _D + "accessURL"
_DCAT_BBOX = _D + "bbox"
_DCAT_BYTE_SIZE = _D + "byteSize"
_DCAT_CENTROID = _D + "centroid"
_DCAT_CONTACT_POINT = _D + "contactPoint"
_DCAT_DISTRIBUTION = _D + "distribution"
_DCAT_DOWNLOAD_URL = _D + "downloadURL"
_DCAT_ENDPOINT_DESCRIPTION = _D + "endpointDescription"
_DCAT_ENDPOINT_URL = _D + "endpointURL"
_DCAT_END_DATE = _D + "endDate"
_DCAT_HAD_ROLE = _D + "hadRole"
_DCAT_IN_SERIES = _D + "inSeries"
_DCAT_KEYWORD = _D + "keyword"
_DCAT_LANDING_PAGE = _D + "landingPage"
_DCAT_MEDIA_TYPE = _D + "mediaType"
_DCAT_QUALIFIED_ATTRIBUTION = _D + "qualifiedAttribution"
_DCAT_SERVES_DATASET = _D + "servesDataset"
_DCAT_SPATIAL_RESOLUTION_IN_METERS = _D + "spatialResolutionInMeters"
_DCAT_START_DATE = _D + "startDate"
_DCAT_TEMPORAL_RESOLUTION = _D + "temporalResolution"
_DCAT_THEME = _D + "theme"
_DCAT_THEME_TAXONOMY = _D + "themeTaxonomy"
_DCAT_VERSION = _D + "version"
_DCT_ACCESS_RIGHTS = _T + "accessRights"
_DCT_ACCRUAL_PERIODICITY = _T + "accrualPeriodicity"
_DCT_CONFORMS_TO = _T + "conformsTo"
_DCT_CREATED = _T + "created"
_DCT_CREATOR = _T + "creator"
_DCT_DESCRIPTION = _T + "description"
_DCT_FORMAT = _T + "format"
_DCT_HAS_PART = _T + "hasPart"
_DCT_HAS_VERSION = _T + "hasVersion"
_DCT_IDENTIFIER = _T + "identifier"
_DCT_ISSUED = _T + "issued"
_DCT_IS_REFERENCED_BY = _T + "isReferencedBy"
_DCT_IS_VERSION_OF = _T + "isVersionOf"
_DCT_LANGUAGE = _T + "language"
_DCT_LICENSE = _T + "license"
_DCT_MODIFIED = _T + "modified"
_DCT_PROVENANCE = _T + "provenance"
_DCT_PUBLISHER = _T + "publisher"
_DCT_RELATION = _T + "relation"
_DCT_RIGHTS = _T + "rights"
_DCT_SOURCE = _T + "source"
_DCT_SPATIAL = _T + "spatial"
_DCT_TEMPORAL = _T + "temporal"
_DCT_TITLE = _T + "title"
_DCT_TYPE = _T + "type"
_FOAF_HOMEPAGE = _F + "homepage"
_FOAF_MBOX = _F + "mbox"
_FOAF_NAME = _F + "name"
_FOAF_PAGE = _F + "page"
_TIME_HAS_BEGINNING = _TIME + "hasBeginning"
_TIME_HAS_END = _TIME + "hasEnd"
_TIME_IN_XSDDATE = _TIME + "inXSDDate"
_TIME_IN_XSDDATE_TIME = _TIME + "inXSDDateTime"
_TIME_IN_XSDDATE_TIME_STAMP = _TIME + "inXSDDateTimeStamp"
_VCARD_EMAIL = _V + "email"
_VCARD_FN = _V + "fn"
_VCARD_HAS_EMAIL = _V + "hasEmail"
_VCARD_HAS_TELEPHONE = _V + "hasTelephone"
_VCARD_HAS_URL = _V + "hasURL"
_VCARD_HAS_VALUE = _V + "hasValue"
_VCARD_ORGANIZATION_NAME = _V + "organization-name"
_VCARD_TEL = _V + "tel"
_MDCAT_PHASES = tuple((name, _MDCAT + name) for name in ("levensfase", "ontwikkelingstoestand"))
_DCAT_PACKAGING = (("compress_format", _D + "compressFormat"), ("package_format", _D + "packageFormat"))
_DATASET_LINKS = (
    ("relation", _DCT_RELATION),
    ("source", _DCT_SOURCE),
    ("has_version", _DCT_HAS_VERSION),
    ("is_version_of", _DCT_IS_VERSION_OF),
    ("is_referenced_by", _DCT_IS_REFERENCED_BY),
    ("in_series", _DCAT_IN_SERIES),
    ("applicable_legislation", _DCATAP_APPLICABLE_LEGISLATION),
)
"""The dataset's links to other resources: field name, predicate."""


_RESOURCE_LINKS = (
    ("conforms_to", _DCT_CONFORMS_TO),
    ("landing_page", _DCAT_LANDING_PAGE),
    ("page", _FOAF_PAGE),
)
"""Links every catalogued resource may have, in the order they are read: field name, predicate."""


def _iri_of(node: object) -> str | None:
    if isinstance(node, ox.NamedNode):
        value = node.value
        if norm.is_iri(value):
            return value
    return None


def _dump(model: BaseModel) -> str:
    return model.model_dump_json()


def _sorted(models: list[Any]) -> list[Any]:
    """Built models in a stable order; deferred ones (plain dicts) are sorted after validation."""
    if len(models) > 1 and not isinstance(models[0], dict):
        return sorted(models, key=_dump)
    return models


def _distribution_key(d: Distribution) -> tuple[str, list[str], list[str], str]:
    return (d.uri or "", d.access_url, d.download_url, d.model_dump_json())


def _link_key(d: Distribution) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return (d.uri or "", tuple(d.access_url), tuple(d.download_url))


def _ordered_distributions(dists: list[Distribution]) -> list[Distribution]:
    """By URI and links, then by content; the content (JSON) is only worked out when links tie."""
    if len(dists) < 2:
        return dists
    by_link = {_link_key(d): d for d in dists}
    if len(by_link) == len(dists):
        return [by_link[key] for key in sorted(by_link)]
    return sorted(dists, key=_distribution_key)


def _email(r: NodeReader, node: object) -> str | None:
    if isinstance(node, ox.BlankNode):
        props = r.props(node)
        for value in props.get(_VCARD_VALUE, []) + props.get(_VCARD_HAS_VALUE, []):
            return _email(r, value)
        return None
    text = term_text(node)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text or None


def agent(r: NodeReader, node: object, path: str) -> Agent | None:
    if isinstance(node, ox.Literal):
        return r.build(Agent, path, {"name": r.text({"n": [node]}, "n")})
    props = r.props(node)
    uri = _iri_of(node)
    name = r.text(props, _FOAF_NAME, _VCARD_FN, _SKOS_PREF_LABEL, _RDFS_LABEL, _VCARD_ORGANIZATION_NAME)
    homepage = next(iter(r.iris(props, _FOAF_HOMEPAGE, path + "homepage")), None)
    identifier = r.plain(props, _DCT_IDENTIFIER, _SKOS_NOTATION)
    # Only the values found: an absent one is the model's default (see ``_common``).
    fields: dict[str, Any] = {"name": name}
    if uri is not None:
        fields["uri"] = uri
    if homepage is not None:
        fields["homepage"] = homepage
    if identifier is not None:
        fields["identifier"] = identifier
    types = r.iris(props, _DCT_TYPE, path + "type")
    if types:
        fields["type"] = min(types)
    for value in [*props.get(_FOAF_MBOX, []), *props.get(_VCARD_HAS_EMAIL, [])]:
        fields["email"] = _email(r, value)
        break
    if uri is None and not name:
        return None
    return r.build(Agent, path, fields)


def contact_point(r: NodeReader, node: object, path: str) -> ContactPoint | None:
    if isinstance(node, ox.Literal):
        text = node.value.strip()
        key = "email" if "@" in text and " " not in text else "name"
        return r.build(ContactPoint, path, {key: _email(r, node) if key == "email" else text})
    props = r.props(node)
    fields: dict[str, Any] = {}  # only the values found (see ``_common``)
    uri = _iri_of(node)
    if uri is not None:
        fields["uri"] = uri
    name = r.plain(props, _VCARD_FN, _VCARD_ORGANIZATION_NAME, _FOAF_NAME, _RDFS_LABEL)
    if name is not None:
        fields["name"] = name
    for value in props.get(_VCARD_HAS_EMAIL, []) + props.get(_VCARD_EMAIL, []) + props.get(_FOAF_MBOX, []):
        fields["email"] = _email(r, value)
        break
    for value in props.get(_VCARD_HAS_TELEPHONE, []) + props.get(_VCARD_TEL, []):
        fields["telephone"] = _email(r, value)
        break
    urls = r.iris(props, _VCARD_HAS_URL, path + "url")
    if urls:
        fields["url"] = min(urls)
    if not any(fields.values()):
        return None
    return r.build(ContactPoint, path, fields)


def location(r: NodeReader, node: object, path: str) -> Location | None:
    if isinstance(node, ox.Literal):
        literal_box = bbox_from_text(node.value)
        if literal_box is not None:
            return Location(bbox=literal_box)
        return r.build(Location, path, {"name": r.text({"n": [node]}, "n")})
    props = r.props(node)
    fields: dict[str, Any] = {
        "uri": _iri_of(node),
        "name": r.text(props, _SKOS_PREF_LABEL, _RDFS_LABEL, _LOCN_GEOGRAPHIC_NAME, _DCT_TITLE),
    }
    box: BBox | None = None
    for predicate in (_DCAT_BBOX, _LOCN_GEOMETRY, _DCAT_CENTROID):
        for value in props.get(predicate, []):
            box = bbox_from_text(term_text(value))
            if box is None:
                r.problem(path + "bbox", "unreadable geometry", term_text(value)[:200])
            else:
                break
        if box is not None:
            break
    fields["bbox"] = box
    if not any(fields.values()):
        return None
    return r.build(Location, path, fields)


def _instant(r: NodeReader, node: object, path: str) -> Any:
    if isinstance(node, ox.Literal):
        return r.date({"d": [node]}, ["d"], path)
    props = r.props(node)
    return r.date(props, [_TIME_IN_XSDDATE, _TIME_IN_XSDDATE_TIME, _TIME_IN_XSDDATE_TIME_STAMP], path)


def period(r: NodeReader, node: object, path: str) -> PeriodOfTime | None:
    props = r.props(node)
    start = r.date(props, [_DCAT_START_DATE, _SCHEMA_START_DATE], path + "start")
    end = r.date(props, [_DCAT_END_DATE, _SCHEMA_END_DATE], path + "end")
    if start is None:
        for value in props.get(_TIME_HAS_BEGINNING, []):
            start = _instant(r, value, path + "start")
    if end is None:
        for value in props.get(_TIME_HAS_END, []):
            end = _instant(r, value, path + "end")
    if start is None and end is None:
        return None
    return r.build(PeriodOfTime, path, {"start": start, "end": end})


def rights(r: NodeReader, node: object, path: str) -> RightsStatement | None:
    if isinstance(node, ox.Literal):
        return r.build(RightsStatement, path, {"label": r.text({"n": [node]}, "n")})
    props = r.props(node)
    fields = {"uri": _iri_of(node), "label": r.text(props, _RDFS_LABEL, _DCT_DESCRIPTION, _DCT_TITLE)}
    if not any(fields.values()):
        return None
    return r.build(RightsStatement, path, fields)


def _identifiers(r: NodeReader, props: Props) -> list[str]:
    out = [text for v in props.get(_DCT_IDENTIFIER, ()) if (text := term_text(v))]
    for node in props.get(_ADMS_IDENTIFIER, ()):
        if isinstance(node, ox.Literal):
            out.append(node.value.strip())
            continue
        notation = r.plain(r.props(node), _SKOS_NOTATION, _DCT_IDENTIFIER)
        if notation:
            out.append(notation)
        elif isinstance(node, ox.NamedNode):
            out.append(node.value)
    return [v for v in out if v]


def _first(r: NodeReader, props: Props, predicate: str, path: str, make: Any) -> Any:
    for value in props.get(predicate, []):
        found = make(r, value, path)
        if found is not None:
            return found
    return None


def _many(r: NodeReader, props: Props, predicate: str, path: str, make: Any) -> list[Any]:
    values = props.get(predicate)
    if not values:
        return []
    out = [make(r, value, f"{path}.{i}.") for i, value in enumerate(values)]
    return _sorted([m for m in out if m is not None])


def _licence(r: NodeReader, props: Props, path: str) -> str | None:
    for value in props.get(_DCT_LICENSE, []):
        if isinstance(value, ox.BlankNode) and not r.label(value):
            r.problem(path, "licence given as an empty node, without IRI or label")
            continue
        return r.mapped(value, norm.licence, path)
    return None


def _named(r: NodeReader, node: object, props: Props) -> dict[str, Any]:
    """The first fields of a catalogued resource and of a distribution, for what the node has: its IRI,
    identifiers, title and description (an absent one is left out, see ``_common``)."""
    has = props.__contains__
    fields: dict[str, Any] = {}
    uri = _iri_of(node)
    if uri is not None:
        fields["uri"] = uri
    if has(_DCT_IDENTIFIER) or has(_ADMS_IDENTIFIER):
        fields["identifier"] = _identifiers(r, props)
    if has(_DCT_TITLE):
        fields["title"] = r.text(props, _DCT_TITLE)
    if has(_DCT_DESCRIPTION):
        fields["description"] = r.text(props, _DCT_DESCRIPTION)
    return fields


def _common(r: NodeReader, node: object, props: Props, depth: int) -> dict[str, Any]:
    """Fields every catalogued resource has, for the properties the node has.

    A property the node lacks is left out (``has``), so the model gives it its empty default: most
    are absent from a given node, and neither a helper nor validation is spent on them (a default is
    not validated). The helpers run in the same order either way, so the problems they note come in the
    same order.
    """
    has = props.__contains__
    spatial = _many(r, props, _DCT_SPATIAL, "spatial", location) if has(_DCT_SPATIAL) else None
    fields = _named(r, node, props)
    if has(_DCAT_KEYWORD):
        fields["keyword"] = _keywords(props)
    if has(_DCAT_THEME):
        fields["theme"] = r.mapped_all(props, _DCAT_THEME, norm.theme, "theme")
    if has(_DCT_PUBLISHER):
        fields["publisher"] = _first(r, props, _DCT_PUBLISHER, "publisher.", agent)
    if has(_DCT_CREATOR):
        fields["creator"] = _first(r, props, _DCT_CREATOR, "creator.", agent)
    if has(_DCAT_CONTACT_POINT):
        fields["contact_point"] = _many(r, props, _DCAT_CONTACT_POINT, "contact_point", contact_point)
    if has(_DCT_ISSUED) or has(_DCT_CREATED):
        fields["issued"] = r.date(props, [_DCT_ISSUED, _DCT_CREATED], "issued")
    if has(_DCT_MODIFIED):
        fields["modified"] = r.date(props, [_DCT_MODIFIED], "modified")
    if has(_DCT_ACCESS_RIGHTS):
        fields["access_rights"] = r.mapped_one(
            props, [_DCT_ACCESS_RIGHTS], norm.access_rights, "access_rights"
        )
    if has(_DCT_LICENSE):
        fields["license"] = _licence(r, props, "license")
    if has(_DCT_RIGHTS):
        fields["rights"] = _first(r, props, _DCT_RIGHTS, "rights.", rights)
    for name, predicate in _RESOURCE_LINKS:
        if has(predicate):
            fields[name] = r.iris(props, predicate, name)
    if has(_DCT_LANGUAGE):
        fields["language"] = r.mapped_all(props, _DCT_LANGUAGE, norm.language, "language")
    if spatial is not None:
        fields["spatial"] = spatial
    if has(_MDCAT_STATUUT):
        fields["statuut"] = r.iris(props, _MDCAT_STATUUT, "statuut")
    return fields


def _keywords(props: Props) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in props.get(_DCAT_KEYWORD, []):
        if isinstance(value, ox.Literal):
            text = value.value
            if text.strip():
                out.setdefault((value.language or "").lower(), []).append(text)
    return out


def _phases(r: NodeReader, props: Props, fields: dict[str, Any]) -> None:
    for name, predicate in _MDCAT_PHASES:
        found = r.iris(props, predicate, name)
        if found:
            fields[name] = min(found)


def distribution(r: NodeReader, node: object, path: str, depth: int = 0) -> Distribution | None:
    props = r.props(node)
    has = props.__contains__  # an absent property is left out: its default (see ``_common``)
    fields = _named(r, node, props)
    if has(_DCAT_ACCESS_URL):
        fields["access_url"] = r.iris(props, _DCAT_ACCESS_URL, path + "access_url")
    if has(_DCAT_DOWNLOAD_URL):
        fields["download_url"] = r.iris(props, _DCAT_DOWNLOAD_URL, path + "download_url")
    if has(_DCT_LICENSE):
        fields["license"] = _licence(r, props, path + "license")
    if has(_DCT_RIGHTS):
        fields["rights"] = _first(r, props, _DCT_RIGHTS, path + "rights.", rights)
    if has(_DCT_ACCESS_RIGHTS):
        fields["access_rights"] = r.mapped_one(
            props, [_DCT_ACCESS_RIGHTS], norm.access_rights, path + "access_rights"
        )
    if has(_DCT_ISSUED):
        fields["issued"] = r.date(props, [_DCT_ISSUED], path + "issued")
    if has(_DCT_MODIFIED):
        fields["modified"] = r.date(props, [_DCT_MODIFIED], path + "modified")
    if has(_ADMS_STATUS):
        fields["status"] = r.mapped_one(props, [_ADMS_STATUS], norm.status, path + "status")
    if has(_DCATAP_AVAILABILITY):
        fields["availability"] = next(iter(r.iris(props, _DCATAP_AVAILABILITY, path + "availability")), None)
    if has(_DCT_LANGUAGE):
        fields["language"] = r.mapped_all(props, _DCT_LANGUAGE, norm.language, path + "language")
    if has(_DCT_CONFORMS_TO):
        fields["conforms_to"] = r.iris(props, _DCT_CONFORMS_TO, path + "conforms_to")
    if has(_FOAF_PAGE):
        fields["page"] = r.iris(props, _FOAF_PAGE, path + "page")
    if has(_DCAT_TEMPORAL_RESOLUTION):
        fields["temporal_resolution"] = r.plain(props, _DCAT_TEMPORAL_RESOLUTION)
    _formats(r, props, path, fields)
    for name, predicate in _DCAT_PACKAGING:
        if has(predicate):
            fields[name] = r.mapped_one(props, [predicate], norm.media_type, path + name)
    size = r.plain(props, _DCAT_BYTE_SIZE) if has(_DCAT_BYTE_SIZE) else None
    if size is not None:
        fields["byte_size"] = parse_int(size)
        if fields["byte_size"] is None:
            r.problem(path + "byte_size", "not a whole number", size)
    if has(_DCAT_SPATIAL_RESOLUTION_IN_METERS):
        resolution = r.plain(props, _DCAT_SPATIAL_RESOLUTION_IN_METERS)
        if resolution is not None:
            fields["spatial_resolution_in_meters"] = parse_float(resolution)
    if has(_SPDX_CHECKSUM):
        fields["checksum"] = _first(r, props, _SPDX_CHECKSUM, path + "checksum.", _checksum)
    if depth < _MAX_DEPTH and has(_DCAT_ACCESS_SERVICE):
        services = [
            data_service(r, value, depth + 1)
            for value in props.get(_DCAT_ACCESS_SERVICE, ())
            if not isinstance(value, ox.Literal)
        ]
        fields["access_service"] = _sorted([s for s in services if s is not None])
    return r.build(Distribution, path, fields)


def _formats(r: NodeReader, props: Props, path: str, fields: dict[str, Any]) -> None:
    """dct:format (EU file type) and dcat:mediaType (IANA), also a media type given in dct:format."""
    media = r.mapped_one(props, [_DCAT_MEDIA_TYPE], norm.media_type, path + "media_type")
    file_format = None
    for value in props.get(_DCT_FORMAT, []):
        text = r.label(value)
        found = norm.file_format(text) if text else None
        if found is None and "/" in text and not norm.is_iri(text):
            media = media or norm.media_type(text)
            found = norm.file_format(text.split("/")[-1])
        if found is None and isinstance(value, ox.NamedNode) and norm.is_iri(iri := value.value):
            if iri.startswith(_MEDIA_PREFIX):
                media = media or norm.media_type(iri)
            else:
                found = iri
        if found is None:
            if media is None:
                r.problem(path + "format", "unknown format", text or None)
            continue
        file_format = found if file_format is None else min(file_format, found)
    if file_format is not None:
        fields["format"] = file_format
    if media is not None:
        fields["media_type"] = media


def _checksum(r: NodeReader, node: object, path: str) -> Checksum | None:
    props = r.props(node)
    algorithm = next(iter(r.iris(props, _SPDX_ALGORITHM, path + "algorithm")), None)
    value = r.plain(props, _SPDX_CHECKSUM_VALUE)
    if algorithm is None or not value:
        return None
    return r.build(Checksum, path, {"algorithm": algorithm, "value": value})


def _attribution(r: NodeReader, node: object, path: str) -> Attribution | None:
    props = r.props(node)
    who = _first(r, props, _PROV_AGENT, path + "agent.", agent)
    if who is None:
        return None
    role = next(iter(r.iris(props, _DCAT_HAD_ROLE, path + "role")), None)
    return r.build(Attribution, path, {"agent": who, "role": role})


def _temporal(r: NodeReader, props: Props) -> list[PeriodOfTime]:
    return _many(r, props, _DCT_TEMPORAL, "temporal", period)


def dataset(r: NodeReader, node: object, depth: int = 0) -> Dataset | None:
    props = r.props(node)
    has = props.__contains__  # an absent property is left out: its default (see ``_common``)
    fields = _common(r, node, props, depth)
    dists = [
        distribution(r, v, f"distribution.{i}.", depth)
        for i, v in enumerate(props.get(_DCAT_DISTRIBUTION, ()))
    ]
    kept = [d for d in dists if d is not None]
    deferred = bool(kept) and isinstance(kept[0], dict)
    if kept:
        fields["distribution"] = kept if deferred else _ordered_distributions(kept)
    if has(_DCT_TEMPORAL):
        fields["temporal"] = _temporal(r, props)
    if has(_DCT_ACCRUAL_PERIODICITY):
        fields["frequency"] = r.mapped_one(props, [_DCT_ACCRUAL_PERIODICITY], norm.frequency, "frequency")
    version = r.plain(props, _DCAT_VERSION, _OWL_VERSION_INFO, _ADMS_VERSION)
    if version is not None:
        fields["version"] = version
    if has(_ADMS_VERSION_NOTES):
        fields["version_notes"] = r.text(props, _ADMS_VERSION_NOTES)
    if has(_DCT_PROVENANCE):
        fields["provenance"] = r.text(props, _DCT_PROVENANCE)
    for name, predicate in _DATASET_LINKS:
        if has(predicate):
            fields[name] = r.iris(props, predicate, name)
    if has(_DCAT_QUALIFIED_ATTRIBUTION):
        fields["qualified_attribution"] = _many(
            r, props, _DCAT_QUALIFIED_ATTRIBUTION, "qualified_attribution", _attribution
        )
    types = r.iris(props, _DCT_TYPE, "type") if has(_DCT_TYPE) else None
    if types:
        fields["type"] = min(types)
    resolution = (
        r.plain(props, _DCAT_SPATIAL_RESOLUTION_IN_METERS)
        if has(_DCAT_SPATIAL_RESOLUTION_IN_METERS)
        else None
    )
    if resolution:
        fields["spatial_resolution_in_meters"] = parse_float(resolution)
    if has(_DCAT_TEMPORAL_RESOLUTION):
        fields["temporal_resolution"] = r.plain(props, _DCAT_TEMPORAL_RESOLUTION)
    _phases(r, props, fields)
    return r.build(Dataset, "", fields)


def data_service(r: NodeReader, node: object, depth: int = 0) -> DataService | None:
    props = r.props(node)
    fields = _common(r, node, props, depth)
    fields["endpoint_url"] = r.iris(props, _DCAT_ENDPOINT_URL, "endpoint_url")
    fields["endpoint_description"] = r.iris(props, _DCAT_ENDPOINT_DESCRIPTION, "endpoint_description")
    fields["serves_dataset"] = r.iris(props, _DCAT_SERVES_DATASET, "serves_dataset")
    _phases(r, props, fields)
    return r.build(DataService, "", fields)


def dataset_series(r: NodeReader, node: object, depth: int = 0) -> DatasetSeries | None:
    props = r.props(node)
    fields = _common(r, node, props, depth)
    fields["temporal"] = _temporal(r, props)
    fields["frequency"] = r.mapped_one(props, [_DCT_ACCRUAL_PERIODICITY], norm.frequency, "frequency")
    fields["applicable_legislation"] = r.iris(props, _DCATAP_APPLICABLE_LEGISLATION, "applicable_legislation")
    return r.build(DatasetSeries, "", fields)


def build_catalog(r: NodeReader, node: object) -> Catalog | None:
    props = r.props(node)
    fields = _common(r, node, props, 0)
    fields["homepage"] = next(iter(r.iris(props, _FOAF_HOMEPAGE, "homepage")), None)
    fields["theme_taxonomy"] = r.iris(props, _DCAT_THEME_TAXONOMY, "theme_taxonomy")
    fields["has_part"] = r.iris(props, _DCT_HAS_PART, "has_part")
    return r.build(Catalog, "", fields)


_BUILDERS = {"Dataset": dataset, "DataService": data_service, "DatasetSeries": dataset_series}
_CLASSES: dict[str, type[Dataset | DataService | DatasetSeries]] = {
    "Dataset": Dataset,
    "DataService": DataService,
    "DatasetSeries": DatasetSeries,
}
_COMMON_LISTS = ("spatial", "contact_point")
_NESTED_LISTS = {
    "Dataset": (*_COMMON_LISTS, "temporal", "qualified_attribution"),
    "DataService": _COMMON_LISTS,
    "DatasetSeries": (*_COMMON_LISTS, "temporal"),
}


def _sort_lists(model: BaseModel, names: tuple[str, ...]) -> None:
    # Writes past validate_assignment on purpose: the values were validated a moment ago.
    for name in names:
        values = model.__dict__[name]
        if len(values) > 1:
            model.__dict__[name] = sorted(values, key=_dump)


def _sort_nested(record: Dataset | DataService | DatasetSeries) -> None:
    """Order nested lists as the node-by-node build does: innermost first, by their JSON."""
    if isinstance(record, Dataset):
        for dist in record.distribution:
            for service in dist.access_service:
                _sort_nested(service)
            _sort_lists(dist, ("access_service",))
        record.__dict__["distribution"] = _ordered_distributions(record.distribution)
    _sort_lists(record, _NESTED_LISTS[record.kind])


def build_record(r: NodeReader, node: object, kind: str) -> Dataset | DataService | DatasetSeries | None:
    """Build the record of ``kind`` (Dataset, DataService, DatasetSeries) described at ``node``.

    The record is validated once, as a whole. Only when that fails is it built again node by node, so
    that what the model refuses is dropped field by field (with a problem) instead of losing the record.
    """
    fast = NodeReader(r.describe, deferred=True)
    fields: Any = _BUILDERS[kind](fast, node)
    if fields is not None:
        try:
            record = _CLASSES[kind].model_validate(fields)
        except ValidationError:
            pass
        else:
            _sort_nested(record)
            r.problems.extend(fast.problems)
            return record
    return _BUILDERS[kind](r, node)
