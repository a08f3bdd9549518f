"""Record and source factories for the store tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from catalog.db.repository import create_source, load_municipalities
from catalog.model import Dataset

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FILETYPE = "http://publications.europa.eu/resource/authority/file-type/"
CC0 = "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"
BASE_URI = "https://catalogus.example.org/"

MUNICIPALITIES = [
    {"nis": "44021", "name": "Gent", "province": "Oost-Vlaanderen", "arrondissement": "Gent"},
    {"nis": "11002", "name": "Antwerpen", "province": "Antwerpen", "arrondissement": "Antwerpen"},
    {
        "nis": "44083",
        "name": "Deinze",
        "province": "Oost-Vlaanderen",
        "arrondissement": "Gent",
        "valid_from": 2019,
    },
    {
        "nis": "44011",
        "name": "Deinze (voor 2019)",
        "province": "Oost-Vlaanderen",
        "arrondissement": "Gent",
        "valid_until": 2018,
        "merged_into": "44083",
    },
]


def make_dataset(n: int = 1, *, uri: str | None = "auto", **changes: Any) -> Dataset:
    """A realistic dataset record; ``n`` varies its identity, ``changes`` override fields."""
    fields: dict[str, Any] = {
        "uri": f"https://data.stad.gent/dataset/ds-{n}" if uri == "auto" else uri,
        "identifier": [f"ds-{n}"],
        "title": {"nl": f"Dataset {n}", "en": f"Dataset {n} (en)"},
        "description": {"nl": "Een beschrijving."},
        "keyword": {"nl": ["fiets", "mobiliteit"], "en": ["bicycle"]},
        "theme": [THEME + "TRAN", THEME + "REGI"],
        "license": CC0,
        "modified": f"2024-0{1 + n % 9}-15",
        "publisher": {"uri": "https://stad.gent/id/organisatie", "name": {"nl": "Stad Gent"}},
        "distribution": [
            {"access_url": [f"https://data.stad.gent/ds-{n}.csv"], "format": FILETYPE + "CSV"},
            {"access_url": [f"https://data.stad.gent/ds-{n}.json"], "format": FILETYPE + "JSON"},
        ],
    }
    fields.update(changes)
    return Dataset.model_validate(fields)


@pytest.fixture
def make_record() -> Callable[..., Dataset]:
    return make_dataset


@pytest.fixture
def municipalities(session: Session) -> list[dict[str, Any]]:
    load_municipalities(session, MUNICIPALITIES)  # type: ignore[arg-type]
    session.commit()
    return MUNICIPALITIES


@pytest.fixture
def source_id(session: Session, municipalities: list[dict[str, Any]]) -> int:
    source = create_source(session, name="Gent", kind="dcat", url="https://data.stad.gent/catalog.ttl")
    session.commit()
    return source.id


@pytest.fixture
def other_source_id(session: Session, municipalities: list[dict[str, Any]]) -> int:
    source = create_source(session, name="Vlaanderen", kind="ckan", url="https://opendata.vlaanderen.be")
    session.commit()
    return source.id
