"""The harvest's fast path: which records of a batch the ``vl`` shapes have nothing to say about.

``check_records`` writes every record's triples, indexes them and runs the SHACL checker: about 0.4 ms
per record. Most harvested records are clean, and for the catalogue's own ``vl`` shapes whether a
record written by ``catalog.rdf`` is clean can be read from the model directly. :func:`clean_records`
answers, per record of a batch, "the checker would find nothing for it": a True is a proof, a False
only means "ask the checker" (the caller then checks those records the usual way). It never decides a
finding on its own, so findings stay exactly the checker's.

How it proves a record clean, without writing it:

- **The record's own nodes** (the dataset, its distributions, agents, contact points, periods): each
  property shape of ``vl`` that can report on what the writer produces is read off the model: counts
  (``sh:minCount`` of a mandatory or recommended property), and every value-dependent constraint
  (``sh:in``, ``sh:pattern``, ``sh:hasValue``, the date and byte-size datatypes) by running the compiled
  shape itself on the value, cached per value. Range constraints (``sh:class``, ``sh:nodeKind``) hold
  by construction: the writer types what it links to and writes texts as literals.
- **Vocabulary terms** (themes, licences, formats ...): their description depends on the IRI and the
  way it is used only, so each (use, IRI) is checked once per process by the checker itself, on a probe
  record holding just that term, and remembered.
- **The batch**: in ``check_records`` records share one graph, so a node written by two records, or a
  record linking to a node another record describes, can give a finding to a record that is clean on
  its own. Every record touching such a node is left to the checker (with all others touching it, so
  the checker sees the same graph for them).

The vocabulary part of a record and of each distribution (which terms, which code-list checks) is read
once per combination of values and cached: records of one portal repeat them. Anything it does not
model (a data service in a distribution, attributions, checksums, resolutions, record kinds other than
datasets, a ``mailto:``/``tel:`` node IRI, an edited shapes file) makes it answer False.

It reads the model the way ``catalog.rdf._write_triples.TripleWriter`` writes it: a change there (what
is typed, what is left out) must be followed here. ``tests/quality/test_fast.py`` holds it to the
checker, record by record, on the reference samples, generated feeds and feeds with injected defects.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pyoxigraph import NamedNode

from catalog.model import Agent, ContactPoint, DataService, Dataset, DatasetSeries, Distribution
from catalog.quality.shacl import conforms
from catalog.quality.shacl_graph import DataGraph, Term
from catalog.quality.shacl_shapes import Shape, ShapeSet
from catalog.rdf._write_terms import date_literal, int_literal, iri, mailto
from catalog.rdf._write_triples import mint_iri
from catalog.rdf._write_vocab import concept_scheme, licence_types

__all__ = ["SHAPES_DIGEST", "clean_records", "gc_paused", "shapes_digest"]

AnyRecord = Dataset | DataService | DatasetSeries

SHAPES_DIGEST = "a085d6e77b2f9ee8a809a12a5f7b05285742754aa45e1a0ebaa1fa583c363f0d"
"""SHA-256 of the ``vl`` shape files this module was written against; any other content disables it."""

_FILES = ("dcat-ap-3.ttl", "dcat-ap-vl-3.ttl")
_DAP = "urn:catalog:shapes:dcat-ap-3:"
_VL = "urn:catalog:shapes:dcat-ap-vl-3:"
_PROBE = "urn:catalog:fast-path-probe:dataset"
_log = logging.getLogger(__name__)

# How the writer describes a vocabulary term, by the way a record uses it (``TripleWriter._concept``
# with its classes and ``always``, or ``_license``): a term used two ways in one batch is left to the
# checker.
_CONCEPT, _ACCESS, _FREQUENCY, _LANGUAGE, _FORMAT, _MEDIA, _PACKAGE, _LICENCE, _SCHEME = (
    "concept", "access", "frequency", "language", "format", "media", "package", "licence", "scheme",
)  # fmt: skip


def shapes_digest() -> str:
    """SHA-256 of the ``vl`` shape files as installed."""
    digest = hashlib.sha256()
    for name in _FILES:
        digest.update(resources.files("catalog.quality").joinpath("shapes", name).read_bytes())
    return digest.hexdigest()


class _Shapes:
    """The property shapes of ``vl`` the model-side checks run, looked up by name once."""

    def __init__(self, shapes: ShapeSet) -> None:
        found: dict[str, Shape] = {}
        stack = list(shapes.targeted)
        while stack:
            shape = stack.pop()
            if shape.name not in found:
                found[shape.name] = shape
                stack.extend(shape.properties)
        self.by_name = found
        dap, vl = _DAP, _VL
        self.access_list = found[vl + "Dataset-accessRights-list"]
        self.theme_list = found[vl + "Theme-list"]
        self.language_list = found[vl + "Language-list"]
        self.statuut_list = found[vl + "Statuut-list"]
        self.opendata = found[vl + "Dataset-statuut-opendata"]
        self.frequency_list = found[vl + "Frequency-list"]
        self.levensfase = found[vl + "Levensfase"]
        self.ontwikkelingstoestand = found[vl + "Ontwikkelingstoestand"]
        self.format_list = found[vl + "Format-list"]
        self.issued = found[dap + "Dataset-issued"]
        self.modified = found[dap + "Dataset-modified"]
        self.distribution_issued = found[dap + "Distribution-issued"]
        self.distribution_modified = found[dap + "Distribution-modified"]
        self.byte_size = found[dap + "Distribution-byteSize"]
        self.start = found[dap + "PeriodOfTime-start"]
        self.end = found[dap + "PeriodOfTime-end"]

    def __getitem__(self, name: str) -> Shape:
        return self.by_name[name]


@cache
def _shapes() -> _Shapes | None:
    """The compiled ``vl`` shapes, or None (fast path off) when the files are not the ones expected."""
    digest = shapes_digest()
    if digest != SHAPES_DIGEST:
        _log.warning("the vl shapes changed (sha256 %s): the fast validation path is off", digest)
        return None
    from catalog.quality.validate import shape_set

    return _Shapes(shape_set("vl"))


_FOCUS = NamedNode("urn:catalog:fast-path-probe:focus")


def _conforms_with(shape: Shape, values: Sequence[Term]) -> bool:
    """Whether a node whose only values on ``shape``'s path are ``values`` conforms to ``shape``."""
    path = shape.path
    assert isinstance(path, NamedNode)
    return conforms(shape, _FOCUS, DataGraph((_FOCUS, path, value) for value in values))


