"""``catalog validate FILE|URL``: per-dataset reports as a table, JSON or a SHACL report; exit codes 0/1/2."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH
from typer.testing import CliRunner

from catalog.cli import app
from catalog.model import Dataset
from catalog.rdf.serialize import serialize_record
from catalog.settings import get_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rdf"))
from test_serialize_samples import BASE, dataset

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "samples"
GENT = REFERENCE / "fietstelpaal-visserij-gent.dcat-ap3.xml"
runner = CliRunner()


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _gent() -> Path:
    if not GENT.is_file():
        pytest.skip(f"reference sample not found at {GENT}")
    return GENT


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_gent_licence_defect_is_explained_to_the_steward() -> None:
    code, out, _ = _run(str(_gent()))
    assert code == 1
    assert out.count("De licentie is niet aangeduid met een link (URI)") == 2  # both distributions
    assert "Modellicentie Gratis Hergebruik" in out and "modellicentie-gratis-hergebruik/v1.0" in out
    assert "fietstelpaal-visserij-2023-gent-csv dct:license" in out  # which distribution
    code, out, _ = _run(str(_gent()), "--lang", "en")
    assert code == 1 and "The licence is not identified by a link (URI)" in out


def test_a_valid_feed_exits_zero(tmp_path: Path) -> None:
    feed = tmp_path / "ok.ttl"
    feed.write_bytes(serialize_record(dataset(), format="turtle", base_uri=BASE))
    code, out, _ = _run(str(feed), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["conforms"] is True and report["counts"]["violation"] == 0
    assert [r["kind"] for r in report["records"]] == ["Dataset"]


def test_json_reports_each_dataset_with_its_own_findings(tmp_path: Path) -> None:
    good = dataset(1)
    bad = dataset(2).model_copy(update={"access_rights": None})
    feed = tmp_path / "feed.nt"
    feed.write_bytes(
        serialize_record(good, format="ntriples", base_uri=BASE)
        + serialize_record(bad, format="ntriples", base_uri=BASE)
    )
    code, out, _ = _run(str(feed), "--format", "json")
    assert code == 1
    records = {r["subject"]: r for r in json.loads(out)["records"]}
    assert records[good.uri]["conforms"] is True
    bad_findings = records[bad.uri]["findings"]
    assert [(f["path"], f["severity"]) for f in bad_findings] == [
        ("http://purl.org/dc/terms/accessRights", "violation")
    ]
    assert "toegangsrecht" in bad_findings[0]["message_nl"]


def test_turtle_output_is_a_shacl_validation_report() -> None:
    code, out, _ = _run(str(_gent()), "--format", "turtle")
    assert code == 1
    graph = rdflib.Graph().parse(data=out, format="turtle")
    (report,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False
    results = list(graph.objects(report, SH.result))
    _, json_out, _ = _run(str(_gent()), "--format", "json")
    assert len(results) == sum(json.loads(json_out)["counts"].values())
    license_path = rdflib.URIRef("http://purl.org/dc/terms/license")
    licence = [
        r
        for r in results
        if graph.value(r, SH.resultPath) == license_path and graph.value(r, SH.resultSeverity) == SH.Violation
    ]
    assert len(licence) == 2 and all(isinstance(graph.value(r, SH.value), rdflib.BNode) for r in licence)
    assert {m.language for r in licence for m in graph.objects(r, SH.resultMessage)} == {"en", "nl"}


def test_shape_sets_differ_in_the_flemish_additions(tmp_path: Path) -> None:
    bare = Dataset(uri="https://example.org/ds/1", title={"nl": "Bomen"}, description={"nl": "Bomen in Gent"})
    feed = tmp_path / "bare.ttl"
    feed.write_bytes(serialize_record(bare, format="turtle", base_uri=BASE))
    assert _run(str(feed), "--shapes", "vl")[0] == 1
    assert _run(str(feed), "--shapes", "dcat-ap")[0] == 0


def test_unreadable_input_and_bad_options_exit_2_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_bytes(b'<https://x.example/a> <http://purl.org/dc/terms/title> "open\n')
    for args, message in [
        ((str(broken),), "turtle syntax error"),
        ((str(tmp_path / "missing.ttl"),), "no such file"),
        ((str(broken), "--shapes", "nope"), "unknown shapes"),
        ((str(broken), "--format", "xml"), "unknown format"),
        (("ftp://example.org/feed.ttl",), "no such file"),
    ]:
        code, out, err = _run(*args)
        assert code == 2, (args, out, err)
        assert message in err and err.count("\n") == 1 and out == ""


class _Feed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = GENT.read_bytes()  # read at serve time, never copied into the repository
        self.send_response(200)
        self.send_header("Content-Type", "application/rdf+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _gent()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/gent.rdf"
    httpd.shutdown()
    httpd.server_close()


def test_a_url_is_fetched_through_the_safe_fetcher(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _run(server)
    assert code == 2 and "refusing to fetch" in err  # loopback is an internal address: refused by default
    monkeypatch.setenv("CATALOG_HARVEST__ALLOW_PRIVATE_NETWORKS", "true")
    get_settings.cache_clear()
    code, out, _ = _run(server, "--format", "json")
    assert code == 1
    kinds = [r["kind"] for r in json.loads(out)["records"]]
    assert kinds == ["Catalog", "Dataset"]
