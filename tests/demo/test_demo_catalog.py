"""The packaged demo catalogue: parseable, complete, and using the right vocabularies."""

from __future__ import annotations

from collections import Counter

import pyoxigraph
import pytest
import rdflib
from rdflib import BNode, Literal, URIRef

from catalog.demo import demo_catalog, demo_catalog_bytes
from catalog.demo.build_demo import CATALOG_IRI, build
from vocab.namespaces import AUTHORITY, DCAT, DCT, FOAF, GEMEENTE, MDCAT, RDF, SKOS, VCARD

REGIONS_2025 = "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Vlaamse-Administratieve-Eenheden/2025/"
VLOPENDATA = URIRef("https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA")
PUBLIC = URIRef(AUTHORITY + "access-right/PUBLIC")


def datasets(g: rdflib.Graph) -> list[rdflib.term.Node]:
    return sorted(g.subjects(RDF.type, DCAT.Dataset), key=str)


def test_committed_file_is_what_the_builder_writes() -> None:
    assert demo_catalog().name == "demo-catalog.ttl"
    assert demo_catalog_bytes() == build().encode("utf-8"), "run: python -m catalog.demo.build_demo"


def test_parses_with_rdflib_and_pyoxigraph_alike(demo_graph: rdflib.Graph) -> None:
    store = pyoxigraph.Store()
    store.load(demo_catalog_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(demo_graph) > 2000


def test_counts(demo_graph: rdflib.Graph) -> None:
    g = demo_graph
    found = datasets(g)
    assert len(found) >= 35
    towns = {o for d in found for o in g.objects(d, DCT.spatial)}
    assert len(towns) >= 8
    assert all(str(t).startswith(GEMEENTE) and str(t)[len(GEMEENTE) :].isdigit() for t in towns)
    services = list(g.subjects(RDF.type, DCAT.DataService))
    assert 2 <= len(services) <= 3
    series = list(g.subjects(RDF.type, DCAT.DatasetSeries))
    assert len(series) == 1
    members = set(g.subjects(DCAT.inSeries, series[0]))
    assert len(members) >= 2 and members <= set(found)


def test_catalog_lists_every_dataset_series_and_service(demo_graph: rdflib.Graph) -> None:
    g, catalog = demo_graph, URIRef(CATALOG_IRI)
    assert (catalog, RDF.type, DCAT.Catalog) in g
    listed = set(g.objects(catalog, DCAT.dataset))
    assert listed == set(datasets(g)) | set(g.subjects(RDF.type, DCAT.DatasetSeries))
    assert set(g.objects(catalog, DCAT.service)) == set(g.subjects(RDF.type, DCAT.DataService))
    assert g.value(catalog, DCT.license) == URIRef(
        "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"
    )


def test_every_dataset_has_the_mandatory_properties(demo_graph: rdflib.Graph) -> None:
    g = demo_graph
    for d in datasets(g):
        assert isinstance(g.value(d, DCT.identifier), Literal), d
        titles = {t.language for t in g.objects(d, DCT.title) if isinstance(t, Literal)}
        assert "nl" in titles, d
        assert any(o.language == "nl" for o in g.objects(d, DCT.description) if isinstance(o, Literal)), d
        assert g.value(d, DCT.accessRights) == PUBLIC, d
        assert g.value(d, MDCAT.statuut) == VLOPENDATA, d
        contact = g.value(d, DCAT.contactPoint)
        assert contact is not None and g.value(contact, VCARD.fn) is not None, d
        assert str(g.value(contact, VCARD.hasEmail)).startswith("mailto:"), d
        publisher = g.value(d, DCT.publisher)
        assert isinstance(publisher, URIRef) and g.value(publisher, FOAF.name) is not None, d
        assert (publisher, RDF.type, FOAF.Agent) in g
        assert list(g.objects(d, DCAT.keyword)) and list(g.objects(d, DCAT.theme)), d
        assert g.value(d, DCT.issued) is not None and g.value(d, DCT.modified) is not None, d
        assert g.value(d, DCT.accrualPeriodicity) is not None and g.value(d, DCAT.landingPage), d
        dists = list(g.objects(d, DCAT.distribution))
        assert 1 <= len(dists) <= 4, d
        for dist in dists:
            assert (dist, RDF.type, DCAT.Distribution) in g
            assert g.value(dist, DCT.identifier) is not None, dist
            assert g.value(dist, DCAT.accessURL) is not None, dist
            assert g.value(dist, DCT["format"]) is not None and g.value(dist, DCT.license) is not None


def test_identifiers_are_unique_and_some_datasets_are_blank_nodes(demo_graph: rdflib.Graph) -> None:
    g = demo_graph
    ids = Counter(str(g.value(d, DCT.identifier)) for d in datasets(g))
    assert max(ids.values()) == 1
    dist_ids = Counter(
        str(o) for s in g.subjects(RDF.type, DCAT.Distribution) for o in g.objects(s, DCT.identifier)
    )
    assert max(dist_ids.values()) == 1
    blanks = [d for d in datasets(g) if isinstance(d, BNode)]
    assert 2 <= len(blanks) <= 8


def test_texts_are_dutch_with_english_on_about_half(demo_graph: rdflib.Graph) -> None:
    g = demo_graph
    found = datasets(g)
    english = [d for d in found if any(t.language == "en" for t in g.objects(d, DCT.title))]
    assert 0.3 <= len(english) / len(found) <= 0.8


def test_controlled_values_come_from_the_expected_authorities(demo_graph: rdflib.Graph) -> None:
    g = demo_graph
    prefixes = {
        DCAT.theme: (AUTHORITY + "data-theme/",),
        DCT["format"]: (AUTHORITY + "file-type/",),
        DCAT.mediaType: ("https://www.iana.org/assignments/media-types/",),
        DCT.license: ("https://data.vlaanderen.be/id/licentie/", AUTHORITY + "licence/"),
        DCT.accessRights: (AUTHORITY + "access-right/",),
        DCT.accrualPeriodicity: (AUTHORITY + "frequency/",),
        DCT.language: (AUTHORITY + "language/",),
    }
    for predicate, allowed in prefixes.items():
        values = set(g.objects(None, predicate))
        assert values, predicate
        for value in values:
            assert isinstance(value, URIRef) and str(value).startswith(allowed), (predicate, value)


def test_dates_are_varied_and_within_2019_2026(demo_graph: rdflib.Graph) -> None:
    g = demo_graph
    years = {g.value(d, DCT.issued).toPython().year for d in datasets(g)}  # type: ignore[union-attr]
    assert min(years) == 2019 and max(years) >= 2025 and len(years) >= 6
    for d in datasets(g):
        issued, modified = g.value(d, DCT.issued), g.value(d, DCT.modified)
        assert issued.toPython() <= modified.toPython() <= __import__("datetime").date(2026, 12, 31)  # type: ignore[union-attr]


def test_data_services_have_endpoints_and_serve_listed_datasets(demo_graph: rdflib.Graph) -> None:
    g = demo_graph
    all_datasets = set(datasets(g))
    for service in g.subjects(RDF.type, DCAT.DataService):
        for predicate in (DCT.identifier, DCT.title, DCAT.contactPoint, DCT.accessRights):
            assert g.value(service, predicate) is not None, (service, predicate)
        assert str(g.value(service, DCAT.endpointURL)).startswith("https://")
        assert str(g.value(service, DCAT.endpointDescription)).startswith("https://")
        served = set(g.objects(service, DCAT.servesDataset))
        assert served and served <= all_datasets
    via_service = set(g.objects(None, DCAT.accessService))
    assert via_service == set(g.subjects(RDF.type, DCAT.DataService))


def test_municipalities_are_real_2025_codes_across_the_five_provinces(
    demo_graph: rdflib.Graph, reference_file
) -> None:
    regions = rdflib.Graph().parse(reference_file("vocab", "GDI-Vlaanderenregions-2025.rdf"))
    province_of: dict[str, str] = {}
    for concept in regions.subjects(SKOS.prefLabel, None):
        if not str(concept).startswith(REGIONS_2025 + "gemeente/"):
            continue
        nis = next(str(o).rsplit("/", 1)[1] for o in regions.objects(concept, rdflib.OWL.sameAs))
        node = concept
        while node is not None and "/provincie/" not in str(node):
            node = regions.value(node, SKOS.broader)
        province_of[nis] = str(node)
    codes = {
        str(o)[len(GEMEENTE) :] for d in datasets(demo_graph) for o in demo_graph.objects(d, DCT.spatial)
    }
    assert codes <= set(province_of), codes - set(province_of)
    assert len({province_of[c] for c in codes}) == 5


@pytest.mark.parametrize(
    ("vocab_file", "predicate"),
    [
        ("datatheme.rdf", DCAT.theme),
        ("file-type.rdf", DCT["format"]),
        ("frequency.rdf", DCT.accrualPeriodicity),
        ("access-right.rdf", DCT.accessRights),
    ],
)
def test_authority_codes_exist_in_the_eu_tables(
    demo_graph: rdflib.Graph, reference_file, vocab_file: str, predicate: URIRef
) -> None:
    table = rdflib.Graph().parse(reference_file("vocab", vocab_file))
    known = set(table.subjects(RDF.type, SKOS.Concept))
    used = set(demo_graph.objects(None, predicate))
    assert used <= known, used - known


def test_conforms_to_dcat_ap_3_mandatory_and_recommended_shapes(
    demo_graph: rdflib.Graph, reference_file
) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    for name in ("dcat-ap-3.0.1-shapes.ttl", "dcat-ap-3.0.1-shapes-recommended.ttl"):
        shapes = rdflib.Graph().parse(reference_file("shapes", name))
        conforms, _, report = pyshacl.validate(demo_graph, shacl_graph=shapes, allow_warnings=True)
        assert conforms, report


def test_the_catalogues_own_reader_takes_every_record_without_problems() -> None:
    parse = pytest.importorskip("catalog.rdf.parse")
    kinds: Counter[str] = Counter()
    with parse.parse_feed(demo_catalog_bytes()) as reader:
        for parsed in reader:
            assert parsed.problems == (), (parsed.subject, parsed.problems)
            assert parsed.record.identifier, parsed.subject
            kinds[parsed.record.kind] += 1
        assert reader.failures == []
        assert reader.feed.catalog is not None
    assert kinds["Dataset"] >= 35 and kinds["DatasetSeries"] == 1 and kinds["DataService"] >= 2
