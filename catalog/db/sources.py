"""Sources, organisations and municipalities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.db.tables import Municipality, Organisation, Source
from catalog.db.types import as_utc
from catalog.exceptions import NotFound, StoreError

__all__ = [
    "MunicipalityRow",
    "create_organisation",
    "create_source",
    "get_organisation_by_uri",
    "get_source",
    "get_source_by_url",
    "list_municipalities",
    "list_sources",
    "load_municipalities",
    "update_source",
]

_MUNICIPALITIES: Table = Municipality.__table__  # type: ignore[assignment]


class MunicipalityRow(TypedDict):
    """A municipality as ``load_municipalities`` takes it."""

    nis: str
    name: str
    province: NotRequired[str | None]
    arrondissement: NotRequired[str | None]
    valid_from: NotRequired[int | None]
    valid_until: NotRequired[int | None]
    merged_into: NotRequired[str | None]


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else datetime.now(UTC)


def create_source(
    session: Session,
    *,
    name: str,
    kind: str,
    url: str,
    options: Mapping[str, Any] | None = None,
    municipality: str | None = None,
    organisation_id: int | None = None,
    active: bool = True,
    schedule: str | None = None,
    now: datetime | None = None,
) -> Source:
    """Register a source; ``StoreError`` when the name is taken or the municipality is unknown."""
    now = _now(now)
    source = Source(
        name=name,
        kind=kind,
        url=url,
        options=dict(options or {}),
        municipality_nis=municipality,
        organisation_id=organisation_id,
        active=active,
        schedule=schedule,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(source)
    except IntegrityError as exc:
        raise StoreError(
            f"cannot register source {name!r}: the name is taken or a reference is unknown"
        ) from exc
    return source


_EDITABLE = frozenset(
    {"name", "kind", "url", "options", "municipality_nis", "organisation_id", "active", "schedule"}
)


def update_source(session: Session, *, id: int, now: datetime | None = None, **changes: Any) -> Source:
    """Change a source's settings (``name``, ``url``, ``options``, ``active``, ``schedule`` ...)."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    source = session.get(Source, id)
    if source is None:
        raise NotFound(f"no source with id {id}")
    try:
        with session.begin_nested():
            for key, value in changes.items():
                setattr(source, key, dict(value) if key == "options" else value)
            source.updated_at = _now(now)
    except IntegrityError as exc:
        raise StoreError(f"cannot update source {id}: the name is taken or a reference is unknown") from exc
    return source


def get_source(session: Session, *, id: int) -> Source | None:
    return session.get(Source, id)


def get_source_by_url(session: Session, *, url: str) -> Source | None:
    """The source registered with this URL (the oldest, when a portal is registered more than once)."""
    query = select(Source).where(Source.url == url).order_by(Source.id).limit(1)
    return session.scalars(query).first()


def list_sources(session: Session, *, active: bool | None = None) -> list[Source]:
    """Every source by id, or only the active (or inactive) ones."""
    query = select(Source).order_by(Source.id)
    if active is not None:
        query = query.where(Source.active.is_(active))
    return list(session.scalars(query))


def create_organisation(
    session: Session,
    *,
    name: str,
    uri: str | None = None,
    email: str | None = None,
    homepage: str | None = None,
    municipality: str | None = None,
    now: datetime | None = None,
) -> Organisation:
    organisation = Organisation(
        name=name,
        uri=uri,
        email=email,
        homepage=homepage,
        municipality_nis=municipality,
        created_at=_now(now),
    )
    try:
        with session.begin_nested():
            session.add(organisation)
    except IntegrityError as exc:
        raise StoreError(f"cannot register organisation {name!r}: its URI is taken") from exc
    return organisation


def get_organisation_by_uri(session: Session, *, uri: str) -> Organisation | None:
    return session.scalars(select(Organisation).where(Organisation.uri == uri)).first()


def load_municipalities(session: Session, rows: Iterable[MunicipalityRow]) -> int:
    """Insert or update municipalities by NIS code; return how many rows were given.

    ``merged_into`` may name a municipality given later in ``rows``.
    """
    given = list(rows)
    if not given:
        return 0
    c = _MUNICIPALITIES.c
    fields = ("name", "province", "arrondissement", "valid_from", "valid_until")
    values = [{"nis": r["nis"], **{f: r.get(f) for f in fields}} for r in given]
    existing = set(session.scalars(select(c.nis)))
    new = [v for v in values if v["nis"] not in existing]
    old = [{"b_nis": v["nis"], **{f: v[f] for f in fields}} for v in values if v["nis"] in existing]
    if new:
        session.execute(insert(_MUNICIPALITIES), [{**v, "merged_into": None} for v in new])
    if old:
        session.execute(update(_MUNICIPALITIES).where(c.nis == bindparam("b_nis")), old)
    merges = [{"b_nis": r["nis"], "merged_into": r.get("merged_into")} for r in given]
    session.execute(update(_MUNICIPALITIES).where(c.nis == bindparam("b_nis")), merges)
    return len(given)


def list_municipalities(session: Session, *, current_only: bool = False) -> list[Municipality]:
    """Municipalities by NIS code; ``current_only`` leaves out merged and dissolved ones."""
    query = select(Municipality).order_by(Municipality.nis)
    if current_only:
        query = query.where(Municipality.valid_until.is_(None), Municipality.merged_into.is_(None))
    return list(session.scalars(query))