_value_cache: dict[tuple[str, Hashable], bool] = {}
_VALUE_CACHE_SIZE = 100_000


def _values_ok(shape: Shape, key: Hashable, make: Callable[[], Sequence[Term]]) -> bool:
    """:func:`_conforms_with` cached per (shape, key): ``make`` builds the values ``key`` stands for."""
    cache_key = (shape.name, key)
    found = _value_cache.get(cache_key)
    if found is None:
        if len(_value_cache) >= _VALUE_CACHE_SIZE:
            _value_cache.clear()
        found = _value_cache[cache_key] = _conforms_with(shape, make())
    return found


_DIGITS = str.maketrans("123456789", "000000000")


def _date_ok(shape: Shape, value: date | datetime) -> bool:
    """The shape's verdict on the date the writer writes for ``value``, cached per form of its text
    (``2024-05-01`` and ``1999-12-31`` are one form: any valid date of one form is read alike)."""
    form = value.isoformat().translate(_DIGITS)
    return _values_ok(shape, (type(value), form), lambda: (date_literal(value),))


def _iri_ok(shape: Shape, value: str) -> bool:
    return _values_ok(shape, value, lambda: (NamedNode(value),))


@lru_cache(maxsize=65536)
def _node(value: str) -> str | None:
    """The IRI the writer writes for ``value`` (percent-encoded where needed), None when it leaves it out."""
    node = iri(value)
    return node.value if node is not None else None


