"""``catalog dump refresh``: the dump blocks are built ahead, so a download serialises nothing."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.api.dumps import default_cache_dir
from catalog.settings import get_settings
from tests.test_cli import _run, env

__all__ = ["env"]

DATASET = "http://www.w3.org/ns/dcat#Dataset"


def _block_files(cache: Path, format: str) -> dict[str, float]:
    return {path.name: path.stat().st_mtime for path in (cache / format).glob("*.gz")}


def test_refresh_builds_the_blocks_a_download_then_streams(env: dict[str, str]) -> None:
    assert _run("db", "upgrade")[0] == 0
    assert _run("demo")[0] == 0  # which builds the blocks already
    cache = default_cache_dir(get_settings())
    assert len(_block_files(cache, "ntriples")) == 1
    shutil.rmtree(cache)  # as on a store loaded some other way, or after an upgrade of the writer

    code, out, _ = _run("dump", "refresh")
    assert code == 0
    assert "ntriples: 1 block(s) rebuilt" in out and "turtle: 1 block(s) rebuilt" in out
    built = _block_files(cache, "ntriples")
    assert len(built) == 1 and len(_block_files(cache, "turtle")) == 1

    code, out, _ = _run("dump", "refresh", "--format", "nt")
    assert code == 0 and out.strip() == "ntriples: 0 block(s) rebuilt", "nothing changed, nothing rebuilt"

    with TestClient(create_app(get_settings())) as client:
        response = client.get("/catalog/dump.nt.gz")
    assert response.status_code == 200
    assert _block_files(cache, "ntriples") == built, "the download used the refreshed block as it was"
    triples = pyoxigraph.parse(gzip.decompress(response.content), format=pyoxigraph.RdfFormat.N_TRIPLES)
    datasets = {
        str(t.subject) for t in triples if t.predicate.value.endswith("#type") and t.object.value == DATASET
    }
    assert len(datasets) == 43, "42 datasets and the series (typed dcat:Dataset too)"


def test_an_unknown_format_is_a_one_line_error(env: dict[str, str]) -> None:
    assert _run("db", "upgrade")[0] == 0
    code, _, err = _run("dump", "refresh", "--format", "csv")
    assert code == 2 and "unknown dump format 'csv'; choose nt or ttl" in err
