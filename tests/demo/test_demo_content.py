"""The demo content file and its loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.demo.build_demo import FORMATS, LICENCES, build
from catalog.demo.content import load_content

TOWN = """
[[municipality]]
key = "herzele"
nis = "41027"
name = "Gemeente Herzele"
province = "Oost-Vlaanderen"
portal = "web"
host = "www.herzele.be"
domain = "herzele.be"
department = "Communicatie"
"""
DATASET = """
[[dataset]]
town = "{town}"
slug = "zalen"
title_nl = "Zalen"
description_nl = "Gemeentelijke zalen."
keywords = ["zalen"]
themes = ["SOCI"]
frequency = "IRREG"
issued = "2024-01-01"
modified = "2024-02-01"
formats = ["csv"]
"""


def test_every_dataset_uses_known_formats_and_licences() -> None:
    content = load_content()
    for d in content.datasets:
        assert set(d.formats) <= set(FORMATS), d.slug
        assert d.licence in LICENCES, d.slug
        assert d.issued <= d.modified, d.slug
        assert (d.service is not None) == bool({"wms", "wfs", "ogcapi"} & set(d.formats)), d.slug


def test_a_small_content_file_builds_a_blank_node_dataset(tmp_path: Path) -> None:
    path = tmp_path / "content.toml"
    path.write_text(TOWN + DATASET.format(town="herzele"), "utf-8")
    turtle = build(load_content(path))
    assert "_:herzele-zalen\n    a dcat:Dataset ;" in turtle
    assert "<https://data.vlaanderen.be/id/gemeente/41027>" in turtle
    assert build(load_content(path)) == turtle


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TOWN + DATASET.format(town="atlantis"), "unknown town 'atlantis'"),
        (TOWN + DATASET.format(town="herzele") + 'series = "nope"\n', "unknown series 'nope'"),
        (TOWN + DATASET.format(town="herzele") + 'colour = "red"\n', "unknown keys ['colour']"),
    ],
)
def test_broken_references_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "content.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_content(path)
