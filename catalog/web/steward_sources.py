"""Adding a source in the steward's workspace, and changing one, with the same form: a "Test" button
that shows what the catalogue would make of the source's first records (``catalog.harvest.preview``;
nothing is written), and "Save".

The form's fields are checked one by one so that each error is shown next to its field: the kind (from
the installed harvesters), the options (``key=value`` lines, checked against the kind's ``Options``), the
URL (the SSRF guard), the municipality (a Flemish NIS code within the token's scope). Saving goes
through ``catalog.harvest.manage.new_source`` or ``update_source_checked`` (which check everything again,
and refuse a second source with the same URL and kind, pointing at the first) and leaves an audit entry,
as the API does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from catalog.api.deps import SessionDep, SettingsDep
from catalog.api.routes.jobs import WriterDep
from catalog.auth.audit import record_audit
from catalog.auth.tokens import normalise_municipality
from catalog.db.engine import session_scope
from catalog.db.tables import Source
from catalog.exceptions import InputError, NotFound, StoreError
from catalog.harvest.manage import (
    SourceConflict,
    SourceScope,
    new_source,
    scope_of,
    snapshot,
    update_source_audited,
)
from catalog.harvest.preview import Preview, preview_source
from catalog.harvest.registry import get_harvester, known_kinds, parse_option_pairs, validate_options
from catalog.harvest.sources import check_source_url
from catalog.model import pick_text
from catalog.web.i18n import language_of
from catalog.web.steward import IdPath, kind_label
from catalog.web.steward_base import StewardDep, StewardRoute, managed_source, page, see_other, spend
from catalog.web.steward_session import Steward, read_form

__all__ = ["SCHEDULES", "SourceForm", "router"]

router = APIRouter(prefix="/steward", include_in_schema=False, route_class=StewardRoute)

SCHEDULES = ("daily", "weekly", "monthly", "manual")
_FIELDS = ("name", "kind", "url", "municipality", "organisation", "schedule", "options")
PREVIEW_LIMIT = 20


@dataclass
class SourceForm:
    """The add-a-source form's values and its errors by field (``form`` for the form as a whole)."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    existing: int | None = None
    """The source that already has this URL and kind (or name), when saving was refused for it."""
    options: dict[str, Any] = field(default_factory=dict)
    municipality: str | None = None

    @classmethod
    def blank(cls, steward: Steward) -> SourceForm:
        own = sorted(steward.principal.municipalities)
        values = dict.fromkeys(_FIELDS, "")
        values.update(kind="ckan" if "ckan" in known_kinds() else "", schedule="daily")
        values["municipality"] = own[0] if len(own) == 1 else ""
        return cls(values)

    @classmethod
    def of(cls, source: Source, organisation: str | None) -> SourceForm:
        """The form filled with a saved source's settings (options as ``key=value`` lines)."""
        lines = [
            f"{key}={value if isinstance(value, str) else json.dumps(value)}"
            for key, value in sorted((source.options or {}).items())
        ]
        values = {
            "name": source.name,
            "kind": source.kind,
            "url": source.url,
            "municipality": source.municipality_nis or "",
            "organisation": organisation or "",
            "schedule": source.schedule or "daily",
            "options": "\n".join(lines),
        }
        return cls(values)

    @classmethod
    def posted(cls, form: dict[str, str]) -> SourceForm:
        return cls({name: form.get(name, "").strip() for name in _FIELDS})


def _check(form: SourceForm, steward: Steward, settings: Any, *, saving: bool) -> None:
    """Fill ``form.errors`` field by field; keep the parsed options and municipality."""
    values, errors = form.values, form.errors
    if saving and not values["name"]:
        errors["name"] = "name_required"
    kind = values["kind"]
    if kind not in known_kinds():
        errors["kind"] = "kind_unknown"
    else:
        try:
            lines = [line.strip() for line in values["options"].splitlines() if line.strip()]
            form.options = parse_option_pairs(lines)
            validate_options(kind, form.options)
        except InputError as exc:
            errors["options"] = str(exc)
    if not values["url"]:
        errors["url"] = "url_required"
    else:
        try:
            check_source_url(values["url"], settings)
        except InputError as exc:
            errors["url"] = str(exc)
    if values["schedule"] not in SCHEDULES:
        errors["schedule"] = "schedule_unknown"
    if values["municipality"]:
        try:
            form.municipality = normalise_municipality(values["municipality"])
        except InputError as exc:
            errors["municipality"] = str(exc)
            return
    organisation = values["organisation"] or None
    if not SourceScope(form.municipality, organisation, organisation).managed_by(steward.principal):
        errors["municipality"] = "out_of_scope"


def _save(writer: Any, settings: Any, steward: Steward, form: SourceForm) -> int | None:
    """Save the source; its id, or None with the refusal in ``form.errors``."""
    values = form.values
    try:
        with session_scope(writer) as session:
            source = new_source(
                session,
                settings,
                name=values["name"],
                kind=values["kind"],
                url=values["url"],
                options=form.options,
                municipality=form.municipality,
                organisation=values["organisation"] or None,
                schedule=values["schedule"],
            )
            record_audit(
                session,
                principal=steward.principal,
                action="create",
                entity="source",
                entity_id=source.id,
                before=None,
                after=snapshot(session, source),
            )
            return source.id
    except SourceConflict as exc:
        form.existing = exc.existing_id
        form.errors["name" if "named" in str(exc) else "url"] = str(exc)
    except (InputError, StoreError) as exc:
        form.errors["form"] = str(exc)
    return None


