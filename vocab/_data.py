"""Load the committed vocabulary data files (``vocab/data/*.json``) once."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DATA_DIR", "load"]

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def load(name: str) -> Any:
    """The parsed content of ``vocab/data/{name}.json``."""
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
