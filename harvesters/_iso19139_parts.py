"""Pieces of an ISO 19139 record: responsible parties, extents, dates and constraints.

- Responsible parties (``gmd:CI_ResponsibleParty``): the publisher is the first party in the role
  publisher, else owner, else custodian, else point of contact (DCAT-AP-VL needs one); contact points
  are the points of contact (else the custodians, else the metadata contact); originator and author
  make the creator. An organisation name written as a ``gmx:Anchor`` gives the agent its IRI.
- Extents: ``gmd:EX_GeographicBoundingBox`` becomes a Location with a WGS84 box, the extent's
  description its name; ``gml:TimePeriod`` (GML 3.1 or 3.2) a PeriodOfTime.
- Constraints: a licence known to the vocabulary, from an anchor's link first, then the texts of
  ``gmd:otherConstraints`` and ``gmd:useLimitation``; every such text becomes the rights statement;
  INSPIRE's "limitations on public access" anchors give the access right.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from pydantic import TypeAdapter, ValidationError

from catalog.model import Agent, BBox, ContactPoint, DateValue, Location, PeriodOfTime, RightsStatement
from catalog.rdf.parse import Problem
from harvesters._iso19139_online import is_web_url
from harvesters._iso19139_tables import ACCESS_RIGHTS
from harvesters._iso19139_xml import GMD, GML, GML32, anchor, children, code, first, href, value
from vocab import licences

__all__ = ["Constraints", "Party", "Reader", "link_of", "parties", "resource_identifiers"]

_DATE: TypeAdapter[dt.datetime | dt.date] = TypeAdapter(DateValue)
_lookup_licence: Callable[[str], str | None] = lru_cache(maxsize=4096)(licences.lookup_licence)
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'()]+[^\s<>\"'().,;]")
_PUBLISHER_ROLES = ("publisher", "owner", "custodian", "pointOfContact", "distributor", "originator")
_CONTACT_ROLES = ("pointOfContact", "custodian")
_CONTACT = f"{GMD}contactInfo/{GMD}CI_Contact"
_BBOX = f"{GMD}geographicElement/{GMD}EX_GeographicBoundingBox"
_TEMPORAL = f"{GMD}temporalElement/{GMD}EX_TemporalExtent/{GMD}extent"


@dataclass(frozen=True)
class Party:
    """One ``gmd:CI_ResponsibleParty``."""

    role: str | None
    organisation: str | None
    organisation_uri: str | None
    individual: str | None
    email: str | None
    phone: str | None
    url: str | None

    @property
    def name(self) -> str | None:
        return self.organisation or self.individual


@dataclass
class Constraints:
    """What the constraints of a record say."""

    license: str | None = None
    rights: RightsStatement | None = None
    access_rights: str | None = None


def _party(element: etree._Element) -> Party:
    contact = first(element, _CONTACT)
    organisation, organisation_uri = anchor(first(element, GMD + "organisationName"))
    url = value(first(contact, f"{GMD}onlineResource/{GMD}CI_OnlineResource/{GMD}linkage"))
    return Party(
        role=code(first(element, GMD + "role")),
        organisation=organisation,
        organisation_uri=organisation_uri if organisation_uri and is_web_url(organisation_uri) else None,
        individual=value(first(element, GMD + "individualName")),
        email=value(first(contact, f"{GMD}address/{GMD}CI_Address/{GMD}electronicMailAddress")),
        phone=value(first(contact, f"{GMD}phone/{GMD}CI_Telephone/{GMD}voice")),
        url=url if url and is_web_url(url) else None,
    )


def parties(elements: Iterable[etree._Element]) -> list[Party]:
    """The parties under each of ``elements`` (``gmd:pointOfContact``, ``gmd:contact`` ...)."""
    return [_party(p) for e in elements for p in children(e, GMD + "CI_ResponsibleParty")]


class Reader:
    """Reads the pieces of one record in ``language``; collects what it could not keep in ``problems``."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, text: str | None = None) -> None:
        self.problems.append(Problem(path, message, text))

    def date(self, text: str | None, path: str) -> dt.date | dt.datetime | None:
        if not text:
            return None
        try:
            return _DATE.validate_python(text)
        except (ValidationError, ValueError):
            self.problem(path, "not a date", text)
            return None

    # -- parties ---------------------------------------------------------------------------------------

    def publisher(self, resource: list[Party], metadata: list[Party]) -> Agent | None:
        for role in _PUBLISHER_ROLES:
            for party in resource:
                if party.role == role and party.name:
                    return self._agent(party)
        named = [p for p in (*resource, *metadata) if p.name]
        return self._agent(named[0]) if named else None

    def creator(self, resource: list[Party]) -> Agent | None:
        for party in resource:
            if party.role in ("originator", "author") and party.name:
                return self._agent(party)
        return None

    def _agent(self, party: Party) -> Agent:
        return Agent(
            uri=party.organisation_uri,
            name={self.language: party.name} if party.name else {},
            email=party.email,
            homepage=party.url,
        )

    def contact_points(self, resource: list[Party], metadata: list[Party]) -> list[ContactPoint]:
        chosen: list[Party] = []
        for role in _CONTACT_ROLES:
            chosen = [p for p in resource if p.role == role]
            if chosen:
                break
        if not chosen:
            chosen = metadata or [p for p in resource if p.email]
        out: list[ContactPoint] = []
        seen: set[tuple[str | None, str | None]] = set()
        for party in chosen:
            if not (party.name or party.email) or (party.name, party.email) in seen:
                continue
            seen.add((party.name, party.email))
            out.append(ContactPoint(name=party.name, email=party.email, telephone=party.phone, url=party.url))
        return out

    # -- extents ---------------------------------------------------------------------------------------

    def locations(self, extents: list[etree._Element]) -> list[Location]:
        out: list[Location] = []
        for extent in extents:
            description = value(first(extent, GMD + "description"))
            name = {self.language: description} if description else {}
            boxes = [b for b in (self._bbox(e) for e in children(extent, _BBOX)) if b is not None]
            out.extend(Location(name=name, bbox=box) for box in boxes)
        return out

    def _bbox(self, element: etree._Element) -> BBox | None:
        sides: dict[str, float] = {}
        for side, tag in (
            ("west", "westBoundLongitude"),
            ("east", "eastBoundLongitude"),
            ("south", "southBoundLatitude"),
            ("north", "northBoundLatitude"),
        ):
            text = value(first(element, GMD + tag))
            try:
                sides[side] = float(text or "")
            except ValueError:
                self.problem("spatial.bbox", f"{tag} is not a number", text)
                return None
        try:
            return BBox(**sides)
        except ValidationError as exc:
            shown = ",".join(f"{sides[k]:g}" for k in ("west", "south", "east", "north"))
            self.problem("spatial.bbox", exc.errors()[0]["msg"], shown)
            return None

    def temporal(self, extents: list[etree._Element]) -> list[PeriodOfTime]:
        out: list[PeriodOfTime] = []
        for extent in extents:
            for holder in children(extent, _TEMPORAL):
                for gml in (GML, GML32):
                    period = first(holder, gml + "TimePeriod")
                    if period is None:
                        continue
                    start = self._position(period, gml, "begin")
                    end = self._position(period, gml, "end")
                    if start is None and end is None:
                        continue
                    try:
                        out.append(PeriodOfTime(start=start, end=end))
                    except ValidationError as exc:
                        self.problem("temporal", exc.errors()[0]["msg"], f"{start} - {end}")
        return out

    def _position(self, period: etree._Element, gml: str, side: str) -> dt.date | dt.datetime | None:
        element = first(period, f"{gml}{side}Position")
        if element is None:
            element = first(period, f"{gml}{side}/{gml}TimeInstant/{gml}timePosition")
        text = (element.text or "").strip() if element is not None else ""
        if element is not None and not text and element.get("indeterminatePosition") in ("now", "unknown"):
            return None
        return self.date(text, f"temporal.{'start' if side == 'begin' else 'end'}")

    # -- constraints -----------------------------------------------------------------------------------

    def constraints(self, elements: list[etree._Element]) -> Constraints:
        found = Constraints()
        stated: list[tuple[str | None, str | None]] = []  # (text, link) of each constraint
        for element in elements:
            for prop in (
                *children(element, f"*/{GMD}otherConstraints"),
                *children(element, f"*/{GMD}useLimitation"),
                *children(element, f"*/{GMD}accessConstraints"),
            ):
                text, link = anchor(prop)
                if link in ACCESS_RIGHTS:
                    found.access_rights = found.access_rights or ACCESS_RIGHTS[link]
                elif link or (text and prop.tag != GMD + "accessConstraints"):
                    stated.append((text, link))
        links = [link for _, link in stated if link]
        texts = [text for text, _ in stated if text]
        licence_from: str | None = None
        for candidate in (*links, *texts, *(u for t in texts for u in _URL_IN_TEXT.findall(t))):
            found.license = _lookup_licence(candidate)
            if found.license:
                licence_from = candidate
                break
        rest = [
            (text, link) for text, link in stated if licence_from is None or licence_from not in (text, link)
        ]
        rights_texts = list(dict.fromkeys(text for text, _ in rest if text))
        rights_link = next((link for _, link in rest if link and is_web_url(link)), None)
        if rights_texts or rights_link:
            label = {self.language: "\n".join(rights_texts)} if rights_texts else {}
            found.rights = RightsStatement(uri=rights_link, label=label)
        return found


def resource_identifiers(citation: etree._Element | None) -> list[tuple[str, str | None]]:
    """``(code, codeSpace)`` of each citation identifier; an anchored code gives its web link."""
    out: list[tuple[str, str | None]] = []
    for identifier in children(citation, f"{GMD}identifier/*"):
        text, link = anchor(first(identifier, GMD + "code"))
        code_text = link if link and is_web_url(link) else text or link
        if code_text:
            out.append((code_text, value(first(identifier, GMD + "codeSpace"))))
    return out


def link_of(element: etree._Element | None) -> str | None:
    """An ``xlink:href`` that is a web URL."""
    found = href(element)
    return found if found and is_web_url(found) else None
