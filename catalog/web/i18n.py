"""The pages' words in Dutch (the default) and English, and which language a request gets.

The language is the ``lang`` query parameter when given (the switch in every page's header sets it, and a
cookie keeps it), else the ``lang`` cookie, else Dutch.
"""

from __future__ import annotations

from fastapi import Request

from catalog.web.steward_words import STEWARD_MESSAGES

__all__ = ["LANGUAGES", "MESSAGES", "Translator", "language_of"]

LANGUAGES = ("nl", "en")
COOKIE = "lang"

MESSAGES: dict[str, dict[str, str]] = {
    "skip": {"nl": "Naar de inhoud", "en": "Skip to content"},
    "site_title": {
        "nl": "Open data van de Vlaamse gemeenten",
        "en": "Open data of the Flemish municipalities",
    },
    "tagline": {
        "nl": "Eén catalogus van de open data van alle 285 Vlaamse steden en gemeenten.",
        "en": "One catalogue of the open data of all 285 Flemish cities and municipalities.",
    },
    "nav_search": {"nl": "Zoeken", "en": "Search"},
    "nav_municipalities": {"nl": "Gemeenten", "en": "Municipalities"},
    "nav_provinces": {"nl": "Provincies", "en": "Provinces"},
    "nav_stats": {"nl": "Statistieken", "en": "Statistics"},
    "nav_api": {"nl": "API", "en": "API"},
    "switch_to": {"nl": "English", "en": "Nederlands"},
    "search_label": {"nl": "Zoek datasets", "en": "Search datasets"},
    "search_placeholder": {
        "nl": "bv. fietstellingen, parkeren, luchtkwaliteit",
        "en": "e.g. bicycles, parking",
    },
    "search_button": {"nl": "Zoeken", "en": "Search"},
    "totals": {
        "nl": "{datasets} datasets, {services} dataservices en {series} reeksen"
        " uit {municipalities} gemeenten",
        "en": "{datasets} datasets, {services} data services and {series} series"
        " from {municipalities} municipalities",
    },
    "themes": {"nl": "Thema's", "en": "Themes"},
    "provinces_and_municipalities": {"nl": "Provincies en gemeenten", "en": "Provinces and municipalities"},
    "recent": {"nl": "Recent bijgewerkt", "en": "Recently updated"},
    "results": {"nl": "{total} resultaten", "en": "{total} results"},
    "no_results": {"nl": "Geen datasets gevonden.", "en": "No datasets found."},
    "filters": {"nl": "Filters", "en": "Filters"},
    "apply_filters": {"nl": "Filters toepassen", "en": "Apply filters"},
    "active_filters": {"nl": "Actieve filters", "en": "Active filters"},
    "remove_filter": {"nl": "Filter {label} verwijderen", "en": "Remove filter {label}"},
    "clear_all": {"nl": "Alles wissen", "en": "Clear all"},
    "sort": {"nl": "Sorteren", "en": "Sort"},
    "sort_relevance": {"nl": "Relevantie", "en": "Relevance"},
    "sort_modified": {"nl": "Laatst gewijzigd", "en": "Last modified"},
    "sort_title": {"nl": "Titel", "en": "Title"},
    "previous": {"nl": "Vorige", "en": "Previous"},
    "next": {"nl": "Volgende", "en": "Next"},
    "page_of": {"nl": "Pagina {page} van {pages}", "en": "Page {page} of {pages}"},
    "pagination": {"nl": "Paginering", "en": "Pagination"},
    "facet_municipality": {"nl": "Gemeente", "en": "Municipality"},
    "facet_province": {"nl": "Provincie", "en": "Province"},
    "facet_publisher": {"nl": "Uitgever", "en": "Publisher"},
    "facet_theme": {"nl": "Thema", "en": "Theme"},
    "facet_format": {"nl": "Formaat", "en": "Format"},
    "facet_licence": {"nl": "Licentie", "en": "Licence"},
    "facet_keyword": {"nl": "Trefwoord", "en": "Keyword"},
    "facet_source": {"nl": "Bron", "en": "Source"},
    "facet_language": {"nl": "Taal", "en": "Language"},
    "facet_access_rights": {"nl": "Toegang", "en": "Access rights"},
    "publisher": {"nl": "Uitgever", "en": "Publisher"},
    "municipality": {"nl": "Gemeente", "en": "Municipality"},
    "province": {"nl": "Provincie", "en": "Province"},
    "keywords": {"nl": "Trefwoorden", "en": "Keywords"},
    "issued": {"nl": "Uitgegeven", "en": "Issued"},
    "modified": {"nl": "Gewijzigd", "en": "Modified"},
    "licence": {"nl": "Licentie", "en": "Licence"},
    "contact": {"nl": "Contact", "en": "Contact"},
    "landing_page": {"nl": "Webpagina", "en": "Landing page"},
    "distributions": {"nl": "Distributies", "en": "Distributions"},
    "format": {"nl": "Formaat", "en": "Format"},
    "size": {"nl": "Grootte", "en": "Size"},
    "download": {"nl": "Downloaden", "en": "Download"},
    "access": {"nl": "Openen", "en": "Access"},
    "source_portal": {"nl": "Bronportaal", "en": "Source portal"},
    "last_harvested": {"nl": "Laatst geoogst", "en": "Last harvested"},
    "quality": {"nl": "Kwaliteit", "en": "Quality"},
    "quality_score": {
        "nl": "Kwaliteitsscore {score} van 405 ({band})",
        "en": "Quality score {score} of 405 ({band})",
    },
    "quality_problems": {"nl": "Wat de beheerder kan verbeteren", "en": "What the steward can improve"},
    "linked_data": {"nl": "Linked data", "en": "Linked data"},
    "details": {"nl": "Gegevens", "en": "Details"},
    "datasets": {"nl": "Datasets", "en": "Datasets"},
    "sources": {"nl": "Bronnen", "en": "Sources"},
    "name": {"nl": "Naam", "en": "Name"},
    "never": {"nl": "nooit", "en": "never"},
    "all_municipalities": {"nl": "Alle 285 gemeenten", "en": "All 285 municipalities"},
    "publishers": {"nl": "Uitgevers", "en": "Publishers"},
    "coverage": {"nl": "Gemeenten met open data", "en": "Municipalities with open data"},
    "coverage_line": {
        "nl": "{with_data} van {total} gemeenten publiceren datasets",
        "en": "{with_data} of {total} municipalities publish datasets",
    },
    "per_theme": {"nl": "Datasets per thema", "en": "Datasets per theme"},
    "per_format": {"nl": "Datasets per formaat", "en": "Datasets per format"},
    "per_licence": {"nl": "Datasets per licentie", "en": "Datasets per licence"},
    "per_province": {"nl": "Datasets per provincie", "en": "Datasets per province"},
    "quality_distribution": {"nl": "Verdeling van de kwaliteit", "en": "Quality distribution"},
    "not_found_title": {"nl": "Niet gevonden", "en": "Not found"},
    "not_found_text": {
        "nl": "Deze pagina bestaat niet (meer). Zoek de dataset opnieuw via de zoekpagina.",
        "en": "This page does not exist (any more). Find the dataset again through the search page.",
    },
    "gone_title": {"nl": "Ingetrokken", "en": "Withdrawn"},
    "gone_text": {
        "nl": "Deze dataset werd ingetrokken op {when}: {why}",
        "en": "This dataset was withdrawn on {when}: {why}",
    },
    "error_title": {"nl": "Er ging iets mis", "en": "Something went wrong"},
    "error_text": {
        "nl": "De pagina kon niet getoond worden. Probeer het later opnieuw.",
        "en": "The page could not be shown. Please try again later.",
    },
    "band_excellent": {"nl": "uitstekend", "en": "excellent"},
    "band_good": {"nl": "goed", "en": "good"},
    "band_sufficient": {"nl": "voldoende", "en": "sufficient"},
    "band_bad": {"nl": "onvoldoende", "en": "bad"},
    "licence_open": {
        "nl": "Je mag deze data vrij gebruiken, ook commercieel, volgens de voorwaarden van de licentie.",
        "en": "You may use this data freely, commercially too, under the licence's terms.",
    },
    "licence_fee": {
        "nl": "Hergebruik kan een vergoeding vragen: lees de voorwaarden van de licentie.",
        "en": "Reuse may cost a fee: read the licence's terms.",
    },
    "licence_unknown": {
        "nl": "De licentie is niet gekend: vraag de uitgever wat je met de data mag doen.",
        "en": "The licence is not known: ask the publisher what you may do with the data.",
    },
    "footer": {
        "nl": "Metadata onder CC0. Geoogst uit de portalen van de steden en gemeenten.",
        "en": "Metadata under CC0. Harvested from the portals of the cities and municipalities.",
    },
}

MESSAGES.update(STEWARD_MESSAGES)


class Translator:
    """``t("key", name=value)``: the message in the request's language, with its fields filled in."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "nl"

    def __call__(self, key: str, **fields: object) -> str:
        entry = MESSAGES.get(key)
        if entry is None:
            return key
        text = entry.get(self.lang) or entry["nl"]
        return text.format(**fields) if fields else text


def language_of(request: Request) -> str:
    """``lang`` from the query, else the cookie, else Dutch."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE) or "nl"
    return asked if asked in LANGUAGES else "nl"
