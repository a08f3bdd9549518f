"""Tolerant lookups of themes, formats, media types, licences and code lists, with real messy inputs."""

from __future__ import annotations

import pytest

from vocab.codelists import (
    lookup_access_rights,
    lookup_frequency,
    lookup_language,
    lookup_levensfase,
    lookup_ontwikkelingstoestand,
    lookup_status,
    lookup_statuut,
)
from vocab.concepts import is_known, label, scheme_of
from vocab.formats import (
    format_for_media_type,
    format_label,
    is_machine_readable,
    is_non_proprietary,
    lookup_format,
    lookup_media_type,
    media_type_for_format,
)
from vocab.licences import is_open_licence, licence_label, lookup_licence
from vocab.themes import all_themes, lookup_theme, theme_label

EU = "http://publications.europa.eu/resource/authority/"
FT = EU + "file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
LIC = EU + "licence/"
VL = "https://data.vlaanderen.be/id/licentie/"


def test_thirteen_eu_themes() -> None:
    themes = all_themes()
    assert len(themes) == 13
    assert {t.code for t in themes} >= {"ECON", "TRAN", "ENVI", "GOVE", "SOCI"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ECON", "ECON"),
        ("econ", "ECON"),
        ("Economie", "ECON"),
        ("Economy and finance", "ECON"),
        ("Economie en financiën", "ECON"),
        ("Économie et finances", "ECON"),
        ("https://publications.europa.eu/resource/authority/data-theme/TRAN/", "TRAN"),
        ("http://vocab.belgif.be/auth/datatheme/CULT", "EDUC"),
        ("http://vocab.belgif.be/auth/datatheme/ENVI", "ENVI"),
        ("https://data.stad.gent/id/theme/Mobiliteit", "TRAN"),
        ("https://data.stad.gent/id/theme/Cultuur%20%26%20erfgoed", "EDUC"),
        ("Cultuur & erfgoed", "EDUC"),
        ("Mobiliteit", "TRAN"),
    ],
)
def test_lookup_theme(text: str, code: str) -> None:
    assert lookup_theme(text) == EU + "data-theme/" + code


@pytest.mark.parametrize("text", ["", "xyz", "https://example.org/theme/ECON"])
def test_lookup_theme_unknown(text: str) -> None:
    assert lookup_theme(text) is None


def test_theme_label() -> None:
    assert theme_label(EU + "data-theme/ECON") == "Economie en financiën"
    assert theme_label(EU + "data-theme/ECON", "en") == "Economy and finance"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CSV", "CSV"),
        ("csv", "CSV"),
        (".csv", "CSV"),
        ("csv (zip)", "CSV"),
        ("text/csv", "CSV"),
        ("text/csv; charset=utf-8", "CSV"),
        ("application/vnd.ms-excel", "XLS"),
        ("ESRI Shapefile", "SHP"),
        ("GeoJSON", "GEOJSON"),
        ("application/vnd.geo+json", "GEOJSON"),
        ("WMS", "WMS_SRVC"),
        ("OGC:WFS", "WFS_SRVC"),
        ("https://publications.europa.eu/resource/authority/file-type/CSV", "CSV"),
        ("http://publications.europa.eu/resource/authority/file-type/JSON", "JSON"),
        ("http://www.iana.org/assignments/media-types/application/json", "JSON"),
        ("image/tiff", "TIFF"),
        ("XLSX", "XLSX"),
        ("JSON-LD", "JSON_LD"),
    ],
)
def test_lookup_format(text: str, code: str) -> None:
    assert lookup_format(text) == FT + code


