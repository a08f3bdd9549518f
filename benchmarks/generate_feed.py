"""Write a large, realistic DCAT-AP-VL feed for benchmarks: ``N`` datasets, about 50 triples each.

    python benchmarks/generate_feed.py 10000 feed.ttl [--format turtle|ntriples] [--seed 0]

Streaming and constant-memory (plain string writing, one dataset at a time), deterministic for a
seed. Each dataset has Dutch and English title and description, five keywords, an EU theme, a
publisher (the municipality), a contact point, a municipality as ``dct:spatial`` (cycling through
the real NIS codes), dates, access rights, statuut, frequency and three distributions with format,
media type and licence. ``generate()`` is importable by tests and benchmark runners.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

__all__ = ["FORMATS", "TRIPLES_PER_DATASET", "generate", "main", "nis_codes"]

FORMATS = ("turtle", "ntriples")
TRIPLES_PER_DATASET = 52
"""Triples written per dataset (the feed adds a catalogue header and one agent per municipality)."""

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
MDCAT = "https://data.vlaanderen.be/ns/metadata-dcat#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
AUTH = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
GEMEENTE = "https://data.vlaanderen.be/id/gemeente/"
CATALOG = "https://gemeentedata.example/catalogus/benchmark"

_PREFIXES = {"dcat": DCAT, "dct": DCT, "foaf": FOAF, "vcard": VCARD, "mdcat": MDCAT}

# A few real municipalities, for when vocab.municipalities is not there: (NIS 2025, name).
_BUILTIN_TOWNS = (
    ("11002", "Antwerpen"), ("12025", "Mechelen"), ("13040", "Turnhout"), ("24062", "Leuven"),
    ("23106", "Pajottegem"), ("23016", "Dilbeek"), ("31005", "Brugge"), ("34022", "Kortrijk"),
    ("35013", "Oostende"), ("36015", "Roeselare"), ("41002", "Aalst"), ("41027", "Herzele"),
    ("44021", "Gent"), ("46021", "Sint-Niklaas"), ("71016", "Genk"), ("71072", "Hasselt"),
)  # fmt: skip

# (Dutch topic, English topic, EU theme, keywords)
_TOPICS = (
    ("Bezetting parkeergarages", "Parking garage occupancy", "TRAN", ("parkeren", "mobiliteit", "real time")),
    ("Fietstellingen", "Bicycle counts", "TRAN", ("fiets", "fietstelling", "verkeer")),
    ("Bomeninventaris", "Street trees", "ENVI", ("bomen", "groen", "openbaar domein")),
    ("Afvalophaalkalender", "Waste collection calendar", "ENVI", ("afval", "ophaling", "kalender")),
    ("Publieke toiletten", "Public toilets", "SOCI", ("toiletten", "sanitair", "toegankelijkheid")),
    ("Besluiten gemeenteraad", "Council decisions", "GOVE", ("gemeenteraad", "besluiten", "bestuur")),
    ("Bevolking per wijk", "Population by district", "SOCI", ("bevolking", "wijken", "demografie")),
    ("Omgevingsvergunningen", "Building permits", "GOVE", ("vergunning", "bouwen", "ruimtelijke ordening")),
    ("Speelterreinen", "Playgrounds", "SOCI", ("spelen", "jeugd", "kinderen")),
    ("Evenementen", "Events", "EDUC", ("evenementen", "cultuur", "vrije tijd")),
    ("Meerjarenplan en budget", "Budget", "ECON", ("budget", "financiën", "meerjarenplan")),
    ("Luchtkwaliteit", "Air quality", "ENVI", ("lucht", "fijn stof", "gezondheid")),
    ("Wifi-hotspots", "Wi-Fi hotspots", "TECH", ("wifi", "internet", "digitaal")),
    ("Uitleningen bibliotheek", "Library loans", "EDUC", ("bibliotheek", "lezen", "cultuur")),
    ("Energieverbruik stadsgebouwen", "Energy use of buildings", "ENER", ("energie", "klimaat", "gebouwen")),
    ("AED-toestellen", "Defibrillators", "HEAL", ("AED", "gezondheid", "eerste hulp")),
)  # fmt: skip
_EXTRA_KEYWORDS = ("open data", "stad", "gemeente", "Vlaanderen", "kaart", "statistiek", "wijk", "café's")
# (EU file type, IANA media type, extension)
_FILES = (
    ("CSV", "text/csv", "csv"),
    ("JSON", "application/json", "json"),
    ("GEOJSON", "application/geo+json", "geojson"),
    ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("SHP", "application/zip", "zip"),
)
_LICENCES = (
    "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
    "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0",
    AUTH + "licence/CC_BY_4_0",
)
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL", "IRREG", "UPDATE_CONT")
_FIRST_DAY = date(2019, 1, 1)
_DAYS = (date(2026, 2, 28) - _FIRST_DAY).days


def nis_codes() -> list[tuple[str, str]]:
    """(NIS code, name) of the Flemish municipalities: from ``vocab.municipalities`` when present."""
    try:
        from vocab.municipalities import municipalities
    except ImportError:
        return list(_BUILTIN_TOWNS)
    towns = [(m.nis, m.name) for m in municipalities()]
    return sorted(towns) or list(_BUILTIN_TOWNS)


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(ascii_name.lower().replace("'", "").split())


def _lit(text: str, lang: str) -> str:
    if '"' in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"@{lang}'


def _plain(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date(day: date) -> str:
    return f'"{day.isoformat()}"^^<{XSD_DATE}>'


Pairs = list[tuple[str, str]]
"""(predicate IRI, object term in N-Triples syntax) of one subject."""


def _dataset(i: int, rng: random.Random, towns: list[tuple[str, str, str]]) -> Iterator[tuple[str, Pairs]]:
    """The subjects of dataset ``i``: (subject term, pairs), the contact point as ``_:`` node."""
    nis, name, slug = towns[i % len(towns)]
    nl, en, theme, words = _TOPICS[rng.randrange(len(_TOPICS))]
    host = f"https://data.{slug}.be"
    ident = f"{slug}-{i:07d}"
    subject = f"<{host}/dataset/{ident}>"
    issued = _FIRST_DAY + timedelta(days=rng.randrange(_DAYS))
    modified = issued + timedelta(days=rng.randrange(_DAYS - (issued - _FIRST_DAY).days + 1))
    keywords = [*words, *rng.sample(_EXTRA_KEYWORDS, 2)]
    year = issued.year
    contact = f"_:c{i}"
    files = rng.sample(_FILES, 3)
    licence = _LICENCES[rng.randrange(len(_LICENCES))]
    dists = [f"<{host}/dataset/{ident}/distribution/{ext}>" for _, _, ext in files]
    pairs: Pairs = [
        (RDF_TYPE, f"<{DCAT}Dataset>"),
        (DCT + "identifier", _plain(ident)),
        (DCT + "title", _lit(f"{nl} {name} {year} (#{i})", "nl")),
        (DCT + "title", _lit(f"{en} {name} {year} (#{i})", "en")),
        (DCT + "description", _lit(f'{nl} in {name}, bijgewerkt door de "datadienst" sinds {year}.', "nl")),
        (
            DCT + "description",
            _lit(f"{en} in {name}, maintained by the city's data team since {year}.", "en"),
        ),
        *((DCAT + "keyword", _lit(word, "nl")) for word in keywords),
        (DCAT + "theme", f"<{AUTH}data-theme/{theme}>"),
        (DCT + "publisher", f"<{host}/id/organisatie>"),
        (DCAT + "contactPoint", contact),
        (DCT + "spatial", f"<{GEMEENTE}{nis}>"),
        (DCT + "accessRights", f"<{AUTH}access-right/PUBLIC>"),
        (MDCAT + "statuut", "<https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA>"),
        (DCT + "issued", _date(issued)),
        (DCT + "modified", _date(modified)),
        (DCT + "accrualPeriodicity", f"<{AUTH}frequency/{_FREQUENCIES[rng.randrange(len(_FREQUENCIES))]}>"),
        (DCAT + "landingPage", f"<{host}/dataset/{ident}>"),
        *((DCAT + "distribution", d) for d in dists),
    ]
    yield subject, pairs
    yield (
        contact,
        [
            (RDF_TYPE, f"<{VCARD}Organization>"),
            (VCARD + "fn", _plain(f"Stad {name} - Data")),
            (VCARD + "hasEmail", f"<mailto:opendata@{slug}.be>"),
        ],
    )
    for dist, (code, media, ext) in zip(dists, files, strict=True):
        url = f"{host}/download/{ident}.{ext}"
        yield (
            dist,
            [
                (RDF_TYPE, f"<{DCAT}Distribution>"),
                (DCT + "identifier", _plain(f"{ident}-{ext}")),
                (DCT + "title", _lit(f"{nl} ({code})", "nl")),
                (DCAT + "accessURL", f"<{host}/dataset/{ident}>"),
                (DCAT + "downloadURL", f"<{url}>"),
                (DCT + "format", f"<{AUTH}file-type/{code}>"),
                (DCAT + "mediaType", f"<{IANA}{media}>"),
                (DCT + "license", f"<{licence}>"),
            ],
        )
    yield f"<{CATALOG}>", [(DCAT + "dataset", subject)]


def _header(towns: list[tuple[str, str, str]]) -> Iterator[tuple[str, Pairs]]:
    yield (
        f"<{CATALOG}>",
        [
            (RDF_TYPE, f"<{DCAT}Catalog>"),
            (DCT + "title", _lit("Benchmarkcatalogus gemeentelijke open data", "nl")),
            (DCT + "description", _lit("Gegenereerde catalogus voor prestatiemetingen.", "nl")),
        ],
    )
    for _, name, slug in towns:
        yield (
            f"<https://data.{slug}.be/id/organisatie>",
            [
                (RDF_TYPE, f"<{FOAF}Agent>"),
                (FOAF + "name", _lit(f"Stad {name}", "nl")),
            ],
        )


def _ntriples(subject: str, pairs: Pairs) -> str:
    return "".join(f"{subject} <{p}> {o} .\n" for p, o in pairs)


_TURTLE_NAMES = {ns + local: f"{prefix}:{local}" for prefix, ns in _PREFIXES.items() for local in (
    "Dataset", "Distribution", "Catalog", "Agent", "Organization", "identifier", "title", "description",
    "keyword", "theme", "publisher", "contactPoint", "spatial", "accessRights", "statuut", "issued",
    "modified", "accrualPeriodicity", "landingPage", "distribution", "accessURL", "downloadURL", "format",
    "mediaType", "license", "dataset", "name", "fn", "hasEmail",
)}  # fmt: skip
_TURTLE_NAMES[RDF_TYPE] = "a"


def _turtle(subject: str, pairs: Pairs) -> str:
    names = _TURTLE_NAMES
    body = " ;\n    ".join(
        f"{names.get(p) or '<' + p + '>'} {names.get(o[1:-1], o) if o.startswith('<') else o}"
        for p, o in pairs
    )
    return f"{subject}\n    {body} .\n\n"


@contextmanager
def _opened(out: str | Path | TextIO) -> Iterator[TextIO]:
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
            yield handle
    else:
        yield out


def generate(
    n: int, out: str | Path | TextIO, *, seed: int = 0, format: str = "turtle", first: int = 0
) -> int:
    """Write a feed of ``n`` datasets to ``out`` (a path or a text stream); return the triples written.

    ``first`` numbers the datasets from there (feeds of distinct datasets for several sources)."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(seed)
    towns = [(nis, name, _slug(name)) for nis, name in nis_codes()]
    write_subject: Callable[[str, Pairs], str] = _turtle if format == "turtle" else _ntriples
    triples = 0
    with _opened(out) as handle:
        if format == "turtle":
            handle.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in _PREFIXES.items()) + "\n")
        for subject, pairs in _header(towns):
            handle.write(write_subject(subject, pairs))
            triples += len(pairs)
        for i in range(first, first + n):
            chunk = []
            for subject, pairs in _dataset(i, rng, towns):
                chunk.append(write_subject(subject, pairs))
                triples += len(pairs)
            handle.write("".join(chunk))
    return triples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int, help="number of datasets")
    parser.add_argument("out", help="output file, or - for standard output")
    parser.add_argument("--format", choices=FORMATS, default="turtle")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    target: str | TextIO = sys.stdout if args.out == "-" else args.out
    triples = generate(args.n, target, seed=args.seed, format=args.format)
    seconds = time.perf_counter() - start
    size = "" if args.out == "-" else f", {Path(args.out).stat().st_size / 1e6:.1f} MB"
    print(f"{args.n} datasets, {triples} triples in {seconds:.2f} s{size}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
