"""What the CLI and the web service do, on the store named by the settings.

Each function opens its own engine from ``get_settings()`` (or the settings given), so it can be called
from a command, a test or a worker alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import make_engine, make_session_factory, session_scope
from catalog.db.migrate import upgrade
from catalog.db.queries import iter_datasets
from catalog.db.sources import MunicipalityRow, create_source, get_source_by_url, load_municipalities
from catalog.db.tables import Source
from catalog.exceptions import FeedError, InputError
from catalog.harvest.http import check_url
from catalog.importer import ImportReport, import_feed
from catalog.model import Agent, Catalog, ContactPoint, DataService, Dataset, DatasetSeries
from catalog.rdf.parse import FeedReader, parse_feed
from catalog.rdf.serialize import write_records
from catalog.settings import Settings, get_settings
from vocab.municipalities import by_nis, merged_into, municipalities

__all__ = [
    "DEMO_SOURCE_URL",
    "catalog_description",
    "export_catalog",
    "import_demo",
    "import_location",
    "municipality_rows",
    "upgrade_database",
]

DEMO_SOURCE_URL = "urn:catalog:demo"
_CC0 = "http://publications.europa.eu/resource/authority/licence/CC0"
_THEMES = "http://publications.europa.eu/resource/authority/data-theme"


def _factory(settings: Settings) -> sessionmaker[Session]:
    return make_session_factory(make_engine(settings.database.url, echo=settings.database.echo), writer=True)


def municipality_rows() -> list[MunicipalityRow]:
    """The 285 municipalities of 2025 and the merged ones of 2019, as the store loads them."""
    rows: list[MunicipalityRow] = [
        {
            "nis": m.nis,
            "name": m.name,
            "province": m.province_name,
            "arrondissement": m.arrondissement_name,
            "valid_from": 2025 if by_nis(m.nis, 2019) is None else None,
            "valid_until": None,
            "merged_into": None,
        }
        for m in municipalities(2025)
    ]
    current = {row["nis"] for row in rows}
    for m in municipalities(2019):
        if m.nis not in current:
            rows.append(
                {
                    "nis": m.nis,
                    "name": m.name,
                    "province": m.province_name,
                    "arrondissement": m.arrondissement_name,
                    "valid_from": None,
                    "valid_until": 2024,
                    "merged_into": merged_into(m.nis),
                }
            )
    return rows


def upgrade_database(revision: str = "head", settings: Settings | None = None) -> str:
    """Migrate the schema to ``revision`` and (re)load the municipalities; return the URL, password hidden."""
    settings = settings or get_settings()
    upgrade(settings.database.url, revision)
    if revision == "head":
        with session_scope(_factory(settings)) as session:
            load_municipalities(session, municipality_rows())
    from sqlalchemy.engine import make_url

    return make_url(settings.database.url).render_as_string(hide_password=True)


def import_location(
    location: str,
    *,
    name: str | None = None,
    format: str | None = None,
    municipality: str | None = None,
    confirm_withdrawal: bool = False,
    settings: Settings | None = None,
) -> ImportReport:
    """Import a DCAT file or URL as a source (registered on first use, matched by its location after)."""
    settings = settings or get_settings()
    if municipality is not None and by_nis(municipality) is None:
        raise InputError(f"unknown municipality NIS code {municipality!r}")
    if location.startswith(("http://", "https://")):
        return _harvest_url(
            location,
            settings,
            name=name or location,
            format=format,
            municipality=municipality,
            confirm_withdrawal=confirm_withdrawal,
        )
    path = Path(location)
    if not path.is_file():
        raise InputError(f"no such file: {location}")
    source_url = path.resolve().as_uri()
    max_bytes = settings.harvest.max_response_bytes
    reader = parse_feed(path, format=format, base_iri=source_url, max_bytes=max_bytes)
    return _import(
        reader,
        settings,
        url=source_url,
        name=name or location,
        municipality=municipality,
        confirm_withdrawal=confirm_withdrawal,
    )


def _harvest_url(
    url: str,
    settings: Settings,
    *,
    name: str,
    format: str | None,
    municipality: str | None,
    confirm_withdrawal: bool,
) -> ImportReport:
    """A DCAT feed URL harvested as a ``dcat`` source (Hydra paging, retries, conditional GET).

    A source registered by this call whose first harvest fails is removed again, and the error raised.
    """
    from catalog.harvest.runner import run_harvest
    from harvesters.dcat import DcatHarvester

    check_url(url, allow_private_networks=settings.harvest.allow_private_networks)
    factory = _factory(settings)
    with session_scope(factory) as session:
        source = get_source_by_url(session, url=url)
        created = source is None
        if source is None:
            options = {"format": format} if format else {}
            source = create_source(
                session, name=name, kind="dcat", url=url, municipality=municipality, options=options
            )
            session.flush()
        source_id, kind = source.id, source.kind
    report = run_harvest(
        factory,
        source_id=source_id,
        settings=settings,
        confirm_withdrawal=confirm_withdrawal,
        harvester=None if kind == "dcat" else DcatHarvester,
        default_municipality=municipality,
    )
    if created and report.status == "failed":
        with session_scope(factory) as session:
            found = session.get(Source, source_id)
            if found is not None:
                session.delete(found)
        raise FeedError(report.error or f"{url} cannot be harvested")
    return report


def import_demo(settings: Settings | None = None) -> ImportReport:
    """Load the bundled demo catalogue as the source ``urn:catalog:demo``."""
    settings = settings or get_settings()
    data = files("catalog.demo").joinpath("demo-catalog.ttl").read_bytes()
    reader = parse_feed(data, format="turtle")
    return _import(
        reader,
        settings,
        url=DEMO_SOURCE_URL,
        name="Demo catalogue",
        municipality=None,
        confirm_withdrawal=True,
    )


def _import(
    reader: FeedReader,
    settings: Settings,
    *,
    url: str,
    name: str,
    municipality: str | None,
    confirm_withdrawal: bool,
) -> ImportReport:
    factory = _factory(settings)
    with session_scope(factory) as session:
        source = get_source_by_url(session, url=url)
        if source is None:
            source = create_source(session, name=name, kind="dcat", url=url, municipality=municipality)
            session.flush()
        source_id = source.id
        default = municipality or source.municipality_nis
    with reader:
        return import_feed(
            factory,
            source_id=source_id,
            reader=reader,
            default_municipality=default,
            batch_size=settings.harvest.batch_size,
            withdraw_threshold=settings.harvest.withdraw_threshold,
            confirm_withdrawal=confirm_withdrawal,
            base_uri=settings.catalog.base_uri,
        )


def catalog_description(settings: Settings) -> Catalog:
    """The catalogue's own DCAT-AP-VL description, from the settings."""
    c = settings.catalog
    return Catalog(
        uri=c.base_uri.rstrip("/") + "/catalog",
        identifier=[c.base_uri.rstrip("/") + "/catalog"],
        title={"nl": c.title, "en": c.title_en},
        description={"nl": c.description},
        publisher=Agent(uri=c.publisher_uri, name={"nl": c.publisher_name}),
        contact_point=[ContactPoint(name=c.publisher_name, email=c.contact_email)],
        homepage=c.base_uri,
        license=_CC0,
        language=["http://publications.europa.eu/resource/authority/language/NLD"],
        theme_taxonomy=[_THEMES],
    )


def _public_records(factory: sessionmaker[Session]) -> Iterator[Dataset | DataService | DatasetSeries]:
    with factory() as session:
        for stored in iter_datasets(session, batch_size=1000):
            record = stored.record
            yield record if record.uri == stored.uri else record.model_copy(update={"uri": stored.uri})


def export_catalog(out: BinaryIO, *, format: str, settings: Settings | None = None) -> int:
    """Write every live record as one DCAT-AP-VL document, streamed; return the count."""
    settings = settings or get_settings()
    return write_records(
        out,
        _public_records(_factory(settings)),
        format=format,
        catalog=catalog_description(settings),
        base_uri=settings.catalog.base_uri,
    )
