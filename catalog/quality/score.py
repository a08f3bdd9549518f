"""The metadata quality score of a dataset: data.europa.eu's Metadata Quality Assessment (MQA) scheme.

Five dimensions, 405 points in all (weights as the MQA methodology gives them):

=================  ====  ==========================================================================
dimension          max   criteria (points)
=================  ====  ==========================================================================
findability        100   keyword 30, theme 30, spatial 20, temporal 20
accessibility      100   accessURL answers 50, downloadURL present 20, downloadURL answers 30
interoperability   110   format 20, media type 10, format or media type from a vocabulary 10,
                         non-proprietary format 20, machine-readable format 20, DCAT-AP compliance 30
reusability         75   licence 20, known licence 10, access rights 10, access rights from the
                         vocabulary 5, contact point 20, publisher 10
contextuality       20   rights 5, byte size 5, issued 5, modified 5
=================  ====  ==========================================================================

Bands: excellent above 350, good 221-350, sufficient 121-220, bad 120 or less. A total is never whole
when distributions disagree (see below), so the bands are read as: excellent > 350, good > 220,
sufficient > 120, else bad.

**Dataset and distribution criteria.** The methodology computes some criteria on the dataset (keyword,
theme, spatial, temporal, access rights, contact point, publisher, issued, modified, DCAT-AP compliance)
and the others on each distribution (the URLs, format, media type, licence, rights, byte size). The
data.europa.eu pages we could consult (the methodology and the data provider manual) do not spell out
how a dataset with several distributions is scored, and the implementations that follow it differ (the
Norwegian ``fdk-mqa`` scores the best distribution, CKAN MQA calculators the share of distributions).
This module takes the **share of distributions** that meet a distribution criterion: a dataset with
two distributions of which one has a download URL gets 10 of the 20 points. It rewards fixing every
distribution, which is what a steward is asked to do, and equals the MQA's own result whenever the
distributions agree (all of them, or one). A dataset without distributions gets no distribution points.
A licence or rights statement on the dataset counts for each of its distributions (DCAT-AP-VL lets
portals state them once, on the dataset).

**Link checks.** "accessURL answers" and "downloadURL answers" need an HTTP request, which scoring never
makes: it reads the cached results of ``catalog check-links`` (``links``: URL -> answered). A
distribution gets the points when one of its URLs answered. ``Score.links_checked`` is False when some
URL had no result: the score is then computed without link checks, and says so.

**Non-proprietary and machine-readable** come from the EU file-type vocabulary facts in ``vocab/``
(``vocab.formats``); a distribution with a media type but no format is judged by the file type of that
media type. **Known licence**: a licence in the catalogue's licence table (EU, Flemish, Creative Commons,
Open Data Commons ...). **Access rights from the vocabulary**: an EU access-right concept.

**DCAT-AP compliance** gives its 30 points when the validator (``catalog.quality.validate``) finds no
violation in the record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol

from catalog.model import DataService, Dataset, DatasetSeries, Distribution
from vocab.concepts import is_known
from vocab.formats import format_for_media_type, format_label, is_machine_readable, is_non_proprietary
from vocab.licences import licence_label

__all__ = [
    "BANDS",
    "CRITERIA",
    "DIMENSIONS",
    "MAX_POINTS",
    "Criterion",
    "FindingLike",
    "Score",
    "band_of",
    "score_record",
]

Band = Literal["excellent", "good", "sufficient", "bad"]
BANDS: tuple[Band, ...] = ("excellent", "good", "sufficient", "bad")
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")

_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One line of the scheme: its key, dimension, weight, and whether it is judged per distribution."""

    key: str
    dimension: str
    weight: int
    per_distribution: bool
    label: str
    label_nl: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("keyword", "findability", 30, False, "keywords", "trefwoorden"),
    Criterion("theme", "findability", 30, False, "themes", "thema's"),
    Criterion("spatial", "findability", 20, False, "spatial coverage", "geografische dekking"),
    Criterion("temporal", "findability", 20, False, "temporal coverage", "tijdsdekking"),
    Criterion("access_url_answers", "accessibility", 50, True, "access URL answers", "toegangs-URL werkt"),
    Criterion("download_url", "accessibility", 20, True, "download URL given", "download-URL opgegeven"),
    Criterion(
        "download_url_answers", "accessibility", 30, True, "download URL answers", "download-URL antwoordt"
    ),
    Criterion("format", "interoperability", 20, True, "format", "formaat"),
    Criterion("media_type", "interoperability", 10, True, "media type", "mediatype"),
    Criterion(
        "format_vocabulary", "interoperability", 10, True,
        "format or media type from a vocabulary", "formaat of mediatype uit een vocabularium",
    ),
    Criterion("non_proprietary", "interoperability", 20, True, "non-proprietary format", "open formaat"),
    Criterion("machine_readable", "interoperability", 20, True, "machine-readable", "machineleesbaar"),
    Criterion("dcat_ap_compliance", "interoperability", 30, False, "DCAT-AP compliance", "conform DCAT-AP"),
    Criterion("licence", "reusability", 20, True, "licence", "licentie"),
    Criterion("known_licence", "reusability", 10, True, "known licence", "gekende licentie"),
    Criterion("access_rights", "reusability", 10, False, "access rights", "toegangsrechten"),
    Criterion(
        "access_rights_vocabulary", "reusability", 5, False,
        "access rights from the vocabulary", "toegangsrechten uit het vocabularium",
    ),
    Criterion("contact_point", "reusability", 20, False, "contact point", "contactpunt"),
    Criterion("publisher", "reusability", 10, False, "publisher", "uitgever"),
    Criterion("rights", "contextuality", 5, True, "rights", "rechten"),
    Criterion("byte_size", "contextuality", 5, True, "byte size", "bestandsgrootte"),
    Criterion("issued", "contextuality", 5, False, "date issued", "uitgiftedatum"),
    Criterion("modified", "contextuality", 5, False, "date modified", "wijzigingsdatum"),
)  # fmt: skip

