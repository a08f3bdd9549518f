"""A known fixture catalogue of 30 datasets, stored through ``upsert_records``, for the search tests.

``SPECS`` describes each dataset; the tests compute the expected counts from it in Python, so what the
SQL answers is checked against an independent count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.orm import Session

from catalog.db.sources import create_source, load_municipalities
from catalog.db.upsert import UpsertItem, upsert_records
from catalog.model import Dataset
from catalog.services import municipality_rows

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FILETYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
CC0 = "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"
FREE = "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
BASE_URI = "https://catalogus.example.org/"
PROVINCE = {"44021": "40000", "11002": "10000", "46021": "40000"}
PUBLISHER = {"44021": "Stad Gent", "11002": "Stad Antwerpen", "46021": "Stad Sint-Niklaas"}

SPECIAL_TITLES = {
    0: "Fietstelpaal Visserij",
    1: "Financiën van de stad",
    2: "Parkeerplaatsen in Sint-Niklaas",
    4: "Counting bicycles",
    5: "Haltes van de bussen",
}


@dataclass(frozen=True)
class Spec:
    n: int
    title: str
    themes: list[str]
    formats: list[str]
    municipality: str
    licence: str
    languages: list[str]
    access: str
    source: str
    modified: str | None
    keywords: dict[str, list[str]] = field(default_factory=dict)

    @property
    def province(self) -> str:
        return PROVINCE[self.municipality]

    @property
    def publisher(self) -> str:
        return f"https://{self.municipality}.example/id/organisatie"


def _spec(i: int) -> Spec:
    themes = [THEME + ("TRAN", "ENVI", "ECON")[i % 3]] + ([THEME + "REGI"] if i % 5 == 0 else [])
    formats = ([FILETYPE + "CSV"] if i % 2 == 0 else []) + ([FILETYPE + "JSON"] if i % 3 == 0 else [])
    keywords = {"nl": ["fietsen"]} if i == 3 else {"en": ["open data"]} if i == 6 else {}
    return Spec(
        n=i,
        title=SPECIAL_TITLES.get(i, f"Dataset nummer {i}"),
        themes=themes,
        formats=formats,
        municipality=("44021", "11002", "46021")[i // 10],
        licence=CC0 if i % 2 == 0 else FREE,
        languages=[LANGUAGE + "NLD"] + ([LANGUAGE + "ENG"] if i % 4 == 0 else []),
        access=ACCESS + ("RESTRICTED" if i % 10 == 9 else "PUBLIC"),
        source="A" if i < 20 else "B",
        modified=None if i == 29 else f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}",
        keywords=keywords,
    )


SPECS = [_spec(i) for i in range(30)]


def record_of(spec: Spec, **changes: Any) -> Dataset:
    fields: dict[str, Any] = {
        "uri": f"https://data.example.org/dataset/{spec.n}",
        "identifier": [f"ds-{spec.n}"],
        "title": {"nl": spec.title},
        "description": {"nl": f"Beschrijving van dataset {spec.n}: gegevens over de stad."},
        "keyword": spec.keywords,
        "theme": spec.themes,
        "license": spec.licence,
        "language": spec.languages,
        "access_rights": spec.access,
        "modified": spec.modified,
        "publisher": {"uri": spec.publisher, "name": {"nl": PUBLISHER[spec.municipality]}},
        "distribution": [
            {"access_url": [f"https://data.example.org/{spec.n}.{f.rsplit('/', 1)[1].lower()}"], "format": f}
            for f in spec.formats
        ],
    }
    fields.update(changes)
    return Dataset.model_validate(fields)


def expected(attribute: str, specs: list[Spec] | None = None) -> Counter[str]:
    """How many of ``specs`` (default: all) have each value of a facet, computed from the specs."""
    counts: Counter[str] = Counter()
    for spec in SPECS if specs is None else specs:
        value = getattr(spec, attribute)
        counts.update(value if isinstance(value, list) else [value])
    return counts


@dataclass
class Catalogue:
    session: Session
    sources: dict[str, int]
    ids: dict[int, str]
    """Spec number -> public id."""

    def store(self, spec: Spec, **changes: Any) -> str:
        item = UpsertItem(f"ds-{spec.n}", record_of(spec, **changes), municipality=spec.municipality)
        result = upsert_records(
            self.session, source_id=self.sources[spec.source], items=[item], base_uri=BASE_URI
        )
        self.session.commit()
        return result[0].dataset_id


@pytest.fixture
def catalogue(session: Session) -> Catalogue:
    load_municipalities(session, municipality_rows())
    sources = {
        "A": create_source(session, name="Bron A", kind="dcat", url="https://a.example/catalog.ttl").id,
        "B": create_source(session, name="Bron B", kind="ckan", url="https://b.example/").id,
    }
    session.commit()
    ids: dict[int, str] = {}
    for name, source_id in sources.items():
        specs = [s for s in SPECS if s.source == name]
        items = [UpsertItem(f"ds-{s.n}", record_of(s), municipality=s.municipality) for s in specs]
        results = upsert_records(session, source_id=source_id, items=items, base_uri=BASE_URI)
        ids.update((s.n, r.dataset_id) for s, r in zip(specs, results, strict=True))
    session.commit()
    return Catalogue(session, sources, ids)


SearchFn = Callable[..., Any]
