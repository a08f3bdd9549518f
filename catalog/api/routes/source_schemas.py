"""Request and response bodies of the sources and jobs endpoints (for validation and OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catalog.api.problems import PROBLEM_JSON

__all__ = [
    "ABORT_RESULTS",
    "JOB_EXAMPLE",
    "KIND_PATTERN",
    "AbortBody",
    "DeletedBody",
    "JobDetail",
    "JobList",
    "JobRecordBody",
    "JobStarted",
    "JobSummary",
    "PreviewBody",
    "Schedule",
    "SourceBody",
    "SourceCreate",
    "SourceList",
    "SourceTest",
    "SourceUpdate",
    "problem_responses",
]

Schedule = Literal["daily", "weekly", "monthly", "manual"]
KIND_PATTERN = r"^[A-Za-z0-9_.-]+$"
"""A harvester's entry-point name."""
ABORT_RESULTS = ("requested", "aborted")

_CKAN_EXAMPLE: dict[str, Any] = {
    "name": "Gent CKAN",
    "kind": "ckan",
    "url": "https://data.stad.gent",
    "options": {"organization": ["stad-gent"], "rows": 500},
    "municipality": "44021",
    "organisation": "Stad Gent",
    "active": True,
    "schedule": "daily",
}


def _strings(value: Any) -> list[str]:
    """Every string in a JSON value, keys included."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(str(k) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class _Body(BaseModel):
    """A request body: unknown fields are refused, and no text may hold a NUL character (the store
    cannot keep one)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _no_nul(self) -> _Body:
        for name in self.model_fields_set:
            if any("\x00" in text for text in _strings(getattr(self, name))):
                raise ValueError(f"{name}: text must not contain NUL characters")
        return self


class SourceCreate(_Body):
    """A portal to harvest. ``options`` are checked against the kind's harvester; ``url`` against the
    SSRF guard; ``municipality`` is a NIS code (a pre-2025 code is mapped to the municipality it merged
    into)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CKAN_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200, description="A short unique name.")
    kind: str = Field(
        min_length=1, max_length=50, pattern=KIND_PATTERN, description="The harvester: `dcat`, `ckan` ..."
    )
    url: str = Field(min_length=1, max_length=2000, description="The feed or API address (http or https).")
    options: dict[str, Any] = Field(default_factory=dict, description="The harvester's options.")
    municipality: str | None = Field(default=None, pattern=r"^\d{5}$", description="NIS code.")
    organisation: str | None = Field(default=None, min_length=1, max_length=300, description="Name or URI.")
    active: bool = Field(default=True, description="Harvested on its schedule (false: deactivated).")
    schedule: Schedule = "daily"


class SourceUpdate(_Body):
    """The settings to change; those left out stay. ``municipality`` and ``organisation`` may be null."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"options": {"rows": 100}}, {"active": False}, {"schedule": "weekly"}]
        }
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: str | None = Field(default=None, min_length=1, max_length=50, pattern=KIND_PATTERN)
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    options: dict[str, Any] | None = None
    municipality: str | None = Field(default=None, pattern=r"^\d{5}$")
    organisation: str | None = Field(default=None, min_length=1, max_length=300)
    active: bool | None = None
    schedule: Schedule | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> SourceUpdate:
        for name in ("name", "kind", "url", "options", "active", "schedule"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class SourceTest(_Body):
    """What to test: the settings a source would be saved with, and how many records to read."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "ckan", "url": "https://data.stad.gent", "options": {}, "limit": 20}]
        }
    )

    kind: str = Field(min_length=1, max_length=50, pattern=KIND_PATTERN)
    url: str = Field(min_length=1, max_length=2000)
    options: dict[str, Any] = Field(default_factory=dict)
    municipality: str | None = Field(default=None, pattern=r"^\d{5}$")
    organisation: str | None = Field(default=None, min_length=1, max_length=300)
    limit: int = Field(default=20, ge=1, le=200, description="Records to read (the first N).")


class JobSummary(BaseModel):
    """One harvest run of a source."""

    id: int
    source_id: int
    status: str = Field(description="queued, running, succeeded, partial, failed or aborted.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    stats: dict[str, int] = Field(description="created, updated, unchanged, restored, linked, withdrawn ...")
    error: str | None
    held_withdrawals: int = Field(description="Records not withdrawn: more than the allowed share.")
    abort_requested_at: datetime | None
    href: str


JOB_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "source_id": 3,
    "status": "partial",
    "created_at": "2026-03-01T02:00:00+00:00",
    "started_at": "2026-03-01T02:00:00+00:00",
    "finished_at": "2026-03-01T02:01:13+00:00",
    "stats": {"created": 5, "updated": 2, "unchanged": 180, "withdrawn": 0, "failed": 1, "skipped": 0},
    "error": None,
    "held_withdrawals": 0,
    "abort_requested_at": None,
    "href": "https://catalog.example/api/jobs/12",
}


class JobList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"total": 1, "results": [JOB_EXAMPLE]}})
    total: int
    results: list[JobSummary]


class SourceBody(BaseModel):
    """A source. ``options``, ``state`` and ``jobs`` only for a caller who manages it."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                **{k: v for k, v in _CKAN_EXAMPLE.items() if k != "options"},
                "id": 3,
                "datasets": 187,
                "last_harvest": JOB_EXAMPLE,
                "created_at": "2026-02-01T10:00:00+00:00",
                "updated_at": "2026-02-01T10:00:00+00:00",
                "href": "https://catalog.example/api/sources/3",
                "can_manage": False,
            }
        }
    )
    id: int
    name: str
    kind: str
    url: str
    municipality: str | None
    organisation: str | None
    active: bool
    schedule: str | None
    datasets: int = Field(description="Live datasets the source lists.")
    last_harvest: JobSummary | None = Field(description="The last finished run.")
    created_at: datetime
    updated_at: datetime
    href: str
    can_manage: bool = Field(description="Whether the caller's token may change this source.")
    options: dict[str, Any] | None = None
    state: dict[str, Any] | None = None
    jobs: list[JobSummary] | None = Field(default=None, description="The newest runs (managers only).")
    jobs_href: str | None = None


