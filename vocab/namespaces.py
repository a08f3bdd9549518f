"""RDF namespaces used by the catalogue, defined once.

Plain ``str`` prefixes (cheap string concatenation on the hot path) and rdflib ``Namespace`` objects
for code that builds rdflib graphs.
"""

from __future__ import annotations

from rdflib import Namespace

__all__ = [
    "ADMS",
    "AUTHORITY",
    "CATALOG_PREFIXES",
    "DCAT",
    "DCATAP",
    "DCT",
    "FOAF",
    "GEMEENTE",
    "HYDRA",
    "LOCN",
    "MDCAT",
    "ODRL",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "SPDX",
    "VCARD",
    "XSD",
]

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
MDCAT = Namespace("https://data.vlaanderen.be/ns/metadata-dcat#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
SCHEMA = Namespace("http://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

AUTHORITY = "http://publications.europa.eu/resource/authority/"
"""Base of the EU authority tables: ``AUTHORITY + "data-theme/ECON"``."""
GEMEENTE = "https://data.vlaanderen.be/id/gemeente/"
"""Base of Flemish municipality URIs: ``GEMEENTE + NIS``."""

CATALOG_PREFIXES: dict[str, str] = {
    "adms": str(ADMS),
    "dcat": str(DCAT),
    "dcatap": str(DCATAP),
    "dct": str(DCT),
    "foaf": str(FOAF),
    "hydra": str(HYDRA),
    "locn": str(LOCN),
    "mdcat": str(MDCAT),
    "odrl": str(ODRL),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}
"""Prefixes written in Turtle and JSON-LD output."""
