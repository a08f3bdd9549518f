"""Harvester plugins by kind: found through the entry-point group ``catalog.harvesters``.

A third party adds a portal kind with a ``pip install``: its package declares
``[project.entry-points."catalog.harvesters"] mykind = "mypkg.module:MyHarvester"``. An unknown kind is
refused with the list of known ones. Tests add a plugin for a while with ``register(cls)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic import BaseModel, ValidationError

from catalog.exceptions import ConfigError, InputError
from harvesters.base import Harvester

__all__ = [
    "ENTRY_POINT_GROUP",
    "HarvesterClass",
    "get_harvester",
    "known_kinds",
    "parse_option_pairs",
    "register",
    "validate_options",
]

ENTRY_POINT_GROUP = "catalog.harvesters"

HarvesterClass = type[Harvester[Any]]

_registered: dict[str, HarvesterClass] = {}
"""Plugins added in process by ``register`` (tests); they shadow entry points of the same name."""


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def known_kinds() -> list[str]:
    """Every source kind a harvester is installed for, sorted."""
    return sorted({*_entry_points(), *_registered})


@lru_cache(maxsize=64)
def _load(name: str) -> HarvesterClass:
    entry = _entry_points()[name]
    try:
        loaded = entry.load()
    except Exception as exc:  # a broken plugin is the operator's problem, reported on one line
        raise ConfigError(f"harvester plugin {name!r} ({entry.value}) cannot be loaded: {exc}") from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Harvester)):
        raise ConfigError(f"harvester plugin {name!r} ({entry.value}) is not a Harvester subclass")
    return loaded


def get_harvester(kind: str) -> HarvesterClass:
    """The harvester class for a source kind; ``InputError`` listing the known kinds when there is none."""
    if kind in _registered:
        return _registered[kind]
    if kind not in _entry_points():
        known = ", ".join(known_kinds()) or "none installed"
        raise InputError(f"unknown source kind {kind!r}; known kinds: {known}")
    return _load(kind)


def validate_options(kind: str, options: Mapping[str, Any]) -> BaseModel:
    """A source's options checked against its harvester's ``Options``; errors name the option."""
    model = get_harvester(kind).Options
    try:
        return model.model_validate(dict(options))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "options"
            if error["type"] == "extra_forbidden":
                problems.append(f"unknown option {name!r}")
            else:
                problems.append(f"option {name!r}: {error['msg']}")
        raise InputError(f"invalid options for a {kind} source: {'; '.join(problems)}") from exc


def parse_option_pairs(pairs: list[str]) -> dict[str, Any]:
    """``["key=value", ...]`` as given on the command line.

    Values stay text (the options model converts ``"10"`` or ``"true"``), except a JSON list or object
    (``tags=["a","b"]``); a key given twice collects a list.
    """
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"option {pair!r} is not KEY=VALUE")
        value: Any = text
        if text.startswith(("[", "{")):
            try:
                value = json.loads(text)
            except ValueError:
                value = text
        if key in options:
            previous = options[key]
            options[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            options[key] = value
    return options


@contextmanager
def register(cls: HarvesterClass) -> Iterator[HarvesterClass]:
    """Make ``cls`` the harvester of kind ``cls.name`` inside the block (for tests and embedding)."""
    previous = _registered.get(cls.name)
    _registered[cls.name] = cls
    try:
        yield cls
    finally:
        if previous is None:
            _registered.pop(cls.name, None)
        else:
            _registered[cls.name] = previous
