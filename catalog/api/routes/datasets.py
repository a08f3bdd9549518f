"""Datasets as JSON: search with facets (``GET /api/datasets``) and one dataset's record."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator

from catalog.api.deps import SessionDep
from catalog.api.representations import dataset_document
from catalog.api.routes.schemas import (
    SEARCH_JSON,
    DatasetSummaryDict,
    FacetCountDict,
    SearchBody,
    SearchBodyDict,
)
from catalog.db.queries import StoredDataset, get_dataset
from catalog.exceptions import NotFound
from catalog.model import pick_text
from catalog.search import SearchQuery, Sort, SortDirection, search

router = APIRouter(prefix="/api/datasets", tags=["datasets"])

_SHORT = 280
_PATTERNS = {"municipality": re.compile(r"\d{5}"), "source": re.compile(r"\d{1,18}")}
_FILTER_HELP = {
    "municipality": "NIS code of a municipality (2025), e.g. `44021`.",
    "province": "NIS code (`40000`) or name (`Oost-Vlaanderen`) of a province.",
    "publisher": "Publisher URI (or `name:` and the name in lower case when it has none).",
    "theme": "EU data-theme URI.",
    "format": "EU file-type URI (else an IANA media-type URI).",
    "licence": "Licence URI.",
    "keyword": "A keyword, exactly.",
    "source": "Id of the source (harvested portal).",
    "language": "EU language URI.",
    "access_rights": "EU access-right URI.",
}


def _short(text: str | None) -> str | None:
    if text is None or len(text) <= _SHORT:
        return text
    return text[: _SHORT - 3].rstrip() + "..."


def _summary(stored: StoredDataset, href: str) -> DatasetSummaryDict:
    record: dict[str, Any] = json.loads(stored.record_json)
    publisher = record.get("publisher") or {}
    formats = {
        fmt
        for dist in record.get("distribution", ())
        if (fmt := dist.get("format") or dist.get("media_type"))
    }
    return {
        "id": stored.id,
        "uri": stored.uri,
        "kind": stored.kind,
        "title": stored.title,
        "description": _short(pick_text(record.get("description", {}))),
        "publisher": pick_text(publisher.get("name", {})),
        "municipality": stored.municipality,
        "themes": record.get("theme", []),
        "formats": sorted(formats),
        "modified": stored.modified,
        "href": href,
    }


def _all_match(name: str) -> AfterValidator:
    pattern = _PATTERNS[name]

    def check(values: list[str] | None) -> list[str] | None:
        for value in values or ():
            if not pattern.fullmatch(value):
                raise ValueError(f"{value!r} is not a valid {name}")
        return values

    return AfterValidator(check)


@router.get("", response_model=SearchBody)
def dataset_list(
    request: Request,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Words to find in titles, keywords and descriptions (Dutch, English; accents "
            "ignored). Every word must match; the last also as a prefix once it has three letters (`fiets` "
            "finds `fietstelpaal`; `fi` only the word `fi`).",
            examples=["fietstellingen gent"],
        ),
    ] = None,
    municipality: Annotated[
        list[str] | None, _all_match("municipality"), Query(description=_FILTER_HELP["municipality"])
    ] = None,
    province: Annotated[list[str] | None, Query(description=_FILTER_HELP["province"])] = None,
    publisher: Annotated[list[str] | None, Query(description=_FILTER_HELP["publisher"])] = None,
    theme: Annotated[list[str] | None, Query(description=_FILTER_HELP["theme"])] = None,
    format: Annotated[list[str] | None, Query(description=_FILTER_HELP["format"])] = None,
    licence: Annotated[list[str] | None, Query(description=_FILTER_HELP["licence"])] = None,
    keyword: Annotated[list[str] | None, Query(description=_FILTER_HELP["keyword"])] = None,
    source: Annotated[
        list[str] | None, _all_match("source"), Query(description=_FILTER_HELP["source"])
    ] = None,
    language: Annotated[list[str] | None, Query(description=_FILTER_HELP["language"])] = None,
    access_rights: Annotated[list[str] | None, Query(description=_FILTER_HELP["access_rights"])] = None,
    modified_since: Annotated[
        datetime | None, Query(description="Only datasets modified at or after this date (ISO 8601).")
    ] = None,
    sort: Annotated[Sort | None, Query(description="Default: `relevance` with `q`, else `modified`.")] = None,
    direction: Annotated[
        SortDirection | None,
        Query(description="Default: best match and newest first (`desc`), titles A to Z (`asc`)."),
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000, description="Datasets per page.")] = 20,
    facet_limit: Annotated[int, Query(ge=1, le=300, description="Values listed per facet.")] = 20,
    min_score: Annotated[
        float | None, Query(ge=0, le=405, description="Only datasets with at least this MQA score (0-405).")
    ] = None,
    band: Annotated[
        list[Literal["excellent", "good", "sufficient", "bad"]] | None,
        Query(description="Only datasets in this MQA band (repeat for more); `sort=score` sorts by score."),
    ] = None,
) -> Response:
    """Search live datasets, with a count for every facet value.

    Filters are named as the facets and may be repeated: values of one filter are alternatives (OR),
    different filters all apply (AND). Each facet is counted with its own filter left out, so its other
    values show how many datasets choosing them too would give. Ties in any order are broken by the
    dataset's internal key, so paging never repeats or skips a dataset.
    """
    given = {
        "municipality": municipality,
        "province": province,
        "publisher": publisher,
        "theme": theme,
        "format": format,
        "licence": licence,
        "keyword": keyword,
        "source": source,
        "language": language,
        "access_rights": access_rights,
    }
    filters = {name: values for name, values in given.items() if values}
    query = SearchQuery(
        q=q,
        filters=filters,
        modified_since=modified_since,
        sort=sort,
        direction=direction,
        page=page,
        per_page=per_page,
        facet_limit=facet_limit,
        min_score=min_score,
        bands=band or (),
    )
    result = search(session, query)
    here = str(request.url_for("dataset_json", id="-"))[:-1]  # one URL made, each hit's id appended
    body: SearchBodyDict = {
        "total": result.total,
        "page": page,
        "per_page": per_page,
        "results": [_summary(hit, here + hit.id) for hit in result.hits],
        "facets": {
            name: [FacetCountDict(value=v.value, label=v.label, count=v.count) for v in values]
            for name, values in result.facets.items()
        },
    }
    # documented by ``response_model``; written once from the dicts (FastAPI would validate a model again)
    return Response(SEARCH_JSON.dump_json(body), media_type="application/json")


@router.get("/{id}", name="dataset_json")
def dataset_json(id: str, session: SessionDep) -> dict[str, Any]:
    """One dataset: the catalogue's facts about it and its DCAT-AP-VL record."""
    stored = get_dataset(session, id=id)
    if stored is None:
        raise NotFound(f"no dataset with id {id!r}")
    return dataset_document(stored)
