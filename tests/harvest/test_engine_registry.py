"""Plugin registry: entry points, unknown kinds, options checked by name, test registration."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from engine_support import ListHarvester

from catalog.exceptions import ConfigError, InputError
from catalog.harvest import registry
from catalog.harvest.registry import (
    get_harvester,
    known_kinds,
    parse_option_pairs,
    register,
    validate_options,
)
from harvesters.dcat import DcatHarvester


def test_installed_plugins_are_found_through_entry_points() -> None:
    assert {"dcat", "ckan"} <= set(known_kinds())
    assert get_harvester("dcat") is DcatHarvester


def test_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"unknown source kind 'gopher'; known kinds: .*csw.*dcat"):
        get_harvester("gopher")


def test_register_adds_a_plugin_for_the_block_only() -> None:
    assert "test-list" not in known_kinds()
    with register(ListHarvester):
        assert get_harvester("test-list") is ListHarvester
        assert "test-list" in known_kinds()
    assert "test-list" not in known_kinds()
    with pytest.raises(InputError):
        get_harvester("test-list")


def test_register_can_shadow_an_installed_plugin_and_restore_it() -> None:
    class Other(ListHarvester):
        name = "dcat"

    with register(Other):
        assert get_harvester("dcat") is Other
    assert get_harvester("dcat") is DcatHarvester


def test_options_are_validated_and_errors_name_the_option() -> None:
    checked = validate_options("dcat", {"max_pages": "3"})
    assert checked.model_dump()["max_pages"] == 3
    with pytest.raises(InputError) as err:
        validate_options("dcat", {"max_pages": "lots", "colour": "red"})
    message = str(err.value)
    assert "option 'max_pages'" in message and "unknown option 'colour'" in message
    assert "dcat" in message


def test_option_pairs_from_the_command_line() -> None:
    assert parse_option_pairs(["rows=100", "tags=a", "tags=b", 'orgs=["x","y"]', "q=a=b"]) == {
        "rows": "100",
        "tags": ["a", "b"],
        "orgs": ["x", "y"],
        "q": "a=b",
    }
    with pytest.raises(InputError, match="KEY=VALUE"):
        parse_option_pairs(["rows"])
    with pytest.raises(InputError, match="KEY=VALUE"):
        parse_option_pairs(["=1"])


def test_a_broken_plugin_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = EntryPoint(name="broken", value="no_such_module_xyz:Harvester", group=registry.ENTRY_POINT_GROUP)
    not_a_plugin = EntryPoint(name="notone", value="json:dumps", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "_entry_points", lambda: {"broken": broken, "notone": not_a_plugin})
    registry._load.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"'broken' .* cannot be loaded"):
            get_harvester("broken")
        with pytest.raises(ConfigError, match="not a Harvester subclass"):
            get_harvester("notone")
    finally:
        registry._load.cache_clear()
