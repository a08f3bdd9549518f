"""A demo catalogue on a real SQLite file, shared by the web page tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings


def demo_settings(folder: Path) -> Settings:
    return Settings(
        database={"url": f"sqlite:///{folder / 'catalog.db'}"},
        catalog={"base_uri": "https://catalog.example/"},
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = demo_settings(tmp_path_factory.mktemp("demo"))
    upgrade_database(settings=settings)
    import_demo(settings)
    return settings


@pytest.fixture
def browser_client(demo: Settings) -> Iterator[TestClient]:
    """A client that asks for HTML the way browsers do."""
    with TestClient(
        create_app(demo), headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    ) as client:
        yield client
