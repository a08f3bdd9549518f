from __future__ import annotations

import pytest

from vocab.municipalities import by_nis, lookup_municipality, merged_into, municipalities, provinces


def test_counts() -> None:
    assert len(municipalities()) == 285
    assert len(municipalities(2019)) == 300
    assert len(provinces()) == 5
    assert len({m.nis for m in municipalities()}) == 285


def test_sorted_by_name() -> None:
    names = [m.name for m in municipalities()]
    assert names[0] == "Aalst"
    assert names.index("Gent") < names.index("Zwevegem")


@pytest.mark.parametrize(("nis", "name"), [("44021", "Gent"), ("11002", "Antwerpen"), ("24062", "Leuven")])
def test_known_facts(nis: str, name: str) -> None:
    municipality = by_nis(nis)
    assert municipality is not None
    assert municipality.name == name
    assert municipality.uri == f"https://data.vlaanderen.be/id/gemeente/{nis}"
    assert municipality.year == 2025


def test_gent_details() -> None:
    gent = by_nis("44021")
    assert gent is not None
    assert gent.province_name == "Oost-Vlaanderen"
    assert gent.province_nis == "40000"
    assert gent.arrondissement_name == "Gent"
    assert gent.names["fr"] == "Gand"
    assert gent.bbox is not None
    west, south, east, north = gent.bbox
    assert west < 3.72 < east and south < 51.05 < north


def test_provinces() -> None:
    assert [p.name for p in provinces()] == [
        "Antwerpen",
        "Vlaams-Brabant",
        "West-Vlaanderen",
        "Oost-Vlaanderen",
        "Limburg",
    ]


def test_every_vanished_municipality_has_a_merger_target_in_2025() -> None:
    current = {m.nis for m in municipalities()}
    vanished = [m for m in municipalities(2019) if m.nis not in current]
    assert len(vanished) == 27
    for old in vanished:
        target = merged_into(old.nis)
        assert target in current, old.name
    assert merged_into("44021") is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Tessenderlo", "Tessenderlo-Ham"),
        ("Ham", "Tessenderlo-Ham"),
        ("Beveren", "Beveren-Kruibeke-Zwijndrecht"),
        ("Kruibeke", "Beveren-Kruibeke-Zwijndrecht"),
        ("Zwijndrecht", "Beveren-Kruibeke-Zwijndrecht"),
        ("Galmaarden", "Pajottegem"),
        ("Gooik", "Pajottegem"),
        ("Herne", "Pajottegem"),
        ("Melle", "Merelbeke-Melle"),
        ("Merelbeke", "Merelbeke-Melle"),
        ("Nazareth", "Nazareth-De Pinte"),
        ("De Pinte", "Nazareth-De Pinte"),
        ("Bilzen", "Bilzen-Hoeselt"),
        ("Hoeselt", "Bilzen-Hoeselt"),
        ("Tongeren", "Tongeren-Borgloon"),
        ("Borgloon", "Tongeren-Borgloon"),
        ("Kortessem", "Hasselt"),
        ("Moerbeke", "Lokeren"),
        ("Wachtebeke", "Lochristi"),
        ("Ruiselede", "Wingene"),
        ("Meulebeke", "Tielt"),
        ("Borsbeek", "Antwerpen"),
    ],
)
def test_merger_targets(old: str, new: str) -> None:
    old_municipality = next(m for m in municipalities(2019) if m.name == old)
    target = merged_into(old_municipality.nis)
    assert target is not None
    merged = by_nis(target, 2025)
    assert merged is not None and merged.name == new
    found = lookup_municipality(old)
    assert found is not None and found.name == new
    assert lookup_municipality(old_municipality.nis) == merged


def test_kluisbergen_was_not_merged() -> None:
    kluisbergen = lookup_municipality("Kluisbergen")
    assert kluisbergen is not None and kluisbergen.name == "Kluisbergen"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Gent", "Gent"),
        ("GENT ", "Gent"),
        ("Stad Gent", "Gent"),
        ("Gemeente Gent", "Gent"),
        ("Gand", "Gent"),
        ("Anvers", "Antwerpen"),
        ("Louvain", "Leuven"),
        ("Stad en OCMW Antwerpen", "Antwerpen"),
        ("Lokaal bestuur Sint-Niklaas", "Sint-Niklaas"),
        ("St.-Niklaas", "Sint-Niklaas"),
        ("St-Niklaas", "Sint-Niklaas"),
        ("Sint Niklaas", "Sint-Niklaas"),
        ("sint niklaas", "Sint-Niklaas"),
        ("St. Martens-Latem", "Sint-Martens-Latem"),
        ("Courtrai", "Kortrijk"),
        ("Brügge", "Brugge"),
        ("44021", "Gent"),
        ("https://data.vlaanderen.be/id/gemeente/44021", "Gent"),
        ("http://data.vlaanderen.be/id/gemeente/44021/", "Gent"),
        ("http://vocab.belgif.be/auth/refnis2025/44021", "Gent"),
        ("https://data.vlaanderen.be/id/gemeente/44040", "Merelbeke-Melle"),
    ],
)
def test_tolerant_lookup(text: str, name: str) -> None:
    found = lookup_municipality(text)
    assert found is not None, text
    assert found.name == name


@pytest.mark.parametrize(
    "text", ["", "Brussel", "Liège", "Namen", "99999", "https://example.org/gemeente/44021"]
)
def test_lookup_refuses_unknown(text: str) -> None:
    assert lookup_municipality(text) is None


def test_by_nis_years() -> None:
    assert by_nis("44040") is not None  # Melle, only in 2019
    assert by_nis("44040", 2025) is None
    old = by_nis("44040", 2019)
    assert old is not None and old.name == "Melle" and old.year == 2019
