"""Records to DCAT-AP-VL triples: every model field mapped, typed literals, identity, output formats."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rdflib
from pydantic import BaseModel
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS
from test_serialize_samples import (
    AU,
    BASE,
    RDFLIB_FORMATS,
    catalog,
    dataset,
    full_dataset,
    full_distribution,
    full_service,
    series,
)

from catalog.model import DataService, Dataset
from catalog.rdf.serialize import (
    FORMATS,
    MEDIA_TYPES,
    SUFFIXES,
    PageInfo,
    mint_iri,
    record_triples,
    serialize_record,
    write_records,
)

VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


def graph_of(record: Any, fmt: str = "ntriples") -> rdflib.Graph:
    data = serialize_record(record, format=fmt, base_uri=BASE)
    return rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])


def triples_of(record: Any) -> set[str]:
    return {str(t) for t in record_triples(record, base_uri=BASE)}


def _without(record: BaseModel, field: str) -> Any:
    info = type(record).model_fields[field]
    default = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    return record.model_copy(update={field: default})


@pytest.mark.parametrize("build", [full_dataset, full_service], ids=["Dataset", "DataService"])
def test_every_record_field_is_written(build: Any) -> None:
    record = build()
    full = triples_of(record)
    for field in type(record).model_fields:
        if field == "kind":
            continue
        assert getattr(record, field) not in (None, [], {}), f"sample leaves {field} empty"
        assert triples_of(_without(record, field)) != full, f"{type(record).__name__}.{field} is not written"


def test_every_distribution_field_is_written() -> None:
    distribution = full_distribution()
    record = dataset().model_copy(update={"distribution": [distribution]})
    full = triples_of(record)
    for field in type(distribution).model_fields:
        assert getattr(distribution, field) not in (None, [], {}), f"sample leaves {field} empty"
        changed = record.model_copy(update={"distribution": [_without(distribution, field)]})
        assert triples_of(changed) != full, f"Distribution.{field} is not written"


def test_series_and_catalog_fields_are_written() -> None:
    g = graph_of(series())
    s = URIRef("https://data.example.be/id/series/s")
    assert (s, RDF.type, DCAT.DatasetSeries) in g
    assert g.value(s, DCTERMS.accrualPeriodicity) == URIRef(AU + "frequency/ANNUAL")
    assert g.value(s, URIRef("http://data.europa.eu/r5r/applicableLegislation")) is not None
    c = graph_of(catalog())
    cat = URIRef(BASE + "catalog")
    assert c.value(cat, FOAF.homepage) == URIRef(BASE)
    taxonomy = c.value(cat, DCAT.themeTaxonomy)
    assert (taxonomy, RDF.type, SKOS.ConceptScheme) in c
    assert c.value(taxonomy, DCTERMS.title) is not None


def test_dates_keep_their_precision_and_numbers_their_datatypes() -> None:
    g = graph_of(full_dataset())
    s = URIRef("https://data.example.be/id/dataset/full")
    assert g.value(s, DCTERMS.issued) == Literal("2020-01-01", datatype=XSD.date)
    dist = g.value(s, DCAT.distribution)
    assert g.value(dist, DCTERMS.modified) == Literal("2022-03-04T05:06:07+00:00", datatype=XSD.dateTime)
    assert g.value(dist, DCAT.byteSize) == Literal("42", datatype=XSD.nonNegativeInteger)
    assert g.value(dist, DCAT.temporalResolution) == Literal("PT15M", datatype=XSD.duration)
    assert g.value(dist, DCAT.spatialResolutionInMeters) == Literal("0.5", datatype=XSD.decimal)
    checksum = g.value(dist, URIRef("http://spdx.org/rdf/terms#checksum"))
    assert g.value(checksum, URIRef("http://spdx.org/rdf/terms#checksumValue")).datatype == XSD.hexBinary


def test_multilingual_text_is_tagged_and_untagged_text_is_plain() -> None:
    record = dataset().model_copy(update={"title": {"nl": "Fietsen", "": "Bikes"}})
    g = graph_of(record)
    titles = set(g.objects(URIRef(record.uri), DCTERMS.title))
    assert titles == {Literal("Fietsen", lang="nl"), Literal("Bikes")}


def test_contact_point_email_and_phone_are_iris_and_bbox_is_wkt() -> None:
    record = dataset()
    g = graph_of(record)
    contact = g.value(URIRef(record.uri), DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in g
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:opendata@stad.gent")
    assert g.value(contact, VCARD.hasTelephone) == URIRef("tel:092662211")
    place = g.value(URIRef(record.uri), DCTERMS.spatial)
    bbox = g.value(place, DCAT.bbox)
    assert bbox.datatype == URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
    assert str(bbox).startswith("POLYGON((3.58 50.98,")


def test_controlled_values_are_concepts_in_their_scheme() -> None:
    record = dataset()
    g = graph_of(record)
    public = URIRef(AU + "access-right/PUBLIC")
    assert (public, RDF.type, SKOS.Concept) in g
    assert (public, RDF.type, DCTERMS.RightsStatement) in g
    assert g.value(public, SKOS.inScheme) == URIRef(AU + "access-right")
    assert g.value(public, SKOS.prefLabel) is not None
    licence = URIRef("https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0")
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in g
    assert g.value(licence, DCTERMS.type) == URIRef("http://purl.org/adms/licencetype/Attribution")


def test_record_without_uri_gets_a_stable_minted_iri() -> None:
    record = dataset().model_copy(update={"uri": None})
    minted = mint_iri(record, BASE)
    assert minted.startswith(BASE + "dataset/")
    edited = record.model_copy(update={"title": {"nl": "Andere titel"}})
    assert mint_iri(edited, BASE) == minted, "an edit must not change the dataset's IRI"
    other = record.model_copy(update={"identifier": ["other"]})
    assert mint_iri(other, BASE) != minted
    assert (URIRef(minted), RDF.type, DCAT.Dataset) in graph_of(record)
    assert mint_iri(DataService(identifier=["x"]), BASE).startswith(BASE + "service/")


def test_output_is_deterministic() -> None:
    for fmt in FORMATS:
        assert serialize_record(full_dataset(), format=fmt, base_uri=BASE) == serialize_record(
            full_dataset(), format=fmt, base_uri=BASE
        )


def test_values_that_cannot_be_valid_rdf_are_left_out_not_fatal() -> None:
    record = full_dataset().model_copy(update={"temporal_resolution": "every day"})
    distribution = full_distribution()
    distribution.checksum = distribution.checksum.model_copy(update={"value": "not-hex!"})  # type: ignore[union-attr]
    record.distribution = [distribution]
    g = graph_of(record)
    assert g.value(URIRef(record.uri), DCAT.temporalResolution) is None
    assert not list(g.triples((None, URIRef("http://spdx.org/rdf/terms#checksumValue"), None)))
    assert g.value(URIRef(record.uri), DCTERMS.title) is not None


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_xml_special_characters_and_odd_iris_survive_every_format(fmt: str) -> None:
    odd = 'https://example.be/data?a=1&b=<2>&c="3"&d=é ë'
    record = Dataset(
        uri="https://example.be/id/dataset/a&b",
        identifier=["a&b"],
        title={"nl": "Tom & Jerry <script>\"'</script> ]]> \u2028 end"},
        description={"nl": "regel 1\nregel 2\ttab"},
        landing_page=["https://example.be/data?a=1&b=2"],
    )
    record = record.model_copy(update={"page": [odd]})  # bypasses validation, as a harvested oddity
    data = serialize_record(record, format=fmt, base_uri=BASE)
    g = rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])
    s = URIRef("https://example.be/id/dataset/a&b")
    assert g.value(s, DCTERMS.title) == Literal("Tom & Jerry <script>\"'</script> ]]> \u2028 end", lang="nl")
    assert g.value(s, DCTERMS.description) == Literal("regel 1\nregel 2\ttab", lang="nl")
    assert g.value(s, DCAT.landingPage) == URIRef("https://example.be/data?a=1&b=2")
    page = str(g.value(s, FOAF.page))
    assert page.startswith("https://example.be/data?a=1&b=") and " " not in page and "<" not in page


def test_control_characters_do_not_break_rdfxml() -> None:
    record = dataset().model_copy(update={"description": {"nl": "a\x01b\x0bc"}})
    data = serialize_record(record, format="rdfxml", base_uri=BASE)
    g = rdflib.Graph().parse(data=data, format="xml")
    assert g.value(URIRef(record.uri), DCTERMS.description) == Literal("abc", lang="nl")
    assert serialize_record(record, format="ntriples", base_uri=BASE).count(b"a\\u0001b") == 1


def test_catalogue_links_records_and_pages_with_hydra() -> None:
    page = PageInfo(
        view_iri=BASE + "catalog?page=2",
        first=BASE + "catalog?page=1",
        previous=BASE + "catalog?page=1",
        next=BASE + "catalog?page=3",
        last=BASE + "catalog?page=9",
        total_items=900,
        items_per_page=100,
    )
    from io import BytesIO

    out = BytesIO()
    records = [dataset(0), dataset(1), full_service(), series()]
    count = write_records(out, records, format="turtle", catalog=catalog(), base_uri=BASE, page=page)
    assert count == 4
    g = rdflib.Graph().parse(data=out.getvalue(), format="turtle")
    cat = URIRef(BASE + "catalog")
    datasets = set(g.objects(cat, DCAT.dataset))
    assert datasets == {URIRef(dataset(0).uri), URIRef(dataset(1).uri), URIRef(series().uri)}
    assert set(g.objects(cat, DCAT.service)) == {URIRef(full_service().uri)}
    view = URIRef(page.view_iri)
    assert g.value(cat, HYDRA.view) == view
    assert (view, RDF.type, HYDRA.PartialCollectionView) in g
    assert g.value(view, HYDRA.next) == URIRef(BASE + "catalog?page=3")
    assert g.value(view, HYDRA.last) == URIRef(BASE + "catalog?page=9")
    assert g.value(view, HYDRA.totalItems) == Literal(900, datatype=XSD.integer)
    assert g.value(view, HYDRA.itemsPerPage) == Literal(100, datatype=XSD.integer)


def test_turtle_declares_prefixes_once_and_groups_subjects() -> None:
    from io import BytesIO

    out = BytesIO()
    write_records(out, [dataset(i) for i in range(5)], format="turtle", base_uri=BASE, chunk_records=1)
    text = out.getvalue().decode()
    assert text.count("@prefix dcat:") == 1
    assert text.count(f"<{dataset(3).uri}> a dcat:Dataset ;") == 1


def test_jsonld_has_a_prefix_context_and_compact_terms() -> None:
    doc = json.loads(serialize_record(dataset(), format="jsonld", base_uri=BASE))
    assert doc["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert all(isinstance(v, str) for v in doc["@context"].values()), "no remote or nested context"
    node = next(n for n in doc["@graph"] if n["@id"] == dataset().uri)
    assert node["@type"] == ["dcat:Dataset"]
    assert {"@value": "Fietstelpaal 0 Visserij", "@language": "nl"} in node["dct:title"]


def test_format_names_media_types_and_suffixes() -> None:
    assert set(MEDIA_TYPES) == set(SUFFIXES) == set(FORMATS) == {"turtle", "ntriples", "rdfxml", "jsonld"}
    assert MEDIA_TYPES["jsonld"] == "application/ld+json" and SUFFIXES["rdfxml"] == ".rdf"
    with pytest.raises(ValueError, match="unknown RDF format"):
        serialize_record(dataset(), format="n3", base_uri=BASE)
