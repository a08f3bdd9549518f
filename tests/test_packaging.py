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
