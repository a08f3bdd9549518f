"""DQV in the linked-data views, parsed back with rdflib: measurements per dimension and total, metrics
under the catalogue's base URI, findings as quality annotations; the ETag follows the score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from sqlalchemy import select, update

from catalog.api.app import create_app
from catalog.db.quality_tables import DatasetQuality
from catalog.db.tables import DatasetRow
from catalog.quality.store import recompute
from catalog.services import import_location, upgrade_database
from catalog.settings import Settings, get_settings
from tests.quality.quality_support import BARE_URI, RICH_URI, write_feed

DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")
BASE = "https://catalog.example/"
FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml", ".nt": "nt"}


@pytest.fixture
def client(store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.delenv("CATALOG_QUALITY__SCORE_ON_HARVEST", raising=False)
    get_settings.cache_clear()
    settings = Settings(database={"url": store.url}, catalog={"base_uri": BASE})
    upgrade_database(settings=settings)
    import_location(str(write_feed(tmp_path)), name="quality", settings=settings)
    return TestClient(create_app(settings))


def _slug(store: Any, uri: str) -> str:
    with store.sessions() as session:
        return session.scalars(select(DatasetRow.slug).where(DatasetRow.uri == uri)).one()


def _quality(store: Any, uri: str) -> DatasetQuality:
    with store.sessions() as session:
        query = select(DatasetQuality).join(DatasetRow, DatasetRow.id == DatasetQuality.dataset_id)
        return session.scalars(query.where(DatasetRow.uri == uri)).one()


def _graph(client: TestClient, slug: str, suffix: str) -> Graph:
    response = client.get(f"/datasets/{slug}{suffix}")
    assert response.status_code == 200
    return Graph().parse(data=response.content, format=FORMATS[suffix])


def _measurements(graph: Graph, dataset: URIRef) -> dict[str, Any]:
    out = {}
    for node in graph.objects(dataset, DQV.hasQualityMeasurement):
        assert (node, RDF.type, DQV.QualityMeasurement) in graph
        assert (node, DQV.computedOn, dataset) in graph
        metric = graph.value(node, DQV.isMeasurementOf)
        assert isinstance(metric, URIRef) and str(metric).startswith(BASE + "quality/metric/")
        assert (metric, RDF.type, DQV.Metric) in graph
        value = graph.value(node, DQV.value)
        assert isinstance(value, Literal)
        out[str(metric).rsplit("/", 1)[1]] = value.toPython()
    return out


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_measurements_per_dimension_and_total_in_every_rdf_view(
    client: TestClient, store: Any, suffix: str
) -> None:
    graph = _graph(client, _slug(store, RICH_URI), suffix)
    quality = _quality(store, RICH_URI)
    values = _measurements(graph, URIRef(RICH_URI))
    assert set(values) == {
        "score", "findability", "accessibility", "interoperability", "reusability", "contextuality",
        "band", "links_checked",
    }  # fmt: skip
    assert float(values["score"]) == quality.score
    assert float(values["findability"]) == quality.findability
    assert values["band"] == quality.band == "good"
    assert values["links_checked"] is False
    accessibility = URIRef(BASE + "quality/metric/accessibility")
    assert (accessibility, DQV.inDimension, URIRef(BASE + "quality/dimension/accessibility")) in graph
    assert (URIRef(RICH_URI), RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in graph


def test_findings_are_quality_annotations(client: TestClient, store: Any) -> None:
    finding = {
        "focus": BARE_URI,
        "path": "http://purl.org/dc/terms/description",
        "severity": "violation",
        "message": "description is required",
        "message_nl": "beschrijving is verplicht",
        "value": None,
        "shape": None,
    }
    with store.sessions() as session:
        pk = session.scalars(select(DatasetRow.id).where(DatasetRow.uri == BARE_URI)).one()
        session.execute(
            update(DatasetQuality).where(DatasetQuality.dataset_id == pk).values(findings=[finding])
        )
        session.commit()
    graph = _graph(client, _slug(store, BARE_URI), ".ttl")
    [annotation] = list(graph.objects(URIRef(BARE_URI), DQV.hasQualityAnnotation))
    assert (annotation, RDF.type, DQV.QualityAnnotation) in graph
    assert (annotation, OA.motivatedBy, DQV.qualityAssessment) in graph
    assert (annotation, OA.hasTarget, URIRef(BARE_URI)) in graph
    assert (annotation, SH.resultSeverity, SH.Violation) in graph
    assert (annotation, SH.resultPath, URIRef(finding["path"])) in graph
    body = graph.value(annotation, OA.hasBody)
    messages = {(v.language, str(v)) for v in graph.objects(body, RDF.value) if isinstance(v, Literal)}
    assert messages == {("en", "description is required"), ("nl", "beschrijving is verplicht")}


def test_the_etag_changes_when_the_score_is_computed_again(client: TestClient, store: Any) -> None:
    url = f"/datasets/{_slug(store, RICH_URI)}.ttl"
    etag = client.get(url).headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    recompute(store.sessions)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_dataset_without_score_has_no_quality_triples(client: TestClient, store: Any) -> None:
    with store.sessions() as session:
        session.execute(DatasetQuality.__table__.delete())
        session.commit()
    graph = _graph(client, _slug(store, RICH_URI), ".ttl")
    assert list(graph.objects(URIRef(RICH_URI), DQV.hasQualityMeasurement)) == []
