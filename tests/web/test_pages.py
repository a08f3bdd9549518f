"""The public pages over the demo catalogue: what a resident or journalist sees and can click."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select

from catalog.api.app import create_app
from catalog.db.engine import make_engine, make_session_factory
from catalog.db.tables import SourceRecord
from catalog.db.withdraw import withdraw_source_records
from catalog.settings import Settings

TRANSPORT = "http://publications.europa.eu/resource/authority/data-theme/TRAN"


class Page(HTMLParser):
    """The parts of a page the tests look at: lang, title, links, alternates, JSON-LD, checkboxes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.links: list[tuple[str, str]] = []
        self.alternates: dict[str, str] = {}
        self.jsonld: list[Any] = []
        self.checked: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._anchor: str | None = None
        self._anchor_text: list[str] = []
        self._script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "a":
            self._anchor, self._anchor_text = a.get("href", ""), []
        elif tag == "link" and a.get("rel") == "alternate":
            self.alternates[a["type"]] = a["href"]
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._script = True
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.checked.append((a["name"], a["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            self.links.append((" ".join("".join(self._anchor_text).split()), self._anchor))
            self._anchor = None
        elif tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script:
            self.jsonld.append(json.loads(data))
            return
        if self._anchor is not None:
            self._anchor_text.append(data)
        self.text.append(data)

    def link(self, text: str) -> str:
        return next(href for label, href in self.links if label.startswith(text))

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def test_home_shows_totals_themes_provinces_and_recent_datasets(browser_client: TestClient) -> None:
    response = browser_client.get("/")
    assert response.status_code == 200 and response.headers["content-language"] == "nl"
    page = Page(response.text)
    assert page.lang == "nl"
    assert "42 datasets, 3 dataservices en 1 reeksen uit 13 gemeenten" in page.words
    assert "Vervoer 9" in page.words, "themes with their counts"
    for province in ("Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen"):
        assert province in page.words
    assert page.link("Gent").endswith("/municipalities/44021")
    assert page.links[0] == ("Naar de inhoud", "#main"), "the skip link comes first"


def test_search_filters_chips_and_the_url_holding_the_state(browser_client: TestClient) -> None:
    page = Page(browser_client.get("/search", params={"theme": TRANSPORT}).text)
    assert "9 resultaten" in page.words
    assert ("theme", TRANSPORT) in page.checked
    gent = page.link("Gemeente: Gent") if any(t.startswith("Gemeente: Gent") for t, _ in page.links) else None
    assert gent is None, "no municipality chip before one is chosen"

    response = browser_client.get(
        "/search", params={"theme": TRANSPORT, "municipality": "44021", "q": "parking"}
    )
    page = Page(response.text)
    assert "1 resultaten" in page.words and "Bezetting parkeergarages (real time)" in page.words
    assert {("theme", TRANSPORT), ("municipality", "44021")} <= set(page.checked)
    remove_gent = page.link("Gemeente: Gent")
    query = parse_qs(urlsplit(remove_gent).query)
    assert query == {"theme": [TRANSPORT], "q": ["parking"]}, "removing a chip keeps the rest of the state"


def test_search_pages_through_results_in_a_stable_order(browser_client: TestClient) -> None:
    first = Page(browser_client.get("/search", params={"sort": "title"}).text)
    assert "Pagina 1 van 3" in first.words
    second_url = first.link("Volgende")
    second = Page(browser_client.get(second_url).text)
    assert "Pagina 2 van 3" in second.words
    titles = [label for label, href in first.links + second.links if href.startswith("/datasets/")]
    assert len(titles) == len(set(titles)) == 40


def test_dataset_page_has_the_record_formats_and_schema_org(browser_client: TestClient) -> None:
    page = Page(browser_client.get("/search", params={"q": "bezetting parkings"}).text)
    response = browser_client.get(page.link("Bezetting parkings"))
    assert response.status_code == 200 and response.headers["vary"].startswith("Accept, Cookie")
    assert response.headers["etag"], "the linked-data caching headers stay"
    page = Page(response.text)
    words = page.words
    assert "Bezetting parkings" in words and "Stad Hasselt" in words
    assert "Modellicentie Gratis Hergebruik" in words
    assert "Je mag deze data vrij gebruiken, ook commercieel" in words, "the licence in plain language"
    assert "Bronportaal Demo catalogue" in words and "Laatst geoogst" in words
    assert set(page.alternates) == {
        "application/ld+json",
        "text/turtle",
        "application/rdf+xml",
        "application/n-triples",
        "application/json",
    }
    turtle = browser_client.get(page.alternates["text/turtle"])
    assert turtle.headers["content-type"].startswith("text/turtle") and "dcat:Dataset" in turtle.text

    (doc,) = page.jsonld
    assert doc["@type"] == "Dataset" and doc["name"] == "Bezetting parkings"
    assert doc["description"].startswith("Actuele bezetting")
    assert doc["license"].startswith("https://data.vlaanderen.be/id/licentie/")
    assert doc["publisher"]["name"] == "Stad Hasselt"
    assert all(d["contentUrl"].startswith("http") and d["encodingFormat"] for d in doc["distribution"])
    assert doc["spatialCoverage"][0]["name"] == "Hasselt"


def test_english_by_a_switch_kept_in_a_cookie(browser_client: TestClient) -> None:
    page = Page(browser_client.get("/search").text)
    switch = page.link("English")
    response = browser_client.get(switch)
    assert Page(response.text).lang == "en" and "lang=en" in response.headers["set-cookie"]
    page = Page(browser_client.get("/municipalities").text)
    assert page.lang == "en" and "All 285 municipalities" in page.words, "the cookie keeps English"
    assert Page(browser_client.get(page.link("Nederlands")).text).lang == "nl"


def test_municipalities_all_285_sortable_and_merged_codes_redirect(browser_client: TestClient) -> None:
    page = Page(browser_client.get("/municipalities", params={"sort": "datasets"}).text)
    towns = [(label, href) for label, href in page.links if re.fullmatch(r"/municipalities/\d{5}", href)]
    assert len(towns) == 285
    assert towns[0][0] == "Gent", "the municipality with the most datasets first"
    gent = Page(browser_client.get("/municipalities/44021").text)
    assert "Demo catalogue" in gent.words and "Stad Gent" in gent.words
    merged = browser_client.get("/municipalities/44012", follow_redirects=False)  # De Pinte before 2025
    assert merged.status_code == 308 and re.search(r"/municipalities/\d{5}$", merged.headers["location"])


def test_statistics_and_provinces_draw_inline_svg_charts(browser_client: TestClient) -> None:
    stats = browser_client.get("/statistics").text
    assert stats.count('<svg class="chart" role="img"') >= 4 and "<title>Datasets per thema</title>" in stats
    assert "cdn" not in stats.lower() and "<script" not in stats, "no external or scripted charts"
    provinces = Page(browser_client.get("/provinces").text)
    assert "Oost-Vlaanderen" in provinces.words


def test_friendly_error_pages_for_browsers_problem_json_for_clients(demo: Settings) -> None:
    browser = TestClient(create_app(demo), headers={"Accept": "text/html"})
    missing = browser.get("/datasets/nope")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in missing.text and "Traceback" not in missing.text
    api = TestClient(create_app(demo)).get("/datasets/nope")
    assert api.headers["content-type"] == "application/problem+json"


def test_a_withdrawn_dataset_page_says_when_and_why(tmp_path: Any) -> None:
    from tests.web.conftest import demo_settings

    settings = demo_settings(tmp_path)
    from catalog.services import import_demo, upgrade_database

    upgrade_database(settings=settings)
    import_demo(settings)
    client = TestClient(create_app(settings), headers={"Accept": "text/html"})
    some = client.get("/api/datasets", headers={"Accept": "application/json"}).json()["results"][0]["id"]
    sessions = make_session_factory(make_engine(settings.database.url), writer=True)
    with sessions() as session:
        ids = session.scalars(select(SourceRecord.id)).all()
        withdraw_source_records(session, ids=ids, reason="removed from the portal")
        session.commit()
    gone = client.get(f"/datasets/{some}")
    assert gone.status_code == 410
    assert "Ingetrokken" in gone.text and "removed from the portal" in gone.text


def test_unknown_pages_get_the_friendly_page_and_api_paths_keep_problem_json(demo: Settings) -> None:
    browser = TestClient(create_app(demo), headers={"Accept": "text/html"})
    page = browser.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in page.text
    api = browser.get("/api/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    client = TestClient(create_app(demo))
    assert client.get("/no/such/page").headers["content-type"] == "application/problem+json"
