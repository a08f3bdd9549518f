from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib

from catalog.demo import demo_catalog_bytes

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_file() -> Callable[..., Path]:
    """Find a file under ../shared/reference/, or skip the test when that folder is absent."""

    def find(*parts: str) -> Path:
        path = REFERENCE.joinpath(*parts)
        if not path.exists():
            pytest.skip(f"reference material not found at {path} (only in the project's shared checkout)")
        return path

    return find


@pytest.fixture(scope="session")
def demo_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=demo_catalog_bytes(), format="turtle")
    return graph