MAX_POINTS: dict[str, int] = {
    dimension: sum(c.weight for c in CRITERIA if c.dimension == dimension) for dimension in DIMENSIONS
}
"""Maximum points per dimension (100, 100, 110, 75, 20: 405 in all)."""


class FindingLike(Protocol):
    """What scoring reads of a validator finding (``catalog.quality.validate.Finding``)."""

    @property
    def severity(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Score:
    """A dataset's MQA score."""

    points: dict[str, float]
    """Points per criterion (``CRITERIA`` keys)."""
    dimensions: dict[str, float]
    total: float
    band: Band
    links_checked: bool
    """False: some access or download URL had no link-check result (its "answers" points are 0)."""
    violations: int
    warnings: int


def band_of(total: float) -> Band:
    """The MQA band of a total: excellent > 350, good > 220, sufficient > 120, else bad."""
    if total > 350:
        return "excellent"
    if total > 220:
        return "good"
    if total > 120:
        return "sufficient"
    return "bad"


def _answered(urls: Sequence[str], links: Mapping[str, bool]) -> bool:
    return any(links.get(url, False) for url in urls)


@lru_cache(maxsize=4096)
def _file_type(iri: str) -> tuple[bool, bool, bool]:
    """(an EU file type, non-proprietary, machine readable): vocabulary facts, cached per IRI."""
    return format_label(iri) is not None, bool(is_non_proprietary(iri)), bool(is_machine_readable(iri))


@lru_cache(maxsize=4096)
def _format_of_media_type(iri: str) -> str | None:
    return format_for_media_type(iri)


@lru_cache(maxsize=4096)
def _known(iri: str) -> bool:
    return is_known(iri)


@lru_cache(maxsize=4096)
def _known_licence(iri: str) -> bool:
    return licence_label(iri) is not None


_DISTRIBUTION_KEYS = (
    "access_url_answers", "download_url", "download_url_answers", "format", "media_type",
    "format_vocabulary", "non_proprietary", "machine_readable", "licence", "known_licence", "rights",
    "byte_size",
)  # fmt: skip
"""The per-distribution criteria, in the order ``_distribution_facts`` gives them."""
_BY_DIMENSION = tuple((d, tuple(c.key for c in CRITERIA if c.dimension == d)) for d in DIMENSIONS)
_PLAN = tuple((c.key, c.weight, c.per_distribution) for c in CRITERIA)


def _distribution_facts(
    distribution: Distribution, dataset: Dataset, links: Mapping[str, bool]
) -> tuple[bool, ...]:
    """The distribution's facts, one per ``_DISTRIBUTION_KEYS``."""
    media = distribution.media_type
    fmt = distribution.format
    shown = fmt or (_format_of_media_type(media) if media else None)
    _, open_type, machine_type = _file_type(shown) if shown else (False, False, False)
    licence = distribution.license or dataset.license
    return (
        _answered(distribution.access_url, links) if links else False,
        bool(distribution.download_url),
        _answered(distribution.download_url, links) if links else False,
        fmt is not None,
        media is not None,
        bool((fmt and _file_type(fmt)[0]) or (media and _known(media))),
        open_type,
        machine_type,
        licence is not None,
        bool(licence and _known_licence(licence)),
        (distribution.rights or dataset.rights) is not None,
        distribution.byte_size is not None,
    )


_DATASET_KEYS = (
    "keyword", "theme", "spatial", "temporal", "dcat_ap_compliance", "access_rights",
    "access_rights_vocabulary", "contact_point", "publisher", "issued", "modified",
)  # fmt: skip
"""The dataset-level criteria, in the order ``_dataset_facts`` gives them."""


def _dataset_facts(record: Dataset, violations: int, validated: bool) -> tuple[bool, ...]:
    """The dataset's facts, one per ``_DATASET_KEYS``."""
    rights = record.access_rights
    return (
        bool(record.keyword),
        bool(record.theme),
        bool(record.spatial),
        bool(record.temporal),
        validated and violations == 0,
        rights is not None,
        bool(rights and rights.startswith(_ACCESS_RIGHT) and _known(rights)),
        bool(record.contact_point),
        record.publisher is not None,
        record.issued is not None,
        record.modified is not None,
    )


@lru_cache(maxsize=4096)
def _tally(
    dataset: tuple[bool, ...], shares: tuple[float, ...]
) -> tuple[dict[str, float], dict[str, float], float]:
    """Points per criterion, per dimension and the total for one set of facts (``shares``: the share of
    distributions meeting each ``_DISTRIBUTION_KEYS`` criterion, empty without distributions); cached,
    as most records of a harvest share their facts."""
    facts: dict[str, float] = dict(zip(_DATASET_KEYS, dataset, strict=True))
    facts.update(zip(_DISTRIBUTION_KEYS, shares, strict=False))
    points: dict[str, float] = {}
    for key, weight, per_distribution in _PLAN:
        share = facts.get(key, 0.0) if per_distribution else (1.0 if facts[key] else 0.0)
        points[key] = round(weight * share, 2)
    dimensions = {dimension: round(sum(points[k] for k in keys), 2) for dimension, keys in _BY_DIMENSION}
    return points, dimensions, round(sum(dimensions.values()), 2)


def score_record(
    record: Dataset | DataService | DatasetSeries,
    *,
    findings: Sequence[FindingLike] | None,
    links: Mapping[str, bool] | None = None,
) -> Score:
    """Score a record by the MQA scheme (see the module docstring).

    ``findings`` are the validator's findings for the record (None: not validated, so no compliance
    points); ``links`` maps checked URLs to whether they answered. A data service or a series has no
    distributions and scores on its dataset-level criteria only.
    """
    links = links or {}
    violations = warnings = 0
    for finding in findings or ():
        severity = finding.severity
        if severity == "violation":
            violations += 1
        elif severity == "warning":
            warnings += 1
    dataset = record if isinstance(record, Dataset) else _as_dataset(record)
    distributions = dataset.distribution
    shares: tuple[float, ...] = ()
    if distributions:
        per = [_distribution_facts(d, dataset, links) for d in distributions]
        count = len(per)
        shares = tuple(sum(values) / count for values in zip(*per, strict=True))  # the facts are bools
    points, dimensions, total = _tally(_dataset_facts(dataset, violations, findings is not None), shares)
    checked = all(url in links for d in distributions for url in (*d.access_url, *d.download_url))
    return Score(dict(points), dict(dimensions), total, band_of(total), checked, violations, warnings)


def _as_dataset(record: DataService | DatasetSeries) -> Dataset:
    """The dataset-level facts of a service or series, as a distribution-less dataset."""
    fields: dict[str, Any] = {
        "keyword": record.keyword,
        "theme": record.theme,
        "spatial": record.spatial,
        "access_rights": record.access_rights,
        "contact_point": record.contact_point,
        "publisher": record.publisher,
        "issued": record.issued,
        "modified": record.modified,
    }
    if isinstance(record, DatasetSeries):
        fields["temporal"] = record.temporal
    return Dataset.model_construct(**fields)