@lru_cache(maxsize=16384)
def _has_mailto(email: str) -> bool:
    return mailto(email) is not None


@lru_cache(maxsize=16384)
def _written_terms(node: str, use: str) -> tuple[tuple[str, str], ...]:
    """The term and the nodes its description leads to: a concept's scheme, a licence's types (and
    their schemes), each with its use (schemes as ``"scheme"``)."""
    out: list[tuple[str, str]] = [(node, use)]
    if use == _LICENCE:
        for licence_type in licence_types(node):
            typed = _node(licence_type)
            if typed is not None:
                out.extend(_written_terms(typed, _CONCEPT))
        return tuple(out)
    scheme = concept_scheme(node)
    scheme_node = _node(scheme) if scheme else None
    if scheme_node is not None:
        out.append((scheme_node, _SCHEME))
    return tuple(out)


def _same(model: object, first: object) -> bool:
    """Whether two models give the writer the same content (their fields, compared as values)."""
    return model is first or (type(model) is type(first) and model.__dict__ == first.__dict__)


def _flat(groups: list[tuple[tuple[str, str], ...]]) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys(term for group in groups for term in group))


class _Record:
    """What one record writes that other records of the batch could share, and whether it is clean."""

    __slots__ = ("clean", "described", "links", "terms", "unmodelled")

    def __init__(self) -> None:
        self.clean = True
        self.described: list[tuple[str, object]] = []
        """IRIs of nodes the record describes (distributions, agents ...) with the model they come from."""
        self.terms: list[tuple[tuple[str, str], ...]] = []
        """(IRI, use) of the vocabulary terms it points to, in groups (cached tuples, shared by records)."""
        self.unmodelled = False
        """Whether it has nodes this module does not follow (then no record of the batch is proved)."""
        self.links: list[str] = []
        """IRIs it points to without describing them."""

    def term(self, value: str | None, use: str) -> str | None:
        if not value:
            return None
        node = _node(value)
        if node is not None:
            self.terms.append(_written_terms(node, use))
        return node

    def link(self, values: Sequence[str]) -> int:
        """Record plain links; the number written."""
        written = 0
        for value in values:
            node = _node(value)
            if node is not None:
                self.links.append(node)
                written += 1
        return written

    def describe(self, uri: str | None, model: object) -> None:
        if uri:
            node = _node(uri)
            if node is None:
                self.clean = False
            else:
                self.described.append((node, model))


def _agent(out: _Record, agent: Agent) -> None:
    if agent.uri:
        out.describe(agent.uri, agent)
    if not agent.name:
        out.clean = False  # Agent-name: sh:minCount 1
    if agent.type:
        out.term(agent.type, _CONCEPT)
    if agent.homepage:
        out.link((agent.homepage,))


def _contact(out: _Record, contact: ContactPoint) -> None:
    if contact.uri:
        out.describe(contact.uri, contact)
    reachable = bool(contact.email and _has_mailto(contact.email))
    if contact.url and out.link((contact.url,)):
        reachable = True
    if not reachable:
        out.clean = False  # ContactPoint-reachable: vcard:hasEmail or vcard:hasURL, a warning


@lru_cache(maxsize=8192)
def _record_terms(
    themes: tuple[str, ...],
    access_rights: str | None,
    licence: str | None,
    languages: tuple[str, ...],
    statuten: tuple[str, ...],
) -> tuple[bool, tuple[tuple[str, str], ...]]:
    """The vocabulary part of ``_common``, cached per combination of values (records of one portal
    share them): (whether the dataset shapes accept them, the terms written)."""
    shapes = _shapes()
    assert shapes is not None
    out = _Record()
    term = out.term
    written_themes = [term(theme, _CONCEPT) for theme in themes]
    access = term(access_rights, _ACCESS) if access_rights else None
    if licence:
        term(licence, _LICENCE)
    written_languages = [term(language, _LANGUAGE) for language in languages]
    written_statuten = [term(statuut, _CONCEPT) for statuut in statuten]
    ok = (
        any(written_themes)  # Dataset-theme-recommended
        and access is not None  # Dataset-accessRights
        and _iri_ok(shapes.access_list, access)
        and all(_iri_ok(shapes.theme_list, v) for v in written_themes if v is not None)
        and all(_iri_ok(shapes.language_list, v) for v in written_languages if v is not None)
        and all(_iri_ok(shapes.statuut_list, v) for v in written_statuten if v is not None)
    )
    if ok:
        written = tuple(sorted({s for s in written_statuten if s is not None}))
        ok = _values_ok(shapes.opendata, written, lambda: tuple(NamedNode(s) for s in written))
    return ok, _flat(out.terms)


