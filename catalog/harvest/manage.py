"""Managing sources through the API: saving, changing and deleting them with every check a harvest relies
on, and working out who may manage one.

A source is saved only when its kind has a harvester, its options pass that harvester's ``Options`` (and
the size and depth limits of ``catalog.auth.limits``), its URL passes the SSRF guard
(``check_source_url``), its municipality is a Flemish NIS code (a pre-2025 code becomes the municipality
it merged into) and no other source has the same name, or the same URL and kind (``SourceConflict``
points at that source). The organisation is named by its name or URI; an unknown one is registered.

Deleting a source withdraws its datasets (``catalog.harvest.sources.remove_source``): their rows, URIs and
public ids stay and answer "gone"; registering a source that lists them again and harvesting it restores
them (a dataset is known by its URI).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.auth.audit import record_audit
from catalog.auth.limits import check_options_json
from catalog.auth.principal import Principal, organisation_key
from catalog.auth.tokens import normalise_municipality
from catalog.db.jobs import JobRunning
from catalog.db.sources import create_organisation, create_source, update_source
from catalog.db.tables import Municipality, Organisation, Source, SourceRecord
from catalog.db.withdraw import withdraw_source_records
from catalog.exceptions import InputError, StoreError
from catalog.harvest.lock import abort_stale_jobs, running_job
from catalog.harvest.registry import validate_options
from catalog.harvest.sources import REMOVED_REASON, check_source_url
from catalog.settings import Settings

__all__ = [
    "SourceConflict",
    "SourceScope",
    "delete_source",
    "live_records",
    "new_source",
    "resolve_municipality",
    "resolve_organisation",
    "scope_of",
    "snapshot",
    "update_source_audited",
    "update_source_checked",
]


class SourceConflict(StoreError):
    """Another source has this name, or this URL and kind; ``existing_id`` is that source."""

    def __init__(self, message: str, *, existing_id: int) -> None:
        super().__init__(message)
        self.existing_id = existing_id


@dataclass(frozen=True, slots=True)
class SourceScope:
    """What decides who manages a source: its municipality and its organisation (name and URI)."""

    municipality: str | None
    organisation_name: str | None = None
    organisation_uri: str | None = None

    def managed_by(self, principal: Principal | None) -> bool:
        if principal is None:
            return False
        if principal.can_manage(municipality=self.municipality, organisation=self.organisation_name):
            return True
        return bool(self.organisation_uri) and principal.can_manage(
            municipality=None, organisation=self.organisation_uri
        )


def scope_of(session: Session, source: Source) -> SourceScope:
    organisation = session.get(Organisation, source.organisation_id) if source.organisation_id else None
    return SourceScope(
        source.municipality_nis,
        organisation.name if organisation else None,
        organisation.uri if organisation else None,
    )


def resolve_municipality(session: Session, code: str | None) -> str | None:
    """The 2025 NIS code for ``code`` (a pre-2025 code is mapped); ``InputError`` when unknown."""
    if code is None or not code.strip():
        return None
    nis = normalise_municipality(code)
    if session.get(Municipality, nis) is None:
        raise InputError(f"municipality {nis} is not loaded in this catalogue (run `catalog db upgrade`)")
    return nis


def _is_uri(value: str) -> bool:
    return value.startswith(("http://", "https://", "urn:"))


def resolve_organisation(session: Session, value: str | None, *, create: bool = True) -> Organisation | None:
    """The organisation of that name (any case) or URI; registered when unknown (``create``)."""
    if value is None or not value.strip():
        return None
    value = " ".join(value.split()) if not _is_uri(value.strip()) else value.strip()
    if _is_uri(value):
        found = session.scalars(select(Organisation).where(Organisation.uri == value)).first()
    else:
        key = organisation_key(value)
        candidates = session.scalars(
            select(Organisation).where(func.lower(Organisation.name) == value.lower())
        )
        found = next((o for o in candidates if organisation_key(o.name) == key), None)
    if found is None and create:
        found = create_organisation(session, name=value, uri=value if _is_uri(value) else None)
        session.flush()
    return found


def snapshot(session: Session, source: Source) -> dict[str, Any]:
    """A source's settings as the audit log keeps them (before and after a write)."""
    scope = scope_of(session, source)
    return {
        "id": source.id,
        "name": source.name,
        "kind": source.kind,
        "url": source.url,
        "options": dict(source.options or {}),
        "municipality": source.municipality_nis,
        "organisation": scope.organisation_uri or scope.organisation_name,
        "active": source.active,
        "schedule": source.schedule,
    }


