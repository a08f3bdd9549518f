"""Generate the project's vocabulary data files from the reference SKOS files.

Run ``python -m vocab.generate /path/to/shared/reference/vocab [--out vocab/data]``. The output is
sorted, deterministic JSON (facts only: IRIs, codes, labels, NIS codes, bounding boxes), committed to
git so that the catalogue never needs the reference files at run time.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from vocab._format_table import FORMATS, MACHINE_READABLE, NON_PROPRIETARY
from vocab._iso639 import ISO639
from vocab._regions import derive_mergers, read_regions
from vocab._skos import code_of, labels_of, load_graph, read_concepts

__all__ = ["DATA_DIR", "SIMPLE_VOCABULARIES", "build_all", "main", "write_all"]

DATA_DIR = Path(__file__).parent / "data"

SIMPLE_VOCABULARIES: dict[str, tuple[str, str | None]] = {
    "access-rights": ("access-right.rdf", None),
    "dataset-status": ("status.rdf", None),
    "distribution-status": ("distribution-status.rdf", None),
    "frequencies": ("frequency.rdf", None),
    "levensfase": ("vl-levensfase.ttl", None),
    "licence-types": ("licence-type.rdf", None),
    "ontwikkelingstoestand": ("vl-ontwikkelingstoestand.ttl", None),
    "publisher-types": ("publisher-type.rdf", None),
    "statuut": ("GDI-Vlaanderen-trefwoorden.rdf", None),
    "themes": ("datatheme.rdf", None),
}
"""Output name -> (reference file, scheme IRI when the file holds several)."""

EU_LANGUAGES = frozenset(
    {
        "BUL", "CES", "DAN", "DEU", "ELL", "ENG", "EST", "FIN", "FRA", "GLE", "HRV", "HUN",
        "ITA", "LAV", "LIT", "MLT", "NLD", "POL", "POR", "RON", "SLK", "SLV", "SPA", "SWE",
    }
)  # fmt: skip
SPECIAL_LANGUAGES = frozenset({"MUL", "UND", "ZXX", "MIS"})


def _vocabulary(scheme: str, concepts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"scheme": scheme, "concepts": concepts}


def _file_types(src: Path) -> dict[str, Any]:
    scheme, concepts = read_concepts(load_graph(src / "file-type.rdf"))
    for concept in concepts:
        media_type, extensions, names = FORMATS.get(concept["code"], ("", (), ()))
        if media_type:
            concept["media_type"] = media_type
        if extensions:
            concept["extensions"] = list(extensions)
        if names:
            concept["names"] = list(names)
        concept["machine_readable"] = concept["code"] in MACHINE_READABLE
        concept["non_proprietary"] = concept["code"] in NON_PROPRIETARY
    return _vocabulary(scheme, concepts)


_EXTENSIONS = re.compile(r"extension\(s\)\s*:\s*(.+)$")


def _media_types(src: Path) -> dict[str, Any]:
    graph = load_graph(src / "media-types.rdf")
    scheme, concepts = read_concepts(graph)
    for concept in concepts:
        concept["code"] = concept["iri"].split("/media-types/", 1)[1]
        note = labels_of(graph, URIRef(concept["iri"]), SKOS.scopeNote).get("en", "")
        match = _EXTENSIONS.search(note)
        if match and not match.group(1).startswith("a "):
            concept["extensions"] = sorted(e.strip().lower() for e in match.group(1).split(","))
        concept["labels"] = {"": concept["code"]}
    return _vocabulary(scheme, concepts)


def _languages(src: Path) -> dict[str, Any]:
    scheme, concepts = read_concepts(load_graph(src / "language.rdf"))
    by_alpha3: dict[str, tuple[str, str, str]] = {}
    for alpha2, alpha3t, alpha3b in ISO639:
        by_alpha3.setdefault(alpha3t.upper(), (alpha2, alpha3t, alpha3b))
        by_alpha3.setdefault(alpha3b.upper(), (alpha2, alpha3t, alpha3b))
    kept: list[dict[str, Any]] = []
    for concept in concepts:
        codes = by_alpha3.get(concept["code"])
        if codes is None and concept["code"] not in EU_LANGUAGES | SPECIAL_LANGUAGES:
            continue
        if codes is not None:
            concept["iso639_1"], concept["iso639_2t"], concept["iso639_2b"] = codes
        concept["eu_official"] = concept["code"] in EU_LANGUAGES
        kept.append(concept)
    return _vocabulary(scheme, kept)


def _theme_mappings(src: Path) -> dict[str, Any]:
    """Other theme IRIs and words -> EU data theme: Belgian themes, Gent themes, keyword lists."""
    eu_prefix = "http://publications.europa.eu/resource/authority/data-theme/"
    iris: dict[str, set[str]] = {}
    words: dict[str, set[str]] = {}
    belgif = load_graph(src / "belgif-datatheme.rdf")
    belgif_scheme, belgif_concepts = read_concepts(belgif)
    for concept in belgif_concepts:
        subject = URIRef(concept["iri"])
        targets = {str(o) for p in (SKOS.exactMatch, SKOS.broadMatch) for o in belgif.objects(subject, p)}
        for target in targets:
            iris.setdefault(concept["iri"], set()).add(target)
    fedict = load_graph(src / "fedict-vlaanderen-data-theme.ttl")
    for fedict_subject in set(fedict.subjects()):
        theme = eu_prefix + code_of(str(fedict_subject).split("#", 1)[0])
        for other in fedict.objects(fedict_subject, SKOS.closeMatch):
            iris.setdefault(str(other), set()).add(theme)
        for alt in fedict.objects(fedict_subject, SKOS.altLabel):
            text = str(alt).strip()
            if isinstance(alt, Literal) and text.startswith(("http://", "https://")):
                iris.setdefault(text, set()).add(theme)
            elif text:
                words.setdefault(text.removesuffix("@nl"), set()).add(theme)
    return {
        "belgif_scheme": belgif_scheme,
        "belgif_themes": belgif_concepts,
        "iris": {iri: sorted(t)[0] for iri, t in sorted(iris.items()) if len(t) == 1},
        "words": {word: sorted(t)[0] for word, t in sorted(words.items()) if len(t) == 1},
    }


def build_all(src: Path) -> dict[str, Any]:
    """Every data file the project ships, as ``file name -> JSON-ready value``."""
    out: dict[str, Any] = {}
    for name, (filename, scheme) in SIMPLE_VOCABULARIES.items():
        scheme_iri, concepts = read_concepts(load_graph(src / filename), scheme)
        out[f"{name}.json"] = _vocabulary(scheme_iri, concepts)
    out["file-types.json"] = _file_types(src)
    out["media-types.json"] = _media_types(src)
    out["languages.json"] = _languages(src)
    out["theme-mappings.json"] = _theme_mappings(src)
    regions = {year: read_regions(src / f"GDI-Vlaanderenregions-{year}.rdf") for year in (2019, 2025)}
    for year, data in regions.items():
        out[f"regions-{year}.json"] = data
    out["mergers-2025.json"] = derive_mergers(regions[2019], regions[2025])
    return out


def dumps(value: Any) -> str:
    """The committed JSON form: sorted keys, one-space indent, UTF-8 text, final newline."""
    return json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def write_all(src: Path, out_dir: Path = DATA_DIR) -> list[Path]:
    """Generate every data file from ``src`` into ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, value in sorted(build_all(src).items()):
        path = out_dir / name
        path.write_text(dumps(value), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vocab.generate", description=__doc__)
    parser.add_argument("reference", type=Path, help="folder holding the reference SKOS files")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default: vocab/data)")
    args = parser.parse_args(argv)
    for path in write_all(args.reference, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