class SourceList(BaseModel):
    total: int
    results: list[SourceBody]


class JobRecordBody(BaseModel):
    remote_id: str | None
    action: str
    reason: str | None
    url: str | None = Field(description="Where the original record can be seen.")


class JobDetail(JobSummary):
    """A job with its per-record log, paged."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                **JOB_EXAMPLE,
                "source_href": "https://catalog.example/api/sources/3",
                "records": [
                    {
                        "remote_id": "b7c1-parkings",
                        "action": "failed",
                        "reason": "the package has no title",
                        "url": "https://data.stad.gent/api/3/action/package_show?id=b7c1-parkings",
                    }
                ],
                "records_total": 1,
                "page": 1,
                "per_page": 100,
                "next": None,
            }
        }
    )

    source_href: str
    records: list[JobRecordBody]
    records_total: int = Field(description="Log lines (of ``action`` when filtered).")
    page: int
    per_page: int
    next: str | None = None


class JobStarted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"job_id": 13, "source_id": 3, "status": "running", "href": JOB_EXAMPLE["href"]}
        }
    )
    job_id: int
    source_id: int
    status: str
    href: str
    aborted_jobs: list[int] = Field(default_factory=list, description="Stale jobs marked aborted first.")


class AbortBody(BaseModel):
    job_id: int
    result: Literal["requested", "aborted"] = Field(
        description="requested: the run stops at its next heartbeat; aborted: it had no live run."
    )
    href: str


class DeletedBody(BaseModel):
    id: int
    withdrawn: int = Field(description="Records withdrawn (their datasets answer 410 Gone, restorable).")


class _PreviewProblem(BaseModel):
    origin: Literal["mapping", "validation"]
    severity: str
    path: str
    message: str
    message_nl: str | None
    value: str | None
    shape: str | None
    focus: str | None = Field(description="The node a validation finding is about.")


class _PreviewRecord(BaseModel):
    remote_id: str
    status: Literal["ok", "failed", "skipped"]
    url: str | None
    reason: str | None
    municipality: str | None
    record: dict[str, Any] | None = Field(description="The DCAT-AP-VL record the catalogue would store.")
    problems: list[_PreviewProblem]


class _PreviewRequest(BaseModel):
    method: str
    url: str
    final_url: str | None
    status: int | None
    content_type: str | None
    bytes: int
    ms: int
    attempts: int
    redirects: int
    error: str | None


class _PreviewFetch(BaseModel):
    pages_seen: int
    requests: list[_PreviewRequest]
    total_ms: int


class PreviewBody(BaseModel):
    """What a harvest would store from the first records, their problems, and how fetching went."""

    kind: str
    url: str
    limit: int
    counts: dict[str, int]
    listing_ended: bool = Field(description="The source has no more records than those shown.")
    error: str | None = Field(description="Why the listing could not be read further.")
    records: list[_PreviewRecord]
    fetch: _PreviewFetch


_DESCRIPTIONS = {
    400: "Invalid settings: unknown kind, invalid options, a URL the SSRF guard refuses, unknown"
    " municipality.",
    401: "No token, or an unknown or revoked one.",
    403: "The token does not reach this source's municipality or organisation.",
    404: "No such source or job.",
    409: "Conflict: another source has this name or URL and kind, or a harvest of the source is running.",
    413: "The request body is too large.",
    422: "The body or parameters do not match the schema.",
    429: "Too many requests for this token; see Retry-After.",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json answers ``codes``."""
    return {
        code: {"description": _DESCRIPTIONS[code], "content": {PROBLEM_JSON: {"schema": {"type": "object"}}}}
        for code in codes
    }
