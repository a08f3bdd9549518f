"""Serialised records conform to the official DCAT-AP 3.0.1 shapes (mandatory + ranges), in every format.

The DCAT-AP-VL 2.0 shapes are run too and their result count printed (``pytest -s``): the known
remainder is by design (see the assertion messages), not a mapping defect.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from io import BytesIO
from typing import Any

import pytest
import rdflib
from rdflib.namespace import SH
from test_serialize_samples import BASE, RDFLIB_FORMATS, catalog, dataset, service, shapes_dir

from catalog.rdf.serialize import FORMATS, serialize_record, write_records

pyshacl = pytest.importorskip("pyshacl")


@cache
def _shapes(*names: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in names:
        path = shapes_dir() / name
        graph.parse(path, format="json-ld" if name.endswith(".jsonld") else "turtle")
    return graph


def dcat_ap_3() -> rdflib.Graph:
    return _shapes("dcat-ap-3.0.1-shapes.ttl", "dcat-ap-3.0.1-range.ttl")


def dcat_ap_vl_2() -> rdflib.Graph:
    return _shapes("dcat-ap-vl-2.0-shapes.jsonld")


def violations(data: rdflib.Graph, shapes: rdflib.Graph) -> Counter[tuple[str, str, str]]:
    """(focus node, path, message) of every sh:Violation result."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    found: Counter[tuple[str, str, str]] = Counter()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) == SH.Violation:
            key = (
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.resultPath)),
                str(report.value(result, SH.resultMessage))[:160],
            )
            found[key] += 1
    return found


def _standalone_service() -> Any:
    # A lone service's dcat:servesDataset points at a dataset described elsewhere; the range shape
    # can only be met where that dataset is in the same document (the catalogue case below).
    return service().model_copy(update={"serves_dataset": []})


def _document(fmt: str, what: str) -> bytes:
    if what == "dataset":
        return serialize_record(dataset(), format=fmt, base_uri=BASE)
    if what == "service":
        return serialize_record(_standalone_service(), format=fmt, base_uri=BASE)
    out = BytesIO()
    records = [dataset(0), dataset(1), service()]
    write_records(out, records, format=fmt, catalog=catalog(), base_uri=BASE, chunk_records=2)
    return out.getvalue()


@pytest.mark.parametrize("what", ["dataset", "service", "catalog"])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_conforms_to_dcat_ap_3_shapes_and_ranges(fmt: str, what: str) -> None:
    shapes = dcat_ap_3()
    data = rdflib.Graph().parse(data=_document(fmt, what), format=RDFLIB_FORMATS[fmt])
    found = violations(data, shapes)
    assert not found, "\n".join(f"{n} x {key}" for key, n in found.items())


@pytest.mark.parametrize("what", ["dataset", "service", "catalog"])
def test_dcat_ap_vl_2_violations_are_only_the_known_ones(what: str) -> None:
    shapes = dcat_ap_vl_2()
    data = rdflib.Graph().parse(data=_document("turtle", what), format="turtle")
    found = violations(data, shapes)
    print(f"\nDCAT-AP-VL 2.0 violations for the {what}: {sum(found.values())}")
    for key, n in sorted(found.items()):
        print(f"  {n} x {key}")
    known = {
        # VL 2.0 wants dates as xsd:dateTime; DCAT-AP 3 and VL 3 accept xsd:date, which keeps precision.
        "http://purl.org/dc/terms/issued",
        "http://purl.org/dc/terms/modified",
        # VL 2.0 takes themes from the Belgian (belgif) list; the records use the EU data themes.
        "http://www.w3.org/ns/dcat#theme",
        "http://www.w3.org/2004/02/skos/core#inScheme",
    }
    unexpected = {key: n for key, n in found.items() if key[1] not in known}
    assert not unexpected, unexpected


def test_the_check_catches_a_record_missing_mandatory_fields() -> None:
    shapes = dcat_ap_3()
    incomplete = dataset().model_copy(update={"description": {}})
    data = rdflib.Graph().parse(data=serialize_record(incomplete, format="turtle", base_uri=BASE))
    paths = {path for _, path, _ in violations(data, shapes)}
    assert paths == {"http://purl.org/dc/terms/description"}
