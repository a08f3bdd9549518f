"""The benchmark feed generator: right size, valid RDF, realistic content, deterministic."""

from __future__ import annotations

import importlib.util
import io
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parents[2]
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_feed", ROOT / "benchmarks" / "generate_feed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_feed"] = module
    spec.loader.exec_module(module)
    return module


def load(path: Path, fmt: str = "turtle") -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    ox_format = pyoxigraph.RdfFormat.TURTLE if fmt == "turtle" else pyoxigraph.RdfFormat.N_TRIPLES
    store.load(path=str(path), format=ox_format)
    return store


def objects(store: pyoxigraph.Store, subject: pyoxigraph.NamedNode, predicate: str) -> list[object]:
    return [q.object for q in store.quads_for_pattern(subject, pyoxigraph.NamedNode(predicate), None)]


def test_writes_n_datasets_of_about_fifty_triples(gen: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "feed.ttl"
    triples = gen.generate(40, path)
    store = load(path)
    assert len(store) == triples
    found = [
        q.subject for q in store.quads_for_pattern(None, RDF_TYPE, pyoxigraph.NamedNode(DCAT + "Dataset"))
    ]
    assert len(found) == 40
    header = gen.generate(0, tmp_path / "empty.ttl")
    assert (triples - header) / 40 == gen.TRIPLES_PER_DATASET
    assert 45 <= gen.TRIPLES_PER_DATASET <= 55


def test_each_dataset_is_complete(gen: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "feed.ttl"
    gen.generate(25, path, seed=3)
    store = load(path)
    datasets = [
        q.subject for q in store.quads_for_pattern(None, RDF_TYPE, pyoxigraph.NamedNode(DCAT + "Dataset"))
    ]
    for d in datasets:
        titles = {t.language for t in objects(store, d, DCT + "title")}  # type: ignore[attr-defined]
        assert titles == {"nl", "en"}
        assert {t.language for t in objects(store, d, DCT + "description")} == {"nl", "en"}  # type: ignore[attr-defined]
        assert len(objects(store, d, DCAT + "keyword")) == 5
        (theme,) = objects(store, d, DCAT + "theme")
        assert theme.value.startswith("http://publications.europa.eu/resource/authority/data-theme/")  # type: ignore[attr-defined]
        (spatial,) = objects(store, d, DCT + "spatial")
        assert spatial.value.startswith("https://data.vlaanderen.be/id/gemeente/")  # type: ignore[attr-defined]
        for predicate in (
            "identifier",
            "publisher",
            "accessRights",
            "issued",
            "modified",
            "accrualPeriodicity",
        ):
            assert len(objects(store, d, DCT + predicate)) == 1, predicate
        assert len(objects(store, d, DCAT + "contactPoint")) == 1
        dists = objects(store, d, DCAT + "distribution")
        assert len(dists) == 3
        for dist in dists:
            (fmt,) = objects(store, dist, DCT + "format")  # type: ignore[arg-type]
            assert fmt.value.startswith("http://publications.europa.eu/resource/authority/file-type/")  # type: ignore[attr-defined]
            assert len(objects(store, dist, DCAT + "downloadURL")) == 1  # type: ignore[arg-type]
            assert len(objects(store, dist, DCT + "license")) == 1  # type: ignore[arg-type]


def test_turtle_and_ntriples_hold_the_same_graph(gen: ModuleType, tmp_path: Path) -> None:
    gen.generate(6, tmp_path / "a.ttl", seed=1)
    gen.generate(6, tmp_path / "a.nt", seed=1, format="ntriples")
    turtle = rdflib.Graph().parse(tmp_path / "a.ttl", format="turtle")
    ntriples = rdflib.Graph().parse(tmp_path / "a.nt", format="nt")
    assert len(turtle) == len(ntriples) > 0
    assert isomorphic(turtle, ntriples)


def test_deterministic_for_a_seed(gen: ModuleType) -> None:
    def run(seed: int) -> str:
        buffer = io.StringIO()
        gen.generate(15, buffer, seed=seed)
        return buffer.getvalue()

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_cycles_through_real_municipalities(gen: ModuleType, tmp_path: Path) -> None:
    towns = gen.nis_codes()
    assert len(towns) >= 16 and all(len(nis) == 5 and nis.isdigit() for nis, _ in towns)
    try:
        from vocab.municipalities import municipalities
    except ImportError:
        pytest.skip("vocab.municipalities is not available")
    assert {nis for nis, _ in towns} == {m.nis for m in municipalities()}
    path = tmp_path / "feed.nt"
    gen.generate(len(towns), path, format="ntriples")
    store = load(path, "ntriples")
    spatial = Counter(
        q.object.value for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(DCT + "spatial"), None)
    )
    assert len(spatial) == len(towns) and set(spatial.values()) == {1}


def test_refuses_an_unknown_format(gen: ModuleType) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        gen.generate(1, io.StringIO(), format="rdfxml")


def test_command_line(gen: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.nt"
    assert gen.main(["12", str(out), "--format", "ntriples", "--seed", "2"]) == 0
    assert "12 datasets" in capsys.readouterr().err
    assert len(load(out, "ntriples")) == gen.generate(12, io.StringIO(), seed=2)
