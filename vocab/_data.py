"""Load the committed vocabulary data files (``vocab/data/*.json``) once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load"]


@cache
def load(name: str) -> Any:
    """The parsed content of ``vocab/data/{name}.json``."""
    text = resources.files("vocab").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)