def _common(out: _Record, r: AnyRecord) -> None:
    """What every kind of record writes in ``TripleWriter._common``."""
    ok, terms = _record_terms(tuple(r.theme), r.access_rights, r.license, tuple(r.language), tuple(r.statuut))
    out.terms.append(terms)
    if r.publisher is not None:
        _agent(out, r.publisher)
    if r.creator is not None:
        _agent(out, r.creator)
    for contact in r.contact_point:
        _contact(out, contact)
    if r.rights is not None and r.rights.uri:
        out.describe(r.rights.uri, r.rights)
    for links in (r.conforms_to, r.landing_page, r.page):
        if links:
            out.link(links)
    for location in r.spatial:
        if location.uri:
            out.describe(location.uri, location)
    if not (
        ok
        and isinstance(r, Dataset)  # only datasets are checked here
        and r.identifier and r.title and r.description  # Dataset-identifier, -title, -description
        and r.publisher is not None  # Dataset-publisher
        and r.contact_point  # Dataset-contactPoint
        and any(r.keyword.values())  # Dataset-keyword-recommended
    ):  # fmt: skip
        out.clean = False


@lru_cache(maxsize=8192)
def _dataset_terms(
    frequency: str | None, kind: str | None, levensfase: str | None, ontwikkelingstoestand: str | None
) -> tuple[bool, tuple[tuple[str, str], ...]]:
    """The vocabulary part of ``_dataset``, cached per combination of values."""
    shapes = _shapes()
    assert shapes is not None
    out = _Record()
    term = out.term
    if frequency:
        node = term(frequency, _FREQUENCY)
        if node is not None and not _iri_ok(shapes.frequency_list, node):
            out.clean = False
    if kind:
        term(kind, _CONCEPT)
    for value, shape in (
        (levensfase, shapes.levensfase),
        (ontwikkelingstoestand, shapes.ontwikkelingstoestand),
    ):
        if value:
            node = term(value, _CONCEPT)
            if node is not None and not _iri_ok(shape, node):
                out.clean = False
    return out.clean, _flat(out.terms)


def _dataset(out: _Record, d: Dataset, shapes: _Shapes) -> None:
    if d.issued is not None and not _date_ok(shapes.issued, d.issued):
        out.clean = False
    if d.modified is not None and not _date_ok(shapes.modified, d.modified):
        out.clean = False
    if not d.distribution:
        out.clean = False  # Dataset-distribution-recommended
    for distribution in d.distribution:
        _distribution(out, distribution, shapes)
    for period in d.temporal:
        if period.start is not None and not _date_ok(shapes.start, period.start):
            out.clean = False
        if period.end is not None and not _date_ok(shapes.end, period.end):
            out.clean = False
    ok, terms = _dataset_terms(d.frequency, d.type, d.levensfase, d.ontwikkelingstoestand)
    out.terms.append(terms)
    if not ok:
        out.clean = False
    for links in (d.relation, d.source, d.has_version, d.is_version_of, d.is_referenced_by, d.in_series,
                  d.applicable_legislation):  # fmt: skip
        if links:
            out.link(links)
    if d.qualified_attribution or d.spatial_resolution_in_meters is not None or d.temporal_resolution:
        out.clean = False  # not modelled here


