"""Settings: TOML file, environment overrides, documentation kept in step with the code."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.exceptions import ConfigError
from catalog.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_every_setting_is_documented_in_the_example_with_its_default() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    defaults = Settings().model_dump()
    assert set(example) == set(defaults)
    for section, values in defaults.items():
        assert example[section] == values, f"config.example.toml [{section}] differs from the defaults"


def test_every_setting_has_a_comment_in_the_example() -> None:
    lines = (ROOT / "config.example.toml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("#"), f"undocumented setting: {line.strip()}"


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "catalog.toml").write_text('[database]\nurl = "sqlite:///x.db"\n[server]\nport = 9000\n')
    monkeypatch.setenv("CATALOG_SERVER__PORT", "9100")
    settings = get_settings()
    assert settings.database.url == "sqlite:///x.db"
    assert settings.server.port == 9100


def test_explicit_config_file_must_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_CONFIG", "/nonexistent/catalog.toml")
    with pytest.raises(ConfigError, match="not found"):
        get_settings()


def test_invalid_settings_name_the_key(tmp_path: Path) -> None:
    (tmp_path / "catalog.toml").write_text("[harvest]\nwithdraw_threshold = 3\nbogus = 1\n")
    with pytest.raises(ConfigError) as err:
        get_settings()
    assert "harvest.withdraw_threshold" in str(err.value)
    assert "harvest.bogus" in str(err.value)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "catalog.toml").write_text("[database\n")
    with pytest.raises(ConfigError, match="cannot read"):
        get_settings()
