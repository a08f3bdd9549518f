"""Limits on what a client may send: a source's options JSON (depth and size).

``check_options_json`` is called wherever options come in (the sources API, the command line), before
they are validated against the harvester's own ``Options``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from catalog.exceptions import InputError

__all__ = ["MAX_OPTIONS_BYTES", "MAX_OPTIONS_DEPTH", "check_options_json"]

MAX_OPTIONS_DEPTH = 5
"""Nesting of objects and arrays: ``{"a": 1}`` has depth 1, ``{"a": {"b": [1]}}`` depth 3."""
MAX_OPTIONS_BYTES = 64 * 1024
"""Size of the options as compact UTF-8 JSON."""


def _depth_and_check(value: Any) -> int:
    """The nesting depth of ``value``, checked without recursion; ``InputError`` on non-JSON values."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            depth += 1
            if depth > MAX_OPTIONS_DEPTH:
                return depth
            for key, child in item.items():
                if not isinstance(key, str):
                    raise InputError("options: object keys must be strings")
                stack.append((child, depth))
        elif isinstance(item, list):
            depth += 1
            if depth > MAX_OPTIONS_DEPTH:
                return depth
            stack.extend((child, depth) for child in item)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InputError("options: numbers must be finite")
        elif item is not None and not isinstance(item, str | int | bool):
            raise InputError(f"options: {type(item).__name__} is not a JSON value")
        deepest = max(deepest, depth)
    return deepest


def check_options_json(value: Any) -> None:
    """Refuse options nested deeper than 5 levels or larger than 64 KiB as JSON (``InputError``)."""
    if _depth_and_check(value) > MAX_OPTIONS_DEPTH:
        raise InputError(
            f"options are nested too deeply (at most {MAX_OPTIONS_DEPTH} levels of objects and arrays)"
        )
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_OPTIONS_BYTES:
        raise InputError(f"options are too large: {size} bytes as JSON, at most {MAX_OPTIONS_BYTES}")
