"""The fast SHACL checker finds exactly what pyshacl finds.

Compared per result: focus node, result path, value, severity and constraint component, with counts;
on every RDF file in ``../shared/reference/samples/`` and on generated feeds with injected defects;
with the official DCAT-AP 3.0.1 shapes (mandatory + ranges, recommended, EU vocabularies), the Flemish
DCAT-AP-VL 2.0 shapes and usage notes, and the project's own shape sets. Both engines read the same
triples (parsed once by the catalogue's safe reader, then handed to pyshacl as an rdflib graph), so
parser differences cannot hide or fake a difference. pyshacl's nested ``sh:detail`` results are not
part of the comparison: they explain a top-level result and are not results of the validation.
"""

from __future__ import annotations

import io
import random
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import BlankNode, NamedNode
from rdflib.namespace import SH

from catalog.exceptions import FeedError
from catalog.quality.report import read_graph
from catalog.quality.shacl import validate_graph
from catalog.quality.shacl_graph import DataGraph, Term, term_key
from catalog.quality.shacl_shapes import ShapeSet, compile_shapes, path_label
from catalog.quality.validate import SHAPE_SETS, _shape_file

pyshacl = pytest.importorskip("pyshacl")

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"
SAMPLES = REFERENCE / "samples"
OFFICIAL = REFERENCE / "shapes"

NOT_RDF = {
    # ISO 19139 XML, not RDF/XML.
    "udata-geonetwork-iso19139-page-1.xml",
    # DCAT-US JSON naming a remote JSON-LD context, which the catalogue never fetches.
    "udata-evian.json",
    # Uses the prefix healthdcatap: without declaring it (rdflib refuses it too).
    "ckanext-dcat-dataset.ttl",
}
"""Sample files neither engine can read as RDF (the safe reader refuses them with a FeedError)."""

SHAPES = {
    "dcat-ap-3.0.1": ("dcat-ap-3.0.1-shapes.ttl", "dcat-ap-3.0.1-range.ttl"),
    "dcat-ap-3.0.1-recommended": ("dcat-ap-3.0.1-shapes-recommended.ttl",),
    "dcat-ap-3.0.1-mdr-vocabularies": ("dcat-ap-3.0.1-mdr-vocabularies.ttl",),
    "dcat-ap-vl-2.0": ("dcat-ap-vl-2.0-shapes.jsonld", "dcat-ap-vl-2.0-usagenotes.jsonld"),
    "own-vl": SHAPE_SETS["vl"],
    "own-dcat-ap": SHAPE_SETS["dcat-ap"],
}

Key = tuple[str, str | None, str, str | None, str]


def _require_reference() -> None:
    if not SAMPLES.is_dir() or not OFFICIAL.is_dir():
        pytest.skip(f"reference material not found at {REFERENCE} (../shared/reference is absent)")


@cache
def _shapes(name: str) -> tuple[rdflib.Graph, ShapeSet]:
    own = name.startswith("own-")
    files = [_shape_file(f) if own else str(OFFICIAL / f) for f in SHAPES[name]]
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path, format="json-ld" if path.endswith(".jsonld") else "turtle")
    return graph, compile_shapes(graph)


def _to_rdflib_term(term: Term) -> rdflib.term.Node:
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))


def _to_rdflib(graph: DataGraph) -> rdflib.Graph:
    out = rdflib.Graph()
    for s, p, o in graph.triples():
        out.add((_to_rdflib_term(s), _to_rdflib_term(p), _to_rdflib_term(o)))
    return out


