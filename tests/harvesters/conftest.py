"""Fixtures for plugin tests: the loopback replay server, the reference samples, the fetcher."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from plugin_support import real_fetcher
from replay import SAMPLES_DIR, ReplayServer

from harvesters.base import Http


@pytest.fixture
def samples() -> Path:
    """The reference samples folder; skips the test when it is absent (a fresh clone)."""
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"reference samples not found at {SAMPLES_DIR} (../shared/reference/samples/)")
    return SAMPLES_DIR


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    """A replay server on 127.0.0.1 that records every request."""
    server = ReplayServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def http() -> Iterator[Http]:
    """The engine's real fetcher, allowed to reach the loopback replay server."""
    with real_fetcher() as fetcher:
        yield fetcher
