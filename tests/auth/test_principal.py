"""The scope rules of a principal: admins everything, stewards their municipalities and organisations."""

from __future__ import annotations

import pytest

from catalog.auth.principal import Principal


def _steward(municipalities: set[str] = set(), organisations: set[str] = set()) -> Principal:  # noqa: B006
    return Principal(1, "s", "steward", frozenset(municipalities), frozenset(organisations))


ADMIN = Principal(1, "a", "admin", frozenset(), frozenset())
GENT = _steward({"44021"})
DIGIPOLIS = _steward(organisations={"Digipolis Antwerpen", "https://example.org/org/digipolis"})


@pytest.mark.parametrize(
    ("principal", "municipality", "organisation", "allowed"),
    [
        (ADMIN, None, None, True),
        (ADMIN, "11002", None, True),
        (GENT, "44021", None, True),
        (GENT, " 44021 ", None, True),
        (GENT, "11002", None, False),
        (GENT, None, None, False),
        (GENT, "11002", "Stad Gent", False),
        (DIGIPOLIS, None, "DIGIPOLIS antwerpen", True),
        (DIGIPOLIS, None, "https://example.org/org/digipolis", True),
        (DIGIPOLIS, None, "https://example.org/org/DIGIPOLIS", False),  # URIs compare exactly
        (DIGIPOLIS, "11002", "Stad Antwerpen", False),
        (_steward({"11002"}), "11007", None, True),  # pre-2025 Borsbeek is Antwerpen now
    ],
)
def test_can_manage(
    principal: Principal, municipality: str | None, organisation: str | None, allowed: bool
) -> None:
    assert principal.can_manage(municipality=municipality, organisation=organisation) is allowed
    assert principal.is_admin is (principal.role == "admin")
