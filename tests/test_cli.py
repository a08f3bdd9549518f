"""The ``catalog`` command: the happy path on a real SQLite file, and user mistakes as one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli import app
from catalog.settings import get_settings

runner = CliRunner()
BROKEN_TURTLE = b'@prefix dct: <http://purl.org/dc/terms/> .\n<https://x.example/a> dct:title "open\n'


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CATALOG_CONFIG", "")  # recorded, so whatever --config sets is undone after the test
    monkeypatch.delenv("CATALOG_CONFIG")
    url = f"sqlite:///{tmp_path / 'data' / 'catalog.db'}"
    monkeypatch.setenv("CATALOG_DATABASE__URL", url)
    get_settings.cache_clear()
    return {**os.environ, "CATALOG_DATABASE__URL": url}


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_upgrade_demo_export(env: dict[str, str], tmp_path: Path) -> None:
    code, out, _ = _run("db", "upgrade")
    assert code == 0 and "database at head" in out
    code, out, _ = _run("demo")
    assert code == 0 and "created 46" in out
    code, out, _ = _run("demo")
    assert code == 0 and "unchanged 46" in out
    for fmt, marker in [
        ("ttl", b"@prefix dcat:"),
        ("nt", b"<http://www.w3.org/ns/dcat#Dataset>"),
        ("rdf", b"<rdf:RDF"),
        ("jsonld", b'"@context"'),
    ]:
        target = tmp_path / f"export.{fmt}"
        code, _, err = _run("export", "--format", fmt, "-o", str(target))
        assert code == 0 and "exported 46 records" in err
        assert marker in target.read_bytes()


def test_import_a_file_and_report(env: dict[str, str], tmp_path: Path) -> None:
    _run("db", "upgrade")
    feed = tmp_path / "feed.ttl"
    feed.write_text(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
        '<https://data.leuven.be/d/1> a dcat:Dataset ; dct:identifier "1" ; dct:title "Bomen"@nl .\n',
        encoding="utf-8",
    )
    code, out, _ = _run("import", str(feed), "--municipality", "24062")
    assert code == 0 and "created 1" in out
    code, out, _ = _run("import", str(feed))
    assert code == 0 and "unchanged 1" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "missing.ttl"], "no such file: missing.ttl"),
        (["import", "broken.ttl"], "error: "),
        (["import", "empty.ttl"], "empty"),
        (["import", "feed.ttl", "--municipality", "99999"], "unknown municipality NIS code '99999'"),
        (["import", "http://127.0.0.1:9/feed.ttl"], "internal address"),
        (["import", "file:///etc/passwd"], "no such file"),
        (["export", "--format", "docx"], "unknown format 'docx'"),
    ],
)
def test_user_mistakes_are_one_line_errors(
    env: dict[str, str], tmp_path: Path, args: list[str], message: str
) -> None:
    _run("db", "upgrade")
    (tmp_path / "broken.ttl").write_bytes(BROKEN_TURTLE)
    (tmp_path / "empty.ttl").write_bytes(b"")
    (tmp_path / "feed.ttl").write_bytes(b"")
    code, out, err = _run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_database_not_migrated_is_explained(env: dict[str, str]) -> None:
    code, _, err = _run("export")
    assert code == 2
    assert "catalog db upgrade" in err


def test_bad_config_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[harvest]\nbatch_size = 0\n")
    code, _, err = _run("--config", str(tmp_path / "bad.toml"), "db", "upgrade")
    assert code == 2 and "harvest.batch_size" in err and "Traceback" not in err


def test_the_installed_command_never_prints_a_traceback(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "broken.ttl").write_bytes(BROKEN_TURTLE)
    exe = Path(sys.executable).with_name("catalog")
    subprocess.run([str(exe), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    done = subprocess.run(
        [str(exe), "import", "broken.ttl"], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert "line" in done.stderr  # the position of the syntax error
