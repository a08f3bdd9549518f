"""Read SKOS concept schemes into plain, JSON-ready dicts (used by the generator only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DC, DCTERMS, RDF, SKOS

__all__ = ["LANGS", "code_of", "labels_of", "load_graph", "read_concepts"]

LANGS = ("nl", "en", "fr", "de", "")
"""Label languages the project keeps; "" is an untagged label."""

_INSCHEME_TYPO = URIRef(str(SKOS) + "inscheme")


def load_graph(path: Path) -> Graph:
    """Parse an RDF file, guessing the syntax from its extension."""
    fmt = "turtle" if path.suffix == ".ttl" else "xml"
    graph = Graph()
    graph.parse(path, format=fmt)
    return graph


def code_of(iri: str) -> str:
    """The last path segment (or fragment) of an IRI: ``.../data-theme/ECON`` -> ``ECON``."""
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def labels_of(graph: Graph, subject: URIRef, predicate: URIRef = SKOS.prefLabel) -> dict[str, str]:
    """The labels of ``subject`` in the kept languages, one per language (the first in sort order)."""
    found: dict[str, list[str]] = {}
    for obj in graph.objects(subject, predicate):
        if isinstance(obj, Literal):
            lang = (obj.language or "").lower()
            if lang in LANGS and str(obj).strip():
                found.setdefault(lang, []).append(" ".join(str(obj).split()))
    return {lang: sorted(texts)[0] for lang, texts in sorted(found.items())}


def read_concepts(graph: Graph, scheme: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Return the scheme IRI and its concepts (IRI, code, labels, notation) sorted by IRI.

    ``scheme`` picks one scheme when the file holds several; by default the file's only scheme.
    Placeholder concepts (``OP_DATPRO``, "provisional data") are left out.
    """
    if scheme is None:
        schemes = sorted(str(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme))
        if len(schemes) != 1:
            raise ValueError(f"expected one skos:ConceptScheme, found {schemes}")
        scheme = schemes[0]
    subjects: set[URIRef] = set()
    for subject in graph.subjects(RDF.type, SKOS.Concept):
        if isinstance(subject, URIRef):
            subjects.add(subject)
    for predicate in (SKOS.inScheme, _INSCHEME_TYPO, SKOS.topConceptOf):
        for subject in graph.subjects(predicate, None):
            if isinstance(subject, URIRef):
                subjects.add(subject)
    concepts: list[dict[str, Any]] = []
    for subject in sorted(subjects):
        iri = str(subject)
        code = code_of(iri)
        if code == "OP_DATPRO":
            continue
        concept: dict[str, Any] = {"iri": iri, "code": code, "labels": labels_of(graph, subject)}
        notation = graph.value(subject, SKOS.notation) or graph.value(subject, DC.identifier)
        notation = notation or graph.value(subject, DCTERMS.identifier)
        if notation is not None and str(notation) != code:
            concept["notation"] = str(notation)
        concepts.append(concept)
    return scheme, concepts