@pytest.mark.parametrize("text", ["", "madeup", "https://example.org/csv"])
def test_lookup_format_unknown(text: str) -> None:
    assert lookup_format(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text/csv", IANA + "text/csv"),
        ("Text/CSV; charset=utf-8", IANA + "text/csv"),
        ("CSV", IANA + "text/csv"),
        ("http://www.iana.org/assignments/media-types/text/csv", IANA + "text/csv"),
        ("https://www.iana.org/assignments/media-types/application/json/", IANA + "application/json"),
        ("application/ld+json", IANA + "application/ld+json"),
        (FT + "XLSX", IANA + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_lookup_media_type(text: str, expected: str) -> None:
    assert lookup_media_type(text) == expected


def test_lookup_media_type_unknown() -> None:
    assert lookup_media_type("not a type") is None
    assert lookup_media_type("https://example.org/text/csv") is None


def test_format_media_type_links() -> None:
    assert media_type_for_format(FT + "CSV") == IANA + "text/csv"
    assert format_for_media_type(IANA + "text/csv") == FT + "CSV"
    assert (
        format_for_media_type("http://www.iana.org/assignments/media-types/application/geo+json")
        == FT + "GEOJSON"
    )
    assert media_type_for_format(FT + "WMS_SRVC") is None
    assert format_label(FT + "CSV") == "CSV"


def test_format_openness() -> None:
    assert is_machine_readable(FT + "CSV") and is_non_proprietary(FT + "CSV")
    assert is_machine_readable(FT + "XLS") and not is_non_proprietary(FT + "XLS")
    assert not is_machine_readable(FT + "PDF") and is_non_proprietary(FT + "PDF")
    assert not is_machine_readable("https://example.org/format")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://creativecommons.org/licenses/by/4.0/", LIC + "CC_BY_4_0"),
        ("http://creativecommons.org/licenses/by/4.0", LIC + "CC_BY_4_0"),
        ("https://creativecommons.org/licenses/by/4.0/legalcode", LIC + "CC_BY_4_0"),
        ("https://creativecommons.org/licenses/by/4.0/deed.nl", LIC + "CC_BY_4_0"),
        ("CC-BY-4.0", LIC + "CC_BY_4_0"),
        ("CC-BY 4.0", LIC + "CC_BY_4_0"),
        ("cc-by", LIC + "CC_BY_4_0"),
        ("Creative Commons Naamsvermelding 4.0", LIC + "CC_BY_4_0"),
        ("https://publications.europa.eu/resource/authority/licence/CC_BY_4_0", LIC + "CC_BY_4_0"),
        ("cc-zero", LIC + "CC0"),
        ("http://creativecommons.org/publicdomain/zero/1.0/legalcode", LIC + "CC0"),
        ("odc-odbl", LIC + "ODC_BL"),
        ("http://opendatacommons.org/licenses/odbl/", LIC + "ODC_BL"),
        ("http://opendatacommons.org/licenses/by/1.0/", LIC + "ODC_BY"),
        ("CC-BY-SA-4.0", LIC + "CC_BYSA_4_0"),
        ("Modellicentie Gratis Hergebruik", VL + "modellicentie-gratis-hergebruik/v1.0"),
        ("Gratis Hergebruik", VL + "modellicentie-gratis-hergebruik/v1.0"),
        ("gratis-open-data-licentie-1.2", VL + "modellicentie-gratis-hergebruik/v1.0"),
        (
            "http://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0/",
            VL + "modellicentie-gratis-hergebruik/v1.0",
        ),
        (
            "http://overheid.vlaanderen.be/hergebruik/licenties/v1-0/html/modellicentie-gratis-hergebruik",
            VL + "modellicentie-gratis-hergebruik/v1.0",
        ),
        (VL + "onvoorwaardelijk-hergebruik/v1.0", VL + "onvoorwaardelijk-hergebruik/v1.0"),
        ("Licence Ouverte", "https://www.etalab.gouv.fr/licence-ouverte-open-licence"),
    ],
)
def test_lookup_licence(text: str, expected: str) -> None:
    assert lookup_licence(text) == expected


@pytest.mark.parametrize("text", ["", "https://example.org/my-licence", "see website", "other-open"])
def test_lookup_licence_unknown(text: str) -> None:
    assert lookup_licence(text) is None


