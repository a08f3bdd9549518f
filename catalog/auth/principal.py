"""Who is calling: the principal a verified API token stands for, and what it may manage.

Admins manage everything. A steward manages the sources of the municipalities (2025 NIS codes) and the
organisations (by name, compared without regard to case, or by URI) its token names; a source that
belongs to neither a municipality nor an organisation is managed by admins only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vocab.municipalities import merged_into

__all__ = ["Principal", "Role", "organisation_key"]

Role = Literal["admin", "steward"]


def organisation_key(value: str) -> str:
    """How organisations are compared: a URI as given, a name folded (case, surrounding and inner spaces)."""
    value = value.strip()
    if value.startswith(("http://", "https://", "urn:")):
        return value
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Principal:
    """The holder of a valid API token."""

    token_id: int
    name: str
    role: Role
    municipalities: frozenset[str]
    organisations: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_manage(self, *, municipality: str | None, organisation: str | None) -> bool:
        """May this principal change a source of ``municipality`` (NIS) or ``organisation`` (name or URI)?"""
        if self.is_admin:
            return True
        if municipality:
            nis = municipality.strip()
            if nis in self.municipalities or (merged_into(nis) or "") in self.municipalities:
                return True
        if organisation:
            key = organisation_key(organisation)
            if any(organisation_key(own) == key for own in self.organisations):
                return True
        return False
