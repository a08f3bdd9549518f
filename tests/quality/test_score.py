"""The MQA score on hand-worked records, one per band, with every point worked out below."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from catalog.model import DataService, Dataset
from catalog.quality.score import CRITERIA, MAX_POINTS, band_of, score_record

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY = EU + "licence/CC_BY_4_0"
PUBLIC = EU + "access-right/PUBLIC"


@dataclass(frozen=True)
class Found:
    """A validator finding as scoring sees it."""

    severity: str


def dataset(**fields: Any) -> Dataset:
    return Dataset.model_validate(
        {"uri": "https://data.example.be/id/dataset/1", "title": {"nl": "X"}, **fields}
    )


FULL_DATASET = {
    "keyword": {"nl": ["fiets"]},
    "theme": [EU + "data-theme/TRAN"],
    "spatial": [{"uri": "https://data.vlaanderen.be/id/gemeente/44021"}],
    "temporal": [{"start": "2020-01-01"}],
    "access_rights": PUBLIC,
    "contact_point": [{"email": "open@gent.be"}],
    "publisher": {"uri": "https://data.vlaanderen.be/id/organisatie/OVO002949", "name": {"nl": "Gent"}},
    "issued": "2020-01-01",
    "modified": "2024-05-01",
}
CSV = {
    "access_url": ["https://data.example.be/csv"],
    "download_url": ["https://data.example.be/csv/download.csv"],
    "format": EU + "file-type/CSV",
    "media_type": IANA + "text/csv",
    "license": CC_BY,
    "rights": {"label": {"nl": "Vrij te gebruiken"}},
    "byte_size": 1234,
}
CSV_ANSWERS = {"https://data.example.be/csv": True, "https://data.example.be/csv/download.csv": True}


def test_the_scheme_has_the_mqa_weights() -> None:
    assert MAX_POINTS == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 110,
        "reusability": 75,
        "contextuality": 20,
    }
    assert sum(c.weight for c in CRITERIA) == 405


def test_excellent_everything_but_temporal_coverage_and_rights() -> None:
    fields = {k: v for k, v in FULL_DATASET.items() if k != "temporal"}
    record = dataset(**fields, distribution=[{k: v for k, v in CSV.items() if k != "rights"}])
    score = score_record(record, findings=[Found("info")], links=CSV_ANSWERS)
    # findability 100 - temporal 20; contextuality 20 - rights 5
    assert score.dimensions == {
        "findability": 80,
        "accessibility": 100,
        "interoperability": 110,
        "reusability": 75,
        "contextuality": 15,
    }
    assert score.total == 380
    assert score.band == "excellent"
    assert score.links_checked
    assert (score.violations, score.warnings) == (0, 0)


def test_good_two_distributions_count_by_their_share() -> None:
    pdf = {"access_url": ["https://data.example.be/dead"], "format": EU + "file-type/PDF"}
    csv = {k: v for k, v in CSV.items() if k not in ("license", "rights")}
    fields = {k: v for k, v in FULL_DATASET.items() if k not in ("spatial", "temporal", "modified")}
    record = dataset(**fields, license=CC_BY, distribution=[csv, pdf])
    links = {**CSV_ANSWERS, "https://data.example.be/dead": False}
    score = score_record(record, findings=[Found("warning")], links=links)
    p = score.points
    assert (p["keyword"], p["theme"], p["spatial"], p["temporal"]) == (30, 30, 0, 0)
    # access URL: the CSV answers, the PDF's is dead: 1/2 of 50; download URL and its answer: CSV only
    assert (p["access_url_answers"], p["download_url"], p["download_url_answers"]) == (25, 10, 15)
    # both have a format from the vocabulary; media type: CSV only; PDF is open but not machine readable
    assert (p["format"], p["media_type"], p["format_vocabulary"]) == (20, 5, 10)
    assert (p["non_proprietary"], p["machine_readable"], p["dcat_ap_compliance"]) == (20, 10, 30)
    # the dataset's licence counts for both distributions
    assert (p["licence"], p["known_licence"], p["access_rights"], p["access_rights_vocabulary"]) == (
        20,
        10,
        10,
        5,
    )
    assert (p["contact_point"], p["publisher"]) == (20, 10)
    assert (p["rights"], p["byte_size"], p["issued"], p["modified"]) == (0, 2.5, 5, 0)
    assert score.dimensions == {
        "findability": 60,
        "accessibility": 50,
        "interoperability": 95,
        "reusability": 75,
        "contextuality": 7.5,
    }
    assert score.total == 287.5
    assert score.band == "good"
    assert score.links_checked
    assert (score.violations, score.warnings) == (0, 1)


def test_sufficient_unknown_licence_free_text_access_rights_a_violation_and_no_link_checks() -> None:
    record = dataset(
        keyword={"nl": ["afval"]},
        access_rights="https://example.org/open",
        contact_point=[{"email": "open@aalst.be"}],
        issued="2021-03-01",
        modified="2022-03-01",
        distribution=[
            {
                "access_url": ["https://data.example.be/xlsx"],
                "download_url": ["https://data.example.be/x.xlsx"],
                "format": EU + "file-type/XLSX",
                "license": "https://example.org/my-licence",
            }
        ],
    )
    score = score_record(record, findings=[Found("violation"), Found("warning")], links={})
    # findability: keyword 30. accessibility: a download URL (20), nothing checked (0 + 0).
    # interoperability: format 20 + vocabulary 10 + machine readable 20 (XLSX is proprietary), no compliance.
    # reusability: a licence 20 (unknown), access rights 10 (not from the vocabulary), contact point 20.
    # contextuality: issued 5 + modified 5.
    assert score.dimensions == {
        "findability": 30,
        "accessibility": 20,
        "interoperability": 50,
        "reusability": 50,
        "contextuality": 10,
    }
    assert score.total == 160
    assert score.band == "sufficient"
    assert not score.links_checked
    assert (score.violations, score.warnings) == (1, 1)


def test_bad_a_bare_record_with_one_answering_link() -> None:
    record = dataset(distribution=[{"access_url": ["https://data.example.be/page"]}])
    score = score_record(record, findings=None, links={"https://data.example.be/page": True})
    assert score.dimensions["accessibility"] == 50
    assert score.total == 50
    assert score.band == "bad"
    assert score.points["dcat_ap_compliance"] == 0  # not validated: no compliance points
    dead = score_record(record, findings=[], links={"https://data.example.be/page": False})
    assert dead.total == 30  # validated without violation (30), the link is dead (0)
    assert dead.links_checked


def test_a_media_type_alone_judges_the_format_by_its_file_type() -> None:
    record = dataset(distribution=[{"access_url": ["https://x.example/a"], "media_type": IANA + "text/csv"}])
    points = score_record(record, findings=[]).points
    assert (points["format"], points["media_type"], points["format_vocabulary"]) == (0, 10, 10)
    assert (points["non_proprietary"], points["machine_readable"]) == (20, 20)


def test_a_data_service_scores_on_its_dataset_level_criteria() -> None:
    service = DataService.model_validate(
        {
            "uri": "https://data.example.be/id/service/1",
            "title": {"nl": "WMS"},
            "keyword": {"nl": ["kaart"]},
            "access_rights": PUBLIC,
            "contact_point": [{"email": "gis@example.be"}],
        }
    )
    score = score_record(service, findings=[])
    assert score.dimensions == {
        "findability": 30,
        "accessibility": 0,
        "interoperability": 30,
        "reusability": 35,
        "contextuality": 0,
    }
    assert score.links_checked  # no URLs to check


def test_a_dataset_without_distributions_gets_no_distribution_points() -> None:
    score = score_record(dataset(**FULL_DATASET), findings=[])
    assert score.dimensions["accessibility"] == 0
    assert score.points["licence"] == 0
    assert score.total == 100 + 30 + 45 + 10  # findability, compliance, reusability (dataset part), dates


@pytest.mark.parametrize(
    ("total", "band"),
    [(405, "excellent"), (350.5, "excellent"), (350, "good"), (221, "good"), (220, "sufficient"),
     (121, "sufficient"), (120, "bad"), (0, "bad")],
)  # fmt: skip
def test_band_boundaries(total: float, band: str) -> None:
    assert band_of(total) == band


def test_a_distribution_gets_the_answer_points_when_one_of_its_urls_answers() -> None:
    record = dataset(
        distribution=[{"access_url": ["https://a.example/dead", "https://a.example/live"]}],
    )
    links = {"https://a.example/dead": False, "https://a.example/live": True}
    assert score_record(record, findings=[], links=links).points["access_url_answers"] == 50
    assert not score_record(record, findings=[], links={"https://a.example/live": True}).links_checked
