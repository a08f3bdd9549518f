"""EU file types and IANA media types: tolerant lookups and the links between the two."""

from __future__ import annotations

import re
from functools import cache

from vocab._text import iri_key, looks_like_iri
from vocab.concepts import Concept, Vocabulary, pick_label, vocabulary

__all__ = [
    "FILE_TYPE_SCHEME",
    "IANA",
    "format_for_media_type",
    "format_label",
    "is_machine_readable",
    "is_non_proprietary",
    "lookup_format",
    "lookup_media_type",
    "media_type_for_format",
]

FILE_TYPE_SCHEME = "http://publications.europa.eu/resource/authority/file-type"
IANA = "https://www.iana.org/assignments/media-types/"
"""Base of IANA media-type IRIs as DCAT-AP uses them: ``IANA + "text/csv"``."""

_IANA_KEY = iri_key(IANA)
_MEDIA_TYPE = re.compile(
    r"^(application|audio|font|image|message|model|multipart|text|video)/[a-z0-9][a-z0-9!#$&^_.+-]*$"
)
_PARENTHESISED = re.compile(r"\([^)]*\)")
_PREFERRED_FOR_MEDIA_TYPE = {"image/tiff": "TIFF", "application/zip": "ZIP"}


@cache
def _file_types() -> Vocabulary:
    types = vocabulary("file-types")
    by_code = {c.code: c for c in types}
    for media_type, code in _PREFERRED_FOR_MEDIA_TYPE.items():
        types.add_alias(media_type, by_code[code])
    for concept in types:
        for text in (*concept.extra.get("extensions", ()), *concept.extra.get("names", ())):
            types.add_alias(text, concept)
    for concept in types:
        if concept.extra.get("media_type"):
            types.add_alias(concept.extra["media_type"], concept)
    return types


@cache
def _media_types() -> dict[str, str]:
    """Plain media type (``text/csv``) -> the IRI the media-type table gives it."""
    return {c.code.lower(): c.iri for c in vocabulary("media-types")}


def _plain_media_type(text: str) -> str | None:
    """``"Text/CSV; charset=utf-8"`` or an IANA IRI -> ``"text/csv"``; None when it is neither."""
    text = text.strip()
    if looks_like_iri(text):
        key = iri_key(text)
        if key.startswith(_IANA_KEY + "/"):
            text = key[len(_IANA_KEY) + 1 :]
        else:
            for plain, known in _media_types().items():
                if iri_key(known) == key:
                    return plain
            return None
    plain = text.split(";", 1)[0].strip().lower()
    return plain if _MEDIA_TYPE.match(plain) else None


def lookup_media_type(text: str) -> str | None:
    """The media-type IRI for a media type (with parameters), an IANA IRI or a format name ("CSV")."""
    plain = _plain_media_type(text)
    if plain is None:
        concept = _find_format(text)
        plain = concept.extra.get("media_type") if concept else None
    if plain is None:
        return None
    return _media_types().get(plain, IANA + plain)


def _find_format(text: str) -> Concept | None:
    types = _file_types()
    text = text.strip()
    if not text:
        return None
    if looks_like_iri(text):
        found = types.get(text)
        if found is not None:
            return found
        plain = _plain_media_type(text)
        return types.find(plain) if plain else None
    plain = _plain_media_type(text)
    if plain is not None:
        return types.find(plain)
    found = types.find(text)
    if found is None and "(" in text:
        found = types.find(_PARENTHESISED.sub(" ", text))
    if found is None and text.startswith("."):
        found = types.find(text[1:])
    return found


def lookup_format(text: str) -> str | None:
    """The EU file-type IRI for a format name, extension, media type, EU or IANA IRI; None if unknown."""
    concept = _find_format(text)
    return concept.iri if concept else None


def media_type_for_format(format_iri: str) -> str | None:
    """The media-type IRI that goes with an EU file type (``CSV`` -> IANA ``text/csv``)."""
    concept = _file_types().get(format_iri)
    media_type = concept.extra.get("media_type") if concept else None
    return _media_types().get(media_type, IANA + media_type) if media_type else None


def format_for_media_type(media_iri: str) -> str | None:
    """The EU file type for a media-type IRI (or plain media type)."""
    plain = _plain_media_type(media_iri)
    concept = _file_types().find(plain) if plain else None
    return concept.iri if concept else None


def format_label(iri: str, lang: str = "nl") -> str | None:
    """The label of an EU file type."""
    concept = _file_types().get(iri)
    return pick_label(concept.labels, lang) if concept else None


def is_machine_readable(format_iri: str) -> bool:
    """True for formats data.europa.eu's quality assessment counts as machine readable."""
    concept = _file_types().get(format_iri)
    return bool(concept and concept.extra.get("machine_readable"))


def is_non_proprietary(format_iri: str) -> bool:
    """True for formats with an open specification (MQA "non-proprietary")."""
    concept = _file_types().get(format_iri)
    return bool(concept and concept.extra.get("non_proprietary"))
