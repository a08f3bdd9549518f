"""The installed project: real packages (not namespace shadows from tests/), plugins found by entry point."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

import pytest


@pytest.mark.parametrize(
    "name", ["catalog", "harvesters", "vocab", "catalog.rdf", "catalog.api", "catalog.db"]
)
def test_packages_are_the_real_ones(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None, f"{name} resolved as a namespace package"


def test_harvesters_are_registered_as_entry_points() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="catalog.harvesters")}
    assert found["dcat"] == "harvesters.dcat:DcatHarvester"
    assert found["ckan"] == "harvesters.ckan:CkanHarvester"
    for ep in entry_points(group="catalog.harvesters"):
        assert ep.load().name == ep.name


def test_a_page_reader_starts_without_the_search_engine_or_migrations() -> None:
    """What a page reader process preloads (``harvesters.dcat``, ``catalog.harvest.aside``) leaves the
    search engine (numpy, the facet index) and Alembic unloaded; the packages still offer their names."""
    import subprocess
    import sys

    code = (
        "import sys, harvesters.dcat, catalog.harvest.aside\n"
        "print(sorted(m for m in ('numpy', 'alembic', 'catalog.search.engine') if m in sys.modules))\n"
        "from catalog.search import SearchQuery, search\n"
        "from catalog.db import upgrade\n"
        "print(callable(search), callable(upgrade), SearchQuery.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.splitlines() == ["[]", "True True catalog.search.engine"]
