"""A small DCAT feed written for the quality tests: one rich dataset, one bare one, as Turtle."""

from __future__ import annotations

from pathlib import Path

RICH_URI = "https://data.example.be/id/dataset/rich"
BARE_URI = "https://data.example.be/id/dataset/bare"
RICH_ACCESS = "/rich/page"
RICH_DOWNLOAD = "/rich/data.csv"

_PREFIXES = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def feed(base: str = "https://files.example.be", *, rich_title: str = "Fietstellingen") -> str:
    """The feed as Turtle; ``base`` is where the rich dataset's distribution lives."""
    return (
        _PREFIXES
        + f"""
<https://data.example.be/catalog> a dcat:Catalog ;
    dct:title "Testcatalogus"@nl ;
    dcat:dataset <{RICH_URI}>, <{BARE_URI}> .

<{RICH_URI}> a dcat:Dataset ;
    dct:identifier "rich" ;
    dct:title "{rich_title}"@nl ;
    dct:description "Tellingen van fietsers per uur."@nl ;
    dcat:keyword "fiets"@nl ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/TRAN> ;
    dct:spatial <https://data.vlaanderen.be/id/gemeente/44021> ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2020-01-01"^^xsd:date ] ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    dcat:contactPoint [ a vcard:Organization ; vcard:fn "Open data" ;
        vcard:hasEmail <mailto:open@example.be> ] ;
    dct:publisher <https://data.vlaanderen.be/id/organisatie/OVO002949> ;
    dct:issued "2020-01-01"^^xsd:date ;
    dct:modified "2024-05-01"^^xsd:date ;
    dcat:distribution <{RICH_URI}/csv> .

<https://data.vlaanderen.be/id/organisatie/OVO002949> a foaf:Agent ; foaf:name "Stad Gent"@nl .

<{RICH_URI}/csv> a dcat:Distribution ;
    dct:identifier "rich-csv" ;
    dcat:accessURL <{base}{RICH_ACCESS}> ;
    dcat:downloadURL <{base}{RICH_DOWNLOAD}> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
    dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ;
    dct:rights [ a dct:RightsStatement ; dct:description "Vrij" ] ;
    dcat:byteSize "2048"^^xsd:nonNegativeInteger .

<{BARE_URI}> a dcat:Dataset ;
    dct:title "Kaal"@nl .
"""
    )


def write_feed(folder: Path, base: str = "https://files.example.be", **options: str) -> Path:
    path = folder / "quality-feed.ttl"
    path.write_text(feed(base, **options), encoding="utf-8")
    return path