def _node_key(node: rdflib.term.Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def _path_key(report: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    """pyshacl's result path in the checker's notation (predicate IRI, ``^iri``, ``(a|b)``)."""
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(inverse)
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        members = rdflib.collection.Collection(report, alternatives)
        return "(" + "|".join(str(m) for m in members) + ")"
    raise AssertionError(f"unexpected path form in pyshacl's report: {path!r}")


def pyshacl_results(data: rdflib.Graph, shapes: rdflib.Graph) -> Counter[Key]:
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    details = set(report.objects(None, SH.detail))
    found: Counter[Key] = Counter()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if result in details:
            continue
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1].lower()
        component = str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[1]
        focus = _node_key(report.value(result, SH.focusNode))
        assert focus is not None
        key = (
            focus,
            _path_key(report, report.value(result, SH.resultPath)),
            severity,
            _node_key(report.value(result, SH.value)),
            component,
        )
        found[key] += 1
    return found


def fast_results(graph: DataGraph, shapes: ShapeSet) -> Counter[Key]:
    return Counter(
        (
            term_key(r.focus),
            path_label(r.path) if r.path is not None else None,
            r.severity,
            term_key(r.value) if r.value is not None else None,
            r.component,
        )
        for r in validate_graph(graph, shapes)
    )


def assert_same(graph: DataGraph, shapes_name: str) -> Counter[Key]:
    shapes_graph, compiled = _shapes(shapes_name)
    expected = pyshacl_results(_to_rdflib(graph), shapes_graph)
    found = fast_results(graph, compiled)
    missing, extra = expected - found, found - expected
    assert not missing and not extra, f"only pyshacl: {dict(missing)}\nonly the fast checker: {dict(extra)}"
    return found


def _sample_files() -> list[str]:
    if not SAMPLES.is_dir():
        return []
    return sorted(str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*") if p.is_file())


@pytest.mark.parametrize("shapes_name", sorted(SHAPES))
@pytest.mark.parametrize("sample", [s for s in _sample_files() if Path(s).name not in NOT_RDF])
def test_fast_checker_equals_pyshacl_on_reference_sample(sample: str, shapes_name: str) -> None:
    _require_reference()
    graph = read_graph(SAMPLES / sample)
    assert_same(graph, shapes_name)


def test_the_samples_left_out_are_not_rdf() -> None:
    _require_reference()
    for name in NOT_RDF:
        (path,) = SAMPLES.rglob(name)
        with pytest.raises(FeedError):
            read_graph(path)


def test_the_samples_do_show_results_so_the_comparison_is_not_empty() -> None:
    _require_reference()
    gent = read_graph(SAMPLES / "fietstelpaal-visserij-gent.dcat-ap3.xml")
    antwerp = read_graph(SAMPLES / "agrarisch-groen-ontoegankelijk-antwerpen.xml")
    gent_found = assert_same(gent, "dcat-ap-3.0.1")
    antwerp_found = assert_same(antwerp, "dcat-ap-3.0.1")
    assert sum(n for k, n in gent_found.items() if k[2] == "violation") >= 4
    assert sum(n for k, n in antwerp_found.items() if k[2] == "violation") >= 10


# -- generated feeds with defects -------------------------------------------------------------------

_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SERIES = "<https://gemeentedata.example/series/1>"


def _defective_feed(n: int, seed: int) -> bytes:
    """A generated feed (N-Triples) with defects injected in some datasets, deterministically."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_feed import generate

    text = io.StringIO()
    generate(n, text, seed=seed, format="ntriples")
    rng = random.Random(seed)
    out: list[str] = [
        f"{_SERIES} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{_DCAT}DatasetSeries> .\n",
        f'{_SERIES} <{_DCT}title> "Reeks"@nl .\n',
    ]
    for line in text.getvalue().splitlines(keepends=True):
        subject, predicate, _ = line.split(" ", 2)
        roll = rng.random()
        if "/dataset/" in subject and "/distribution/" not in subject:
            if predicate == f"<{_DCT}title>" and roll < 0.08:
                continue  # missing title
            if predicate == f"<{_DCT}issued>" and roll < 0.08:
                line = f'{subject} {predicate} "2020-13-45"^^<{_XSD}date> .\n'  # not a date
            elif predicate == f"<{_DCT}modified>" and roll < 0.08:
                line = f'{subject} {predicate} "2021-03-01" .\n'  # untyped date
            elif predicate == f"<{_DCT}accessRights>" and roll < 0.06:
                extra = "<http://publications.europa.eu/resource/authority/access-right/RESTRICTED>"
                out.append(f"{subject} {predicate} {extra} .\n")
            elif predicate == f"<{_DCAT}keyword>" and roll < 0.03:
                line = f"{subject} {predicate} <https://example.org/keyword/x> .\n"
            elif predicate == f"<{_DCT}identifier>" and roll < 0.1:
                out.append(f"{subject} <{_DCAT}inSeries> {_SERIES} .\n")
        elif "/distribution/" in subject:
            if predicate == f"<{_DCT}license>" and roll < 0.1:
                line = f'{subject} {predicate} "Modellicentie Gratis Hergebruik" .\n'  # licence as text
            elif predicate == f"<{_DCAT}accessURL>" and roll < 0.05:
                continue  # no access URL
            elif predicate == f"<{_DCT}format>" and roll < 0.05:
                out.append(f'{subject} <{_DCAT}byteSize> "12 kB"^^<{_XSD}nonNegativeInteger> .\n')
            elif predicate == f"<{_DCT}format>" and roll < 0.1:
                out.append(f'{subject} <{_DCAT}byteSize> "1234"^^<{_XSD}nonNegativeInteger> .\n')
        out.append(line)
    return "".join(out).encode("utf-8")


_GENERATED = [
    (seed, name)
    for name in sorted(SHAPES)
    for seed in ((1, 2) if name in ("dcat-ap-3.0.1", "own-vl") else (1,))
]


@pytest.mark.parametrize(("seed", "shapes_name"), _GENERATED)
def test_fast_checker_equals_pyshacl_on_a_generated_feed_with_defects(seed: int, shapes_name: str) -> None:
    _require_reference()
    graph = read_graph(_defective_feed(100, seed), format="ntriples")
    found = assert_same(graph, shapes_name)
    assert found, "the defective feed must produce results"


# -- the one known difference -----------------------------------------------------------------------

_KNOWN_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:p ; sh:in ( "a" ) ] , [ sh:path ex:q ; sh:hasValue "b" ] ."""
_KNOWN_DATA = """@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:x a ex:C ; ex:p "a"^^xsd:string ; ex:q "b"^^xsd:string ."""


def test_known_difference_a_string_typed_xsd_string_equals_the_plain_string() -> None:
    """RDF 1.1: ``"a"`` and ``"a"^^xsd:string`` are one literal. rdflib keeps them apart, so pyshacl finds
    ``"a"^^xsd:string`` not ``sh:in ("a")`` and ``sh:hasValue "b"`` unmet by ``"b"^^xsd:string``; the
    fast checker (pyoxigraph terms) follows RDF 1.1 and finds nothing. Only shapes with plain-string
    parameters in ``sh:in`` / ``sh:hasValue`` are affected: none of the official or project shapes."""
    shapes = rdflib.Graph().parse(data=_KNOWN_SHAPES, format="turtle")
    data = rdflib.Graph().parse(data=_KNOWN_DATA, format="turtle")
    expected = pyshacl_results(data, shapes)
    assert sorted(k[4] for k in expected) == ["HasValueConstraintComponent", "InConstraintComponent"]
    graph = read_graph(_KNOWN_DATA.encode(), format="turtle")
    assert fast_results(graph, compile_shapes(shapes)) == Counter()
    for name in SHAPES:
        shapes_graph, _ = _shapes(name)
        for predicate in (SH["in"], SH.hasValue):
            for value in shapes_graph.objects(None, predicate):
                members = (
                    [value]
                    if predicate == SH.hasValue
                    else list(rdflib.collection.Collection(shapes_graph, value))
                )
                plain = [
                    m
                    for m in members
                    if isinstance(m, rdflib.Literal) and m.datatype is None and not m.language
                ]
                assert not plain, f"{name} uses plain strings in {predicate}: the known difference applies"
