"""The project's tables from ISO 19115/19139 code lists to DCAT-AP values (a GeoDCAT-AP subset).

Each table is the project's own reading of the two code lists it joins; codes that have no sensible
counterpart are left out on purpose (an ISO topic category such as ``elevation`` names no EU data theme),
so the mapping keeps nothing rather than something wrong.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ACCESS_RIGHTS",
    "EU_THEME",
    "FREQUENCIES",
    "ONLINE_FUNCTIONS",
    "PROTOCOLS",
    "TOPIC_THEMES",
    "LinkKind",
    "protocol_kind",
]

EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
_ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
_INSPIRE_LIMITATIONS = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"

TOPIC_THEMES: dict[str, str] = {
    topic: EU_THEME + theme
    for topic, theme in {
        "farming": "AGRI",
        "biota": "ENVI",
        "boundaries": "REGI",
        "climatologyMeteorologyAtmosphere": "ENVI",
        "economy": "ECON",
        "environment": "ENVI",
        "geoscientificInformation": "TECH",
        "health": "HEAL",
        "inlandWaters": "ENVI",
        "intelligenceMilitary": "JUST",
        "location": "REGI",
        "oceans": "ENVI",
        "planningCadastre": "REGI",
        "society": "SOCI",
        "transportation": "TRAN",
        "utilitiesCommunication": "ENER",
    }.items()
}
"""MD_TopicCategoryCode -> EU data theme, where one clearly matches (elevation, imagery, structure: none)."""

FREQUENCIES: dict[str, str] = {
    code: _FREQUENCY + eu
    for code, eu in {
        "continual": "UPDATE_CONT",
        "daily": "DAILY",
        "weekly": "WEEKLY",
        "fortnightly": "BIWEEKLY",
        "monthly": "MONTHLY",
        "quarterly": "QUARTERLY",
        "biannually": "ANNUAL_2",
        "annually": "ANNUAL",
        "asNeeded": "IRREG",
        "irregular": "IRREG",
        "notPlanned": "NEVER",
        "unknown": "UNKNOWN",
    }.items()
}
"""MD_MaintenanceFrequencyCode -> EU frequency."""

ACCESS_RIGHTS: dict[str, str] = {
    _INSPIRE_LIMITATIONS + "noLimitations": _ACCESS + "PUBLIC",
    **{
        _INSPIRE_LIMITATIONS + f"INSPIRE_Directive_Article13_1{letter}": _ACCESS + "NON_PUBLIC"
        for letter in "abcdefgh"
    },
}
"""INSPIRE 'limitations on public access' anchors -> EU access right."""

LinkKind = Literal["service", "download", "access", "page"]
"""What an online resource is: an API (access URL, a service format), a file to download, a page that
gives access to the data, or documentation (``foaf:page``, not a distribution)."""

PROTOCOLS: tuple[tuple[str, LinkKind, str | None], ...] = (
    # (lower-case fragment of gmd:protocol, kind, format label for the file-type lookup), first match wins
    ("ogc:wmts", "service", "WMTS"),
    ("ogc:wms", "service", "WMS"),
    ("ogc:wfs", "service", "WFS"),
    ("ogc:wcs", "service", "WCS"),
    ("ogc:ogc-api-features", "service", None),
    ("ogc api features", "service", None),
    ("ogc:csw", "service", None),
    ("ogc:sos", "service", None),
    ("ogc:kml", "download", "KML"),
    ("esri:rest", "service", "REST"),
    ("esri rest", "service", "REST"),
    ("esri:arcgis", "service", "REST"),
    ("arcgis geoservices", "service", "REST"),
    ("inspire atom", "access", "Atom"),
    ("atom", "access", "Atom"),
    ("www:download", "download", None),
    ("download", "download", None),
    ("file:", "download", None),
    ("www:link", "page", None),
    ("http", "page", None),
)
"""gmd:protocol (GeoNetwork's and INSPIRE's spellings) -> kind and format."""

ONLINE_FUNCTIONS: dict[str, LinkKind] = {
    "download": "download",
    "offlineAccess": "access",
    "order": "access",
    "information": "page",
    "search": "page",
    "browseGraphic": "page",
    "browsing": "page",
}
"""CI_OnLineFunctionCode -> kind; it wins over the protocol's kind for plain web links."""


def protocol_kind(protocol: str | None) -> tuple[LinkKind | None, str | None]:
    """``(kind, format label)`` of a protocol string, ``(None, None)`` when none is given or known."""
    if not protocol:
        return None, None
    lowered = protocol.lower()
    for fragment, kind, label in PROTOCOLS:
        if fragment in lowered:
            return kind, label
    return None, None
