"""The DCAT fields of a CKAN package, wherever the portal keeps them, as one flat ``key -> text`` dict.

ckanext-dcat 1.x writes them as ``extras`` (``uri``, ``theme``, ``spatial``, ``contact_email`` ...);
ckanext-dcat 2.x with ckanext-scheming writes them as top-level fields, some as lists of objects
(``contact``, ``publisher``, ``temporal_coverage``, ``spatial_coverage``). Both are read; extras win.
Lists become JSON text, which the mapping reads back (see ``list_value``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from harvesters._json_map import split_list

__all__ = ["dcat_fields", "extras_of", "list_value"]

_TOP_LEVEL = (
    "uri", "identifier", "theme", "access_rights", "frequency", "language", "conforms_to", "spatial_uri",
    "temporal_start", "temporal_end", "issued", "modified",
)  # fmt: skip
_NESTED = {
    "contact": {"name": "contact_name", "email": "contact_email", "uri": "contact_uri"},
    "publisher": {
        "name": "publisher_name",
        "email": "publisher_email",
        "uri": "publisher_uri",
        "url": "publisher_url",
    },
    "temporal_coverage": {"start": "temporal_start", "end": "temporal_end"},
    "spatial_coverage": {"uri": "spatial_uri", "geom": "spatial", "bbox": "spatial"},
}


def extras_of(package: Mapping[str, Any]) -> dict[str, str]:
    """CKAN's ``extras`` list of ``{"key", "value"}`` pairs (or an object) as a dict."""
    extras = package.get("extras")
    if isinstance(extras, dict):
        return {str(k): _text(v) for k, v in extras.items() if v is not None}
    out: dict[str, str] = {}
    for item in extras or ():
        if isinstance(item, dict) and isinstance(item.get("key"), str) and item.get("value") is not None:
            out[item["key"]] = _text(item["value"])
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _filled(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def dcat_fields(package: Mapping[str, Any]) -> dict[str, str]:
    """Extras, completed by scheming's top-level fields."""
    fields = extras_of(package)
    for key in _TOP_LEVEL:
        value = package.get(key)
        if key not in fields and _filled(value) and isinstance(value, str | list):
            fields[key] = _text(value)
    for name, keys in _NESTED.items():
        items = package.get(name)
        first = items[0] if isinstance(items, list) and items else items
        if not isinstance(first, dict):
            continue
        for source_key, target in keys.items():
            value = first.get(source_key)
            if target not in fields and _filled(value):
                fields[target] = _text(value)
    return fields


def list_value(text: str) -> list[str]:
    """A field that holds a JSON list, a comma-separated list, or one value."""
    text = text.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(v).strip() for v in parsed if isinstance(v, str | int | float) and str(v).strip()]
    return split_list(text)
