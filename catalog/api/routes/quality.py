"""Metadata quality: a dataset's MQA score and findings; sources, municipalities and the whole catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from catalog.api.deps import SessionDep
from catalog.api.problems import PROBLEM_BASE, problem
from catalog.db.queries import get_dataset
from catalog.db.tables import Source
from catalog.exceptions import NotFound
from catalog.quality.aggregate import Aggregate, GroupBy, aggregate, common_problems, grouped, score_histogram
from catalog.quality.score import CRITERIA, MAX_POINTS, score_record
from catalog.quality.store import get_quality, latest_job_quality, load_links, record_urls
from catalog.search.stats import find_municipality

__all__ = ["router"]

router = APIRouter(tags=["quality"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "No such dataset, source or municipality, or the dataset has no score yet.",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "no source with id 7",
                }
            }
        },
    }
}


class CriterionBody(BaseModel):
    key: str
    dimension: str
    label: str
    label_nl: str
    weight: int
    points: float


class FindingBody(BaseModel):
    focus: str | None = None
    path: str | None = None
    severity: str
    message: str
    message_nl: str | None = None
    value: str | None = None
    shape: str | None = None


class DatasetQualityBody(BaseModel):
    """A dataset's MQA score: total, band, dimensions, each criterion, and the validator's findings."""

    id: str
    uri: str
    score: float
    max_score: int = 405
    band: str
    dimensions: dict[str, float]
    max_points: dict[str, int]
    criteria: list[CriterionBody]
    """Points per criterion, worked out from the record and the link checks as they are now."""
    violations: int
    warnings: int
    links_checked: bool
    """False: some link was never checked, so the accessibility points are incomplete."""
    computed_at: datetime
    findings: list[FindingBody]


class AggregateBody(BaseModel):
    key: str | None = None
    label: str | None = None
    datasets: int
    average: float | None
    dimensions: dict[str, float | None]
    bands: dict[str, int]
    violations: int
    warnings: int
    links_checked: int


class ProblemBody(BaseModel):
    severity: str
    path: str | None
    message: str
    message_nl: str | None
    datasets: int


class SourceQualityBody(AggregateBody):
    last_job: dict[str, int] | None = None
    """What the newest harvest job that scored anything found (``job_id``, ``scored``, bands ...)."""
    problems: list[ProblemBody]


class BucketBody(BaseModel):
    from_score: int
    datasets: int


class CatalogueQualityBody(BaseModel):
    overall: AggregateBody
    histogram: list[BucketBody]
    """Datasets per 50 points of score."""
    problems: list[ProblemBody]
    groups: list[AggregateBody]
    """One aggregate per ``group`` value (province by default), best average first."""


def _body(agg: Aggregate) -> dict[str, Any]:
    return {
        "key": agg.key,
        "label": agg.label,
        "datasets": agg.datasets,
        "average": agg.average,
        "dimensions": agg.dimensions,
        "bands": agg.bands,
        "violations": agg.violations,
        "warnings": agg.warnings,
        "links_checked": agg.links_checked,
    }


class _Finding:
    """A stored finding as scoring reads it."""

    def __init__(self, severity: str) -> None:
        self.severity = severity


@router.get(
    "/api/datasets/{id}/quality",
    name="dataset_quality",
    response_model=DatasetQualityBody,
    responses={**_NOT_FOUND, 410: {"description": "The dataset was withdrawn."}},
)
def dataset_quality(
    session: SessionDep, id: Annotated[str, Path(description="The dataset's public id.")]
) -> DatasetQualityBody | JSONResponse:
    """The dataset's MQA score (405 points in five dimensions), its band, and what the validator found.

    410 when the dataset was withdrawn.
    """
    stored = get_dataset(session, id=id)
    if stored is None:
        raise NotFound(f"no dataset with id {id}")
    if stored.withdrawn_at is not None:
        when = stored.withdrawn_at.isoformat()
        detail = f"dataset {id!r} was withdrawn on {when}"
        return problem(410, detail, title="Gone", type_=PROBLEM_BASE + "withdrawn", withdrawn_at=when)
    quality = get_quality(session, stored.pk)
    if quality is None:
        raise NotFound(f"dataset {id} has no quality score yet")
    findings = list(quality.findings or [])
    record = stored.record
    now = score_record(
        record,
        findings=[_Finding(str(f.get("severity"))) for f in findings],
        links=load_links(session, record_urls(record)),
    )
    return DatasetQualityBody(
        id=stored.id,
        uri=stored.uri,
        score=quality.score,
        band=quality.band,
        dimensions={d: getattr(quality, d) for d in MAX_POINTS},
        max_points=MAX_POINTS,
        criteria=[
            CriterionBody(
                key=c.key,
                dimension=c.dimension,
                label=c.label,
                label_nl=c.label_nl,
                weight=c.weight,
                points=now.points[c.key],
            )
            for c in CRITERIA
        ],
        violations=quality.violations,
        warnings=quality.warnings,
        links_checked=quality.links_checked,
        computed_at=quality.computed_at,
        findings=[FindingBody.model_validate(f) for f in findings],
    )


def _problems(session: SessionDep, source_id: int | None = None) -> list[ProblemBody]:
    return [ProblemBody(**vars(p)) for p in common_problems(session, source_id=source_id)]


@router.get(
    "/api/sources/{id}/quality",
    name="source_quality",
    response_model=SourceQualityBody,
    responses=_NOT_FOUND,
)
def source_quality(
    session: SessionDep, id: Annotated[int, Path(ge=1, le=2**63 - 1, description="The source's id.")]
) -> SourceQualityBody:
    """The quality of the datasets a source owns, its most common problems, and its last harvest's tally."""
    if session.get(Source, id) is None:
        raise NotFound(f"no source with id {id}")
    latest = latest_job_quality(session, id)
    last_job = {"job_id": latest[0], **latest[1]} if latest else None
    return SourceQualityBody(
        **_body(aggregate(session, source_id=id)), last_job=last_job, problems=_problems(session, id)
    )


@router.get(
    "/api/municipalities/{nis}/quality",
    name="municipality_quality",
    response_model=AggregateBody,
    responses=_NOT_FOUND,
)
def municipality_quality(
    session: SessionDep,
    nis: Annotated[str, Path(pattern=r"^\d{5}$", description="NIS code, e.g. `44021`.")],
) -> AggregateBody:
    """The quality of the datasets of one municipality (by NIS code)."""
    found = find_municipality(session, nis)
    if found is None:
        raise NotFound(f"no municipality with NIS code {nis}")
    return AggregateBody(**{**_body(aggregate(session, municipality=nis)), "key": nis})


_GROUP_HELP = "Aggregate per source, publisher, municipality or province."


@router.get("/api/quality", name="catalogue_quality", response_model=CatalogueQualityBody)
def catalogue_quality(
    session: SessionDep,
    group: Annotated[GroupBy, Query(description=_GROUP_HELP)] = "province",
) -> CatalogueQualityBody:
    """The whole catalogue: average score and bands, the distribution of scores, the most common
    problems, and one aggregate per province (or source, publisher, municipality)."""
    return CatalogueQualityBody(
        overall=AggregateBody(**_body(aggregate(session))),
        histogram=[BucketBody(from_score=b, datasets=n) for b, n in score_histogram(session)],
        problems=_problems(session),
        groups=[AggregateBody(**_body(agg)) for agg in grouped(session, group)],
    )