def test_licence_label_and_openness() -> None:
    assert licence_label(LIC + "CC_BY_4_0") == "Creative Commons Naamsvermelding 4.0 Internationaal"
    assert licence_label(LIC + "CC_BY_4_0", "en") == "Creative Commons Attribution 4.0 International"
    assert is_open_licence(VL + "modellicentie-gratis-hergebruik/v1.0")
    assert not is_open_licence(VL + "modellicentie-hergebruik-tegen-vergoeding/v1.0")
    assert not is_open_licence(LIC + "CC_BYNC_4_0")
    assert not is_open_licence("https://example.org/x")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("daily", "DAILY"),
        ("Dagelijks", "DAILY"),
        ("R/P1W", "WEEKLY"),
        ("http://purl.org/cld/freq/monthly", "MONTHLY"),
        ("https://publications.europa.eu/resource/authority/frequency/ANNUAL", "ANNUAL"),
        ("irregular", "IRREG"),
    ],
)
def test_lookup_frequency(text: str, code: str) -> None:
    assert lookup_frequency(text) == EU + "frequency/" + code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("public", "PUBLIC"),
        ("openbaar", "PUBLIC"),
        ("PUBLIC", "PUBLIC"),
        ("non-public", "NON_PUBLIC"),
        ("NON_PUBLIC", "NON_PUBLIC"),
        ("restricted public", "RESTRICTED"),
        ("https://publications.europa.eu/resource/authority/access-right/PUBLIC", "PUBLIC"),
    ],
)
def test_lookup_access_rights(text: str, code: str) -> None:
    assert lookup_access_rights(text) == EU + "access-right/" + code


@pytest.mark.parametrize(
    "text",
    [
        "nl",
        "NL",
        "nld",
        "dut",
        "Dutch",
        "Nederlands",
        "nl-BE",
        "http://id.loc.gov/vocabulary/iso639-1/nl",
        "http://id.loc.gov/vocabulary/iso639-2/dut",
        "https://publications.europa.eu/resource/authority/language/NLD",
    ],
)
def test_lookup_language_dutch(text: str) -> None:
    assert lookup_language(text) == EU + "language/NLD"


def test_lookup_language_others() -> None:
    assert lookup_language("fr") == EU + "language/FRA"
    assert lookup_language("de-DE") == EU + "language/DEU"
    assert lookup_language("English") == EU + "language/ENG"
    assert lookup_language("xx") is None


def test_flemish_code_lists() -> None:
    assert lookup_levensfase("live") == "https://data.vlaanderen.be/id/concept/levensfase/live"
    assert lookup_levensfase("in ontwikkeling") == "https://data.vlaanderen.be/id/concept/levensfase/design"
    assert (
        lookup_ontwikkelingstoestand("beta")
        == "https://data.vlaanderen.be/id/concept/ontwikkelingstoestand/BETA"
    )
    assert (
        lookup_statuut("VLOPENDATA")
        == "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA"
    )
    assert lookup_status("http://purl.org/adms/status/Completed") == EU + "distribution-status/COMPLETED"


def test_generic_label_scheme_and_known() -> None:
    assert label(EU + "frequency/DAILY") == "dagelijks"
    assert (
        label("https://publications.europa.eu/resource/authority/data-theme/ECON", "en")
        == "Economy and finance"
    )
    assert scheme_of(EU + "data-theme/ECON") == EU + "data-theme"
    assert scheme_of(FT + "CSV") == EU + "file-type"
    assert scheme_of("https://data.vlaanderen.be/id/concept/levensfase/live") == (
        "https://data.vlaanderen.be/id/conceptscheme/levensfase"
    )
    assert scheme_of(LIC + "CC0") == EU + "licence"
    assert label("https://data.vlaanderen.be/id/gemeente/44021") == "Gent"
    assert is_known(EU + "language/NLD")
    assert is_known("https://data.vlaanderen.be/id/gemeente/11002")
    assert not is_known("https://example.org/concept")
    assert scheme_of("https://example.org/concept") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Creative Commons Zero", "CC0"),  # Opendatasoft's licence picker
        ("Creative Commons Zero v1.0 Universal", "CC0"),
    ],
)
def test_licence_names_portals_write_in_full(text: str, code: str) -> None:
    assert lookup_licence(text) == f"http://publications.europa.eu/resource/authority/licence/{code}"


def test_etalab_licence_by_its_versioned_name() -> None:
    assert lookup_licence("Licence Ouverte v2.0") == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Cultuur, sport en vrije tijd", "EDUC"),  # Gent's Opendatasoft themes
        ("Werk en economie", "ECON"),
        ("Milieu en natuur", "ENVI"),
        ("Mobiliteit en verkeer", "TRAN"),
    ],
)
def test_flemish_portal_theme_names(text: str, code: str) -> None:
    assert lookup_theme(text) == f"http://publications.europa.eu/resource/authority/data-theme/{code}"