def _update(writer: Any, settings: Any, steward: Steward, source_id: int, form: SourceForm) -> bool:
    """Change the source's settings; False with the refusal in ``form.errors``."""
    values = form.values
    changes = {
        "name": values["name"],
        "kind": values["kind"],
        "url": values["url"],
        "options": form.options,
        "municipality": form.municipality,
        "organisation": values["organisation"] or None,
        "schedule": values["schedule"],
    }
    try:
        with session_scope(writer) as session:
            source = managed_source(session, source_id, steward)
            update_source_audited(session, settings, source, changes, principal=steward.principal)
            return True
    except SourceConflict as exc:
        form.existing = exc.existing_id
        form.errors["name" if "named" in str(exc) else "url"] = str(exc)
    except (InputError, StoreError) as exc:
        if isinstance(exc, NotFound):
            raise
        form.errors["form"] = str(exc)
    return False


def _title(record: dict[str, Any] | None, lang: str) -> str:
    if not record:
        return ""
    title = record.get("title")
    if isinstance(title, dict):
        return pick_text(title, lang) or next((str(v) for v in title.values()), "")
    return str(title or "")


def _preview_view(preview: Preview, lang: str) -> dict[str, Any]:
    """What the page shows of a test: counts, each record with its title and problems, the requests."""
    return {
        "counts": preview.counts(),
        "error": preview.error,
        "listing_ended": preview.listing_ended,
        "seconds": preview.seconds,
        "pages_seen": preview.pages_seen,
        "pages": preview.pages,
        "records": [
            {
                "remote_id": r.remote_id,
                "status": r.status,
                "url": r.url,
                "reason": r.reason,
                "municipality": r.municipality,
                "title": _title(r.record, lang),
                "problems": r.problems,
            }
            for r in preview.records
        ],
    }


def _kinds() -> list[tuple[str, str, list[str]]]:
    """The installed kinds: (kind, display name, option names)."""
    return [(k, kind_label(k), list(get_harvester(k).Options.model_fields)) for k in known_kinds()]


def _form_page(
    request: Request,
    steward: Steward,
    form: SourceForm,
    preview: dict[str, Any] | None = None,
    *,
    source_id: int | None = None,
) -> HTMLResponse:
    return page(
        request,
        "steward/new_source.html",
        steward,
        status_code=422 if form.errors else 200,
        form=form,
        kinds=_kinds(),
        schedules=SCHEDULES,
        preview=preview,
        source_id=source_id,
    )


async def _tested(
    request: Request, settings: Any, steward: Steward, form: SourceForm, source_id: int | None
) -> HTMLResponse:
    """The form again with the outcome of a test of its settings (nothing is written)."""
    try:
        preview = await preview_source(
            settings,
            kind=form.values["kind"],
            url=form.values["url"],
            options=form.options,
            municipality=form.municipality,
            limit=PREVIEW_LIMIT,
        )
    except InputError as exc:
        form.errors["form"] = str(exc)
        return _form_page(request, steward, form, source_id=source_id)
    view = _preview_view(preview, language_of(request))
    return _form_page(request, steward, form, view, source_id=source_id)


@router.get("/sources/new", response_class=HTMLResponse, name="steward_new_source")
def new_source_form(request: Request, steward: StewardDep) -> HTMLResponse:
    """The empty form."""
    return _form_page(request, steward, SourceForm.blank(steward))


@router.post("/sources/new", response_class=HTMLResponse)
async def new_source_post(
    request: Request, writer: WriterDep, settings: SettingsDep, steward: StewardDep
) -> Response:
    """``action=test``: the form again with the test's outcome; ``action=save``: the new source's page,
    or the form with the errors next to their fields."""
    posted = await read_form(request, steward.csrf)
    form = SourceForm.posted(posted)
    saving = posted.get("action") == "save"
    spend(request, steward, "write" if saving else "test")
    _check(form, steward, settings, saving=saving)
    if form.errors:
        return _form_page(request, steward, form)
    if saving:
        source_id = await run_in_threadpool(_save, writer, settings, steward, form)
        if source_id is not None:
            return see_other(f"/steward/sources/{source_id}?notice=created")
        return _form_page(request, steward, form)
    return await _tested(request, settings, steward, form, None)


@router.get("/sources/{id}/edit", response_class=HTMLResponse, name="steward_edit_source")
def edit_source_form(request: Request, session: SessionDep, steward: StewardDep, id: IdPath) -> HTMLResponse:
    """The form filled with the source's settings."""
    source = managed_source(session, id, steward)
    scope = scope_of(session, source)
    form = SourceForm.of(source, scope.organisation_uri or scope.organisation_name)
    return _form_page(request, steward, form, source_id=id)


@router.post("/sources/{id}/edit", response_class=HTMLResponse)
async def edit_source_post(
    request: Request, writer: WriterDep, settings: SettingsDep, steward: StewardDep, id: IdPath
) -> Response:
    """``action=test``: the form again with a test of the changed settings; ``action=save``: the
    source's page, or the form with the errors next to their fields."""
    posted = await read_form(request, steward.csrf)
    with writer() as session:
        managed_source(session, id, steward)
    form = SourceForm.posted(posted)
    saving = posted.get("action") == "save"
    spend(request, steward, "write" if saving else "test")
    _check(form, steward, settings, saving=saving)
    if form.errors:
        return _form_page(request, steward, form, source_id=id)
    if saving:
        if await run_in_threadpool(_update, writer, settings, steward, id, form):
            return see_other(f"/steward/sources/{id}?notice=updated")
        return _form_page(request, steward, form, source_id=id)
    return await _tested(request, settings, steward, form, id)