@lru_cache(maxsize=8192)
def _distribution_terms(
    fmt: str | None,
    media_type: str | None,
    compress_format: str | None,
    package_format: str | None,
    licence: str | None,
    access_rights: str | None,
    status: str | None,
    availability: str | None,
    languages: tuple[str, ...],
    byte_size: int | None,
) -> tuple[bool, tuple[tuple[str, str], ...]]:
    """The vocabulary part of ``_distribution`` (and its byte size), cached per combination of values."""
    shapes = _shapes()
    assert shapes is not None
    out = _Record()
    term = out.term
    node = term(fmt, _FORMAT) if fmt else None
    if node is None or not _iri_ok(shapes.format_list, node):
        out.clean = False  # Distribution-format-recommended, Format-list
    if media_type:
        term(media_type, _MEDIA)
    if compress_format:
        term(compress_format, _PACKAGE)
    if package_format:
        term(package_format, _PACKAGE)
    if not licence or term(licence, _LICENCE) is None:
        out.clean = False  # Distribution-license-recommended
    if access_rights:
        term(access_rights, _ACCESS)
    if status:
        term(status, _CONCEPT)
    if availability:
        term(availability, _CONCEPT)
    for language in languages:
        node = term(language, _LANGUAGE)
        if node is not None and not _iri_ok(shapes.language_list, node):
            out.clean = False
    if byte_size is not None:
        literal = int_literal(byte_size, non_negative=True)
        if not _values_ok(shapes.byte_size, byte_size, lambda: (literal,)):
            out.clean = False
    return out.clean, _flat(out.terms)


def _distribution(out: _Record, d: Distribution, shapes: _Shapes) -> None:
    if d.uri:
        out.describe(d.uri, d)
    if not d.identifier:
        out.clean = False  # Distribution-identifier
    if not out.link(d.access_url):
        out.clean = False  # Distribution-accessURL
    if d.download_url:
        out.link(d.download_url)
    ok, terms = _distribution_terms(
        d.format, d.media_type, d.compress_format, d.package_format, d.license, d.access_rights, d.status,
        d.availability, tuple(d.language), d.byte_size,
    )  # fmt: skip
    out.terms.append(terms)
    if not ok:
        out.clean = False
    if d.rights is not None and d.rights.uri:
        out.describe(d.rights.uri, d.rights)
    if d.issued is not None and not _date_ok(shapes.distribution_issued, d.issued):
        out.clean = False
    if d.modified is not None and not _date_ok(shapes.distribution_modified, d.modified):
        out.clean = False
    if d.conforms_to:
        out.link(d.conforms_to)
    if d.page:
        out.link(d.page)
    if d.access_service:
        out.unmodelled = True  # a data service of its own, with nodes this module does not follow
    if d.checksum is not None or d.spatial_resolution_in_meters is not None or d.temporal_resolution:
        out.clean = False  # not modelled here


def _read(record: AnyRecord, shapes: _Shapes) -> _Record | None:
    """The record's shared parts and its own verdict; None when even its shared parts are not modelled."""
    out = _Record()
    if isinstance(record, Dataset):
        if record.qualified_attribution:
            return None  # attributed agents: nodes this module does not follow
        _common(out, record)
        _dataset(out, record, shapes)
        if out.unmodelled:
            return None
    elif isinstance(record, DatasetSeries):
        _common(out, record)
        out.term(record.frequency, _FREQUENCY)
        out.link(record.applicable_legislation)
    elif isinstance(record, DataService):
        _common(out, record)
        out.link(record.endpoint_url)
        out.link(record.endpoint_description)
        out.link(record.serves_dataset)
        out.term(record.levensfase, _CONCEPT)
        out.term(record.ontwikkelingstoestand, _CONCEPT)
    else:
        return None
    return out