def _checked_options(kind: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
    given = dict(options or {})
    check_options_json(given)
    checked = validate_options(kind, given)
    stored: dict[str, Any] = checked.model_dump(mode="json", exclude_unset=True)
    return stored


def _check_unique(session: Session, *, name: str, kind: str, url: str, except_id: int | None) -> None:
    same_name = select(Source.id).where(Source.name == name)
    same_url = select(Source.id).where(Source.url == url, Source.kind == kind)
    if except_id is not None:
        same_name = same_name.where(Source.id != except_id)
        same_url = same_url.where(Source.id != except_id)
    existing = session.scalars(same_url.order_by(Source.id)).first()
    if existing is not None:
        raise SourceConflict(
            f"source {existing} already harvests this {kind} URL: {url}", existing_id=existing
        )
    existing = session.scalars(same_name).first()
    if existing is not None:
        raise SourceConflict(
            f"a source named {name!r} exists already (source {existing})", existing_id=existing
        )


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InputError("a source needs a name")
    return name


def new_source(
    session: Session,
    settings: Settings,
    *,
    name: str,
    kind: str,
    url: str,
    options: Mapping[str, Any] | None = None,
    municipality: str | None = None,
    organisation: str | None = None,
    active: bool = True,
    schedule: str | None = None,
) -> Source:
    """Register a source after every check (see the module docstring); flushed, not committed."""
    name, url = _clean_name(name), url.strip()
    stored_options = _checked_options(kind, options)
    check_source_url(url, settings)
    nis = resolve_municipality(session, municipality)
    _check_unique(session, name=name, kind=kind, url=url, except_id=None)
    org = resolve_organisation(session, organisation)
    source = create_source(
        session,
        name=name,
        kind=kind,
        url=url,
        options=stored_options,
        municipality=nis,
        organisation_id=org.id if org else None,
        active=active,
        schedule=schedule,
    )
    session.flush()
    return source


def update_source_audited(
    session: Session,
    settings: Settings,
    source: Source,
    changes: Mapping[str, Any],
    *,
    principal: Principal | None,
) -> Source:
    """``update_source_checked``, with an audit entry of who changed what (the settings before and after)."""
    before = snapshot(session, source)
    update_source_checked(session, settings, source, changes)
    record_audit(
        session,
        principal=principal,
        action="update",
        entity="source",
        entity_id=source.id,
        before=before,
        after=snapshot(session, source),
    )
    return source


def update_source_checked(
    session: Session, settings: Settings, source: Source, changes: Mapping[str, Any]
) -> Source:
    """Apply ``changes`` (``name``, ``kind``, ``url``, ``options``, ``municipality``, ``organisation``,
    ``active``, ``schedule``; only those given) after the checks ``new_source`` makes."""
    name = _clean_name(changes["name"]) if "name" in changes else source.name
    kind = changes.get("kind", source.kind)
    url = changes["url"].strip() if "url" in changes else source.url
    values: dict[str, Any] = {}
    if "options" in changes or kind != source.kind:
        values["options"] = _checked_options(kind, changes.get("options", source.options))
    if url != source.url:
        check_source_url(url, settings)
    if "municipality" in changes:
        values["municipality_nis"] = resolve_municipality(session, changes["municipality"])
    if name != source.name or url != source.url or kind != source.kind:
        _check_unique(session, name=name, kind=kind, url=url, except_id=source.id)
    if "organisation" in changes:
        org = resolve_organisation(session, changes["organisation"])
        values["organisation_id"] = org.id if org else None
    for key in ("active", "schedule"):
        if key in changes:
            values[key] = changes[key]
    values.update(name=name, kind=kind, url=url)
    updated = update_source(session, id=source.id, **values)
    session.flush()
    return updated


def live_records(session: Session, source_id: int) -> int:
    query = select(func.count()).where(
        SourceRecord.source_id == source_id, SourceRecord.withdrawn_at.is_(None)
    )
    return int(session.execute(query).scalar_one())


def delete_source(session: Session, settings: Settings, source: Source) -> int:
    """Withdraw the source's records (and the datasets left without any), then forget the source; return
    how many records were withdrawn. ``JobRunning`` while a harvest of it runs."""
    abort_stale_jobs(session, source_id=source.id, stale_after=settings.harvest.job_stale_after_seconds)
    alive = running_job(session, source_id=source.id)
    if alive is not None:
        raise JobRunning(
            f"source {source.id} is being harvested (job {alive.id}); delete it when the job has ended"
            " or abort the job first"
        )
    ids = list(
        session.scalars(
            select(SourceRecord.id).where(
                SourceRecord.source_id == source.id, SourceRecord.withdrawn_at.is_(None)
            )
        )
    )
    count = withdraw_source_records(session, ids=ids, reason=REMOVED_REASON)
    session.delete(source)
    session.flush()
    return count
