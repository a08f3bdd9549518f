"""Read the GDI-Vlaanderen regions thesauri and derive the 2025 merger map (used by the generator only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, SKOS

from vocab._skos import labels_of, load_graph

__all__ = ["derive_mergers", "read_regions"]

GML = Namespace("http://www.opengis.net/gml#")

_PREFIXES = {
    "nl": ("Gemeente ", "Provincie ", "Arrondissement "),
    "fr": ("Commune de ", "Commune d'", "Commune d’", "Province de ", "Province d'", "Province du ",
           "Arrondissement de ", "Arrondissement d'", "Arrondissement du "),
    "de": ("Gemeinde ", "Provinz ", "Bezirk "),
}  # fmt: skip


def _strip_kind(lang: str, text: str) -> str:
    for prefix in _PREFIXES.get(lang, ()):
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text


def _bbox(graph: Graph, subject: URIRef) -> list[float] | None:
    for bounded in graph.objects(subject, GML.BoundedBy):
        lower = graph.value(bounded, GML.lowerCorner)
        upper = graph.value(bounded, GML.upperCorner)
        if lower is not None and upper is not None:
            west, south = (float(v) for v in str(lower).split())
            east, north = (float(v) for v in str(upper).split())
            return [west, south, east, north]
    return None


def _nis(graph: Graph, subject: URIRef) -> str:
    for same in graph.objects(subject, OWL.sameAs):
        if "/refnis" in str(same):
            return str(same).rstrip("/").rsplit("/", 1)[-1]
    raise ValueError(f"no NIS code for {subject}")


def _unit(graph: Graph, subject: URIRef) -> dict[str, Any]:
    names = {lang: _strip_kind(lang, text) for lang, text in labels_of(graph, subject).items() if lang}
    unit: dict[str, Any] = {
        "nis": _nis(graph, subject),
        "name": names["nl"],
        "names": names,
        "gdi_uri": str(subject),
        "same_as": sorted(str(s) for s in graph.objects(subject, OWL.sameAs)),
        "bbox": _bbox(graph, subject),
    }
    return unit


def read_regions(path: Path) -> dict[str, Any]:
    """Municipalities, arrondissements and provinces of one GDI-Vlaanderen regions thesaurus."""
    graph = load_graph(path)
    kinds: dict[str, dict[str, dict[str, Any]]] = {"gemeente": {}, "arrondissement": {}, "provincie": {}}
    for subject in set(graph.subjects(SKOS.prefLabel, None)):
        if not isinstance(subject, URIRef):
            continue
        kind = str(subject).rstrip("/").rsplit("/", 2)[-2]
        if kind in kinds:
            kinds[kind][str(subject)] = _unit(graph, subject)
    for kind, parent_kind, key in (("gemeente", "arrondissement", "arrondissement"),
                                   ("arrondissement", "provincie", "province")):  # fmt: skip
        for uri, unit in kinds[kind].items():
            parents = [
                str(p) for p in graph.objects(URIRef(uri), SKOS.broader) if str(p) in kinds[parent_kind]
            ]
            if len(parents) != 1:
                raise ValueError(f"{uri} has {len(parents)} {parent_kind} parents")
            unit[f"{key}_nis"] = kinds[parent_kind][parents[0]]["nis"]
    arrondissements = {u["nis"]: u for u in kinds["arrondissement"].values()}
    for unit in kinds["gemeente"].values():
        unit["province_nis"] = arrondissements[unit["arrondissement_nis"]]["province_nis"]

    def ordered(units: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(units.values(), key=lambda u: str(u["nis"]))

    return {
        "scheme": _scheme(path, graph),
        "provinces": ordered(kinds["provincie"]),
        "arrondissements": ordered(kinds["arrondissement"]),
        "municipalities": ordered(kinds["gemeente"]),
    }


def _scheme(path: Path, graph: Graph) -> str:
    from rdflib.namespace import RDF

    schemes = sorted(str(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme))
    return schemes[0] if schemes else path.stem


def _overlap(a: list[float], b: list[float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0.0) * max(height, 0.0)


def derive_mergers(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Map each old NIS code that no longer exists to the new municipality that absorbed it.

    In order: a new municipality with the same name (a merger under an existing name gets a new
    NIS code), one whose hyphenated name holds the old name (``Beveren-Kruibeke-Zwijndrecht``),
    else the one whose bounding box covers most of the old one (``Borsbeek`` -> ``Antwerpen``).
    The tests hold the result against the published 1 January 2025 mergers.
    """
    current = {m["nis"] for m in new["municipalities"]}
    mergers: dict[str, str] = {}
    for municipality in old["municipalities"]:
        if municipality["nis"] in current:
            continue
        name = municipality["name"]
        target = next((m for m in new["municipalities"] if m["name"] == name), None)
        if target is None:
            target = next((m for m in new["municipalities"] if f"-{name}-" in f"-{m['name']}-"), None)
        if target is None:
            bbox = municipality["bbox"]
            target = max(new["municipalities"], key=lambda m: _overlap(bbox, m["bbox"]) if m["bbox"] else 0.0)
        mergers[municipality["nis"]] = target["nis"]
    return dict(sorted(mergers.items()))
