"""Normalisation after parsing: the facts the catalogue works out about a record.

The RDF reader already maps licences, formats, themes and other coded values to canonical IRIs. What is
left is what needs the whole record: which of the 285 municipalities a dataset belongs to.
"""

from __future__ import annotations

from functools import lru_cache

from catalog.model import Agent, DataService, Dataset, DatasetSeries
from vocab.municipalities import lookup_municipality

__all__ = ["municipality_of"]


@lru_cache(maxsize=4096)
def _nis(text: str) -> str | None:
    found = lookup_municipality(text)
    return found.nis if found is not None else None


def _agent_nis(agent: Agent | None) -> str | None:
    if agent is None:
        return None
    for text in (agent.uri, *agent.name.values()):
        if text and (nis := _nis(text)):
            return nis
    return None


def municipality_of(
    record: Dataset | DataService | DatasetSeries, *, default: str | None = None
) -> str | None:
    """The NIS code of the (2025) municipality a record belongs to, or ``default``.

    Evidence in order: a municipality named by ``dct:spatial`` (its IRI, else its name), the publisher, the
    creator. A record whose spatial coverage names several municipalities belongs to none of them in
    particular and falls through to the publisher.
    """
    found: set[str] = set()
    for location in record.spatial:
        for text in (location.uri, *location.name.values()):
            if text and (nis := _nis(text)):
                found.add(nis)
                break
    if len(found) == 1:
        return found.pop()
    return _agent_nis(record.publisher) or _agent_nis(record.creator) or default