def _probe(use: str, value: str) -> Dataset:
    """A record holding only the term ``value``, used the way ``use`` says."""
    dataset: dict[str, Any] = {"uri": _PROBE}
    distribution: dict[str, Any] = {"uri": _PROBE + "/distribution"}
    if use == _CONCEPT:
        dataset["theme"] = [value]
    elif use == _ACCESS:
        dataset["access_rights"] = value
    elif use == _FREQUENCY:
        dataset["frequency"] = value
    elif use == _LANGUAGE:
        dataset["language"] = [value]
    elif use == _LICENCE:
        dataset["license"] = value
    elif use == _FORMAT:
        distribution["format"] = value
    elif use == _MEDIA:
        distribution["media_type"] = value
    else:
        distribution["compress_format"] = value
    return Dataset(**dataset, distribution=[Distribution(**distribution)])


@lru_cache(maxsize=16384)
def _term_clean(use: str, value: str) -> bool:
    """Whether the checker finds nothing on a term's description (and the nodes it leads to)."""
    from catalog.quality.validate import reference_findings

    if use == _SCHEME:
        return True  # described along with each concept in it, and checked with that concept's probe
    own = {_PROBE, _PROBE + "/distribution"}
    try:
        return all(f.focus in own for f in reference_findings(_probe(use, value), shapes="vl", base_uri=None))
    except Exception:  # a term the writer cannot describe: the checker will say what it says
        return False


def clean_records(records: Sequence[AnyRecord], *, base_uri: str) -> list[bool]:
    """For each record of a batch whose IRIs are distinct: True when ``check_records`` finds nothing for
    it with the ``vl`` shapes; False when it may find something (check those records with the checker,
    together).

    The cyclic garbage collector is paused meanwhile: what this allocates is small, acyclic and freed by
    reference counting, but the many short-lived tuples would set off collections that walk every object
    of the process (a harvest holds many), which cost more than the reading itself.
    """
    with gc_paused():
        return _clean_records(records, base_uri)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for the block (reference counting still frees what it can;
    cycles made meanwhile wait for the next collection)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _clean_records(records: Sequence[AnyRecord], base_uri: str) -> list[bool]:
    shapes = _shapes()
    n = len(records)
    if shapes is None or n == 0:
        return [False] * n
    read: list[_Record] = []
    for record in records:
        found = _read(record, shapes)
        if found is None:
            return [False] * n  # a node this module does not follow may be shared with any record
        read.append(found)
    slow = [not r.clean for r in read]
    roots: dict[str, int] = {}
    for i, record in enumerate(records):
        node = _node(mint_iri(record, base_uri))
        if node is None:
            slow[i] = True
        else:
            roots[node] = i
    described: dict[str, list[tuple[int, object]]] = {}
    groups: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for i, r in enumerate(read):
        for node, model in r.described:
            described.setdefault(node, []).append((i, model))
        for group in r.terms:
            groups.setdefault(group, []).append(i)
    terms: dict[str, dict[str, list[int]]] = {}
    for group, users in groups.items():
        for node, use in group:
            terms.setdefault(node, {}).setdefault(use, []).extend(users)
    if any(node.startswith(("mailto:", "tel:")) for node in (*described, *terms)):
        return [False] * n  # could be the node of any contact's e-mail address or telephone

    def mark(indexes: list[int]) -> None:
        for index in indexes:
            slow[index] = True

    for node, uses in described.items():
        first = uses[0][1]
        shared = node in roots or node in terms or any(not _same(model, first) for _, model in uses[1:])
        if shared:
            mark([i for i, _ in uses])
            if node in roots:
                slow[roots[node]] = True
            for users in terms.get(node, {}).values():
                mark(users)
    for node, by_use in terms.items():
        if len(by_use) > 1 or node in roots:
            for users in by_use.values():
                mark(users)
            if node in roots:
                slow[roots[node]] = True
    for i, r in enumerate(read):
        for node in r.links:
            describers = described.get(node)
            if describers is not None and any(j != i for j, _ in describers):
                slow[i] = True
                mark([j for j, _ in describers])
            linked = terms.get(node)
            if linked is not None:
                slow[i] = True
                for indexes in linked.values():
                    mark(indexes)
    unclean = {node for node, by_use in terms.items() for use in by_use if not _term_clean(use, node)}
    for node in unclean:
        for indexes in terms[node].values():
            mark(indexes)
    return [not s for s in slow]
