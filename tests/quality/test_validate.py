"""check_record: the findings a steward sees for one record, checked against the project's own shapes."""

from __future__ import annotations

import sys
from pathlib import Path

from catalog.model import ContactPoint, DataService, Dataset, DatasetSeries, Distribution
from catalog.quality import Finding, check_record

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rdf"))
from test_serialize_samples import dataset, service

DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


def _violations(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "violation"]


def test_a_complete_dataset_has_no_violations_or_warnings() -> None:
    findings = check_record(dataset())
    assert [f for f in findings if f.severity != "info"] == []


def test_a_complete_data_service_has_no_violations() -> None:
    assert _violations(check_record(service())) == []


def test_a_dataset_without_description_gets_one_violation_naming_the_property_in_both_languages() -> None:
    record = dataset().model_copy(update={"description": {}})
    violations = _violations(check_record(record))
    assert [(f.focus, f.path, f.value) for f in violations] == [
        ("https://data.stad.gent/id/dataset/fietstelpaal-0", DCT + "description", None)
    ]
    finding = violations[0]
    assert "description" in finding.message and "dct:description" in finding.message
    assert "beschrijving" in finding.message_nl
    assert finding.shape is not None and finding.shape.endswith("Dataset-description")


def test_dcat_ap_vl_mandatory_fields_are_violations() -> None:
    bare = Dataset(uri="https://example.org/ds/1", title={"nl": "Bomen"}, description={"nl": "Bomen in Gent"})
    paths = {f.path for f in _violations(check_record(bare))}
    assert paths == {DCT + "identifier", DCT + "accessRights", DCAT + "contactPoint", DCT + "publisher"}
    # Against DCAT-AP 3.0.1 alone the same record is valid: those are Flemish additions.
    assert _violations(check_record(bare, shapes="dcat-ap")) == []


def test_access_rights_outside_public_and_non_public_are_refused() -> None:
    restricted = "http://publications.europa.eu/resource/authority/access-right/RESTRICTED"
    record = dataset().model_copy(update={"access_rights": restricted})
    violations = _violations(check_record(record))
    assert [(f.path, f.value) for f in violations] == [(DCT + "accessRights", restricted)]
    assert "PUBLIC" in violations[0].message_nl and "NON_PUBLIC" in violations[0].message_nl


def test_a_distribution_without_access_url_is_reported_on_the_distribution() -> None:
    record = dataset().model_copy(
        update={"distribution": [Distribution(identifier=["d1"], download_url=["https://x.example/a.csv"])]}
    )
    violations = _violations(check_record(record))
    assert [f.path for f in violations] == [DCAT + "accessURL"]
    assert violations[0].focus.startswith("_:")  # the distribution's blank node, not the dataset


def test_recommended_properties_are_warnings() -> None:
    record = dataset().model_copy(update={"keyword": {}, "theme": []})
    warnings = {f.path for f in check_record(record) if f.severity == "warning"}
    assert warnings == {DCAT + "keyword", DCAT + "theme"}


def test_a_service_without_endpoint_description_violates_dcat_ap_vl() -> None:
    record: DataService = service().model_copy(update={"endpoint_description": []})
    paths = [f.path for f in _violations(check_record(record))]
    assert paths == [DCAT + "endpointDescription"]


def test_a_contact_point_without_email_or_url_gets_a_warning() -> None:
    record = dataset().model_copy(
        update={"contact_point": [ContactPoint(name="Loket", telephone="092662211")]}
    )
    warnings = [f for f in check_record(record) if f.severity == "warning"]
    assert [f.path for f in warnings] == [
        "(http://www.w3.org/2006/vcard/ns#hasEmail|http://www.w3.org/2006/vcard/ns#hasURL)"
    ]
    assert "e-mailadres" in warnings[0].message_nl


def test_flemish_and_eu_code_lists() -> None:
    record = dataset().model_copy(
        update={
            "statuut": ["https://example.org/statuut/open"],
            "theme": ["https://data.stad.gent/id/theme/Mobiliteit"],
            "levensfase": "https://data.vlaanderen.be/id/concept/levensfase/live",
        }
    )
    findings = check_record(record)
    assert [(f.path, f.value) for f in _violations(findings)] == [
        ("https://data.vlaanderen.be/ns/metadata-dcat#statuut", "https://example.org/statuut/open")
    ]
    assert "GDI-Vlaanderen" in _violations(findings)[0].message_nl
    warnings = [(f.path, f.value) for f in findings if f.severity == "warning"]
    assert warnings == [(DCAT + "theme", "https://data.stad.gent/id/theme/Mobiliteit")]
    assert any(f.severity == "info" and "VLOPENDATA" in f.message_nl for f in findings)


def _key(findings: list[Finding]) -> list[tuple[str, str | None, str, str | None, str | None]]:
    return sorted((f.focus, f.path, f.severity, f.value, f.shape) for f in findings)


def test_check_records_gives_each_record_what_check_record_gives_it() -> None:
    from catalog.quality.validate import check_records

    records: list[Dataset | DataService] = [
        dataset(0),
        dataset(1).model_copy(update={"description": {}, "keyword": {}}),
        dataset(2).model_copy(update={"distribution": [Distribution(identifier=["d"])]}),
        dataset(3).model_copy(update={"contact_point": [ContactPoint(name="Loket")], "access_rights": None}),
        service(),
        Dataset(title={"nl": "Zonder IRI"}, identifier=["x-1"]),
        dataset(0),  # the same IRI twice: checked one by one
    ]
    batch = check_records(records)
    assert [_key(found) for found in batch] == [_key(check_record(r)) for r in records]
    assert any(f.severity == "violation" for f in batch[1]) and batch[0] == batch[6]


def test_check_records_equals_check_record_on_the_reference_samples_and_a_generated_feed() -> None:
    import io

    from catalog.exceptions import CatalogError
    from catalog.quality.validate import check_records
    from catalog.rdf.parse import parse_feed

    root = Path(__file__).resolve().parents[2]
    samples = root.parent / "shared" / "reference" / "samples"
    sys.path.insert(0, str(root / "benchmarks"))
    from generate_feed import generate

    text = io.StringIO()
    generate(150, text, format="ntriples")
    documents: list[object] = [text.getvalue().encode()]
    documents += sorted(p for p in samples.rglob("*") if p.is_file()) if samples.is_dir() else []
    records: list[Dataset | DataService | DatasetSeries] = []
    for document in documents:
        try:
            with parse_feed(document, format="ntriples" if isinstance(document, bytes) else None) as reader:
                records.extend(parsed.record for parsed in reader)
        except CatalogError:
            continue  # not RDF (ISO 19139, DCAT-US with a remote context ...)
    assert len(records) > 180
    batch = check_records(records)
    assert [_key(found) for found in batch] == [_key(check_record(r)) for r in records]
    assert sum(len(found) for found in batch) > 0
