"""Flemish municipalities (the 2025 map and the 300 before the mergers), provinces, and tolerant lookups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from vocab._data import load
from vocab._text import fold, iri_key, looks_like_iri

__all__ = [
    "GEMEENTE",
    "Municipality",
    "Province",
    "by_nis",
    "lookup_municipality",
    "merged_into",
    "municipalities",
    "provinces",
]

GEMEENTE = "https://data.vlaanderen.be/id/gemeente/"
YEARS = (2025, 2019)


@dataclass(frozen=True, slots=True)
class Province:
    """A Flemish province: NIS code, Dutch name, URI (GDI-Vlaanderen thesaurus)."""

    nis: str
    name: str
    uri: str


@dataclass(frozen=True, slots=True)
class Municipality:
    """A Flemish municipality as of ``year`` (2025: after the mergers; 2019: the 300 before)."""

    nis: str
    name: str
    names: dict[str, str] = field(hash=False, compare=False)
    uri: str
    province_nis: str
    province_name: str
    arrondissement_nis: str
    arrondissement_name: str
    bbox: tuple[float, float, float, float] | None
    year: int


@cache
def _year(year: int) -> tuple[list[Municipality], list[Province]]:
    """(municipalities sorted by name, provinces sorted by NIS)."""
    if year not in YEARS:
        raise ValueError(f"no municipality data for {year}; known years: {YEARS}")
    data = load(f"regions-{year}")
    provinces = {p["nis"]: p for p in data["provinces"]}
    arrondissements = {a["nis"]: a for a in data["arrondissements"]}
    result: list[Municipality] = []
    for m in data["municipalities"]:
        bbox = m["bbox"]
        result.append(
            Municipality(
                nis=m["nis"],
                name=m["name"],
                names=dict(m["names"]),
                uri=GEMEENTE + m["nis"],
                province_nis=m["province_nis"],
                province_name=provinces[m["province_nis"]]["name"],
                arrondissement_nis=m["arrondissement_nis"],
                arrondissement_name=arrondissements[m["arrondissement_nis"]]["name"],
                bbox=(bbox[0], bbox[1], bbox[2], bbox[3]) if bbox else None,
                year=year,
            )
        )
    result.sort(key=lambda m: (fold(m.name), m.nis))
    province_list = [Province(p["nis"], p["name"], p["gdi_uri"]) for p in data["provinces"]]
    return result, province_list


def municipalities(year: int = 2025) -> list[Municipality]:
    """All municipalities of ``year`` (2025: 285, 2019: 300), sorted by name."""
    return list(_year(year)[0])


def provinces() -> list[Province]:
    """The five Flemish provinces, by NIS code."""
    return list(_year(2025)[1])


@cache
def _by_nis() -> dict[int, dict[str, Municipality]]:
    return {year: {m.nis: m for m in _year(year)[0]} for year in YEARS}


def by_nis(nis: str, year: int | None = None) -> Municipality | None:
    """The municipality with this NIS code in ``year``; by default 2025, else the 2019 one."""
    index = _by_nis()
    nis = nis.strip()
    if year is not None:
        return index.get(year, {}).get(nis)
    return index[2025].get(nis) or index[2019].get(nis)


def merged_into(old_nis: str) -> str | None:
    """The 2025 NIS code of the municipality that absorbed ``old_nis`` on 1 January 2025; None if unmerged."""
    mergers: dict[str, str] = load("mergers-2025")
    return mergers.get(old_nis.strip())


_PREFIX = re.compile(
    r"^(?:(?:stad en ocmw|gemeente en ocmw|lokaal bestuur|stad|gemeente|ocmw|ville de|ville d|"
    r"commune de|commune d|city of|municipality of|stadt|gemeinde)\s+)+"
)
_SAINT = re.compile(r"\b(?:st|sint)\b\s*")


def _name_key(text: str) -> str:
    """Fold a name and drop "Stad ", "Gemeente " ...; "St.-", "St-", "Sint " all become "sint"."""
    key = _PREFIX.sub("", fold(text))
    key = _SAINT.sub("sint", key)
    return key.replace(" ", "")


@cache
def _lookup_index() -> tuple[dict[str, Municipality], dict[str, Municipality]]:
    """(name key -> 2025 municipality, IRI key -> 2025 municipality), old names mapped through mergers."""
    current = _by_nis()[2025]
    names: dict[str, Municipality] = {}
    iris: dict[str, Municipality] = {}
    for m in _year(2025)[0]:
        for text in (m.name, *m.names.values()):
            names.setdefault(_name_key(text), m)
        iris[iri_key(m.uri)] = m
    for unit in load("regions-2025")["municipalities"]:
        for other in (unit["gdi_uri"], *unit["same_as"]):
            iris.setdefault(iri_key(other), current[unit["nis"]])
    for unit in load("regions-2019")["municipalities"]:
        target = current.get(merged_into(unit["nis"]) or unit["nis"])
        if target is None:
            continue
        for text in (unit["name"], *unit["names"].values()):
            names.setdefault(_name_key(text), target)
        for other in (GEMEENTE + unit["nis"], unit["gdi_uri"], *unit["same_as"]):
            iris.setdefault(iri_key(other), target)
    return names, iris


def lookup_municipality(text: str) -> Municipality | None:
    """The 2025 municipality for a NIS code, a municipality URI, or a name in any tolerated spelling.

    Pre-2025 names and NIS codes give the municipality they merged into.
    """
    text = text.strip()
    if not text:
        return None
    names, iris = _lookup_index()
    if looks_like_iri(text):
        return iris.get(iri_key(text))
    if text.isdigit():
        nis = text.zfill(5)
        return by_nis(nis, 2025) or by_nis(merged_into(nis) or "", 2025)
    return names.get(_name_key(text))
