"""Settings: one typed place, read from a TOML file and ``CATALOG_<SECTION>__<KEY>`` variables.

Where the file comes from, first found wins: the ``--config`` option of the CLI (which sets
``CATALOG_CONFIG``), the ``CATALOG_CONFIG`` variable, ``./catalog.toml``. Environment variables override
the file. Every setting is documented in ``config.example.toml``; a test keeps the two in step.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from catalog.exceptions import ConfigError

__all__ = [
    "CatalogSection",
    "DatabaseSection",
    "HarvestSection",
    "QualitySection",
    "ServerSection",
    "Settings",
    "WorkerSection",
    "config_path",
    "get_settings",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSection(_Section):
    url: str = "sqlite:///data/catalog.db"
    """SQLAlchemy URL: ``sqlite:///path.db`` (embedded) or ``postgresql+psycopg://...`` (at scale)."""
    echo: bool = False
    """Log every SQL statement."""


class CatalogSection(_Section):
    base_uri: str = "http://127.0.0.1:8000/"
    """Base under which the catalogue mints URIs for datasets that have none of their own."""
    title: str = "Open data van de Vlaamse gemeenten"
    """The catalogue's own dct:title (Dutch)."""
    title_en: str = "Open data of the Flemish municipalities"
    """The catalogue's own dct:title (English)."""
    description: str = "Eén catalogus van de open data van alle 285 Vlaamse steden en gemeenten."
    """The catalogue's own dct:description (Dutch)."""
    publisher_name: str = "Open data van de Vlaamse gemeenten"
    """Name of the organisation that publishes the catalogue."""
    publisher_uri: str = "http://127.0.0.1:8000/organisation/catalog"
    """URI of the organisation that publishes the catalogue."""
    contact_email: str = "opendata@example.org"
    """Contact e-mail for the catalogue (dcat:contactPoint)."""


class HarvestSection(_Section):
    max_response_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    """Largest feed or response body the catalogue reads, in bytes."""
    batch_size: int = Field(default=1000, gt=0)
    """Records written to the store per transaction. A transaction dirties each index page it touches
    once, so larger batches write fewer pages per record: 1,000 (a feed page's worth) stored the
    benchmark's pages 18 % faster than 500 (``benchmarks/README.md``)."""
    parse_workers: int = Field(default=-1, ge=-1)
    """Processes that read (parse) a feed's pages while the harvest stores others: -1 one per CPU, 0 none
    (pages are read in the harvesting process)."""
    store_in_readers: bool = True
    """Page readers store the pages they read (in page order, see ``catalog.harvest.aside``) instead of
    sending the records back to the harvesting process to be stored there."""
    withdraw_threshold: float = Field(default=0.2, ge=0, le=1)
    """Share of a source's datasets a run may withdraw before it stops and asks for confirmation."""
    allow_private_networks: bool = False
    """Allow sources on loopback/private addresses (tests and closed networks only)."""
    allow_file_urls: bool = False
    """Allow ``file://`` source URLs (local feeds on the harvesting machine)."""
    connect_timeout: float = Field(default=10.0, gt=0)
    """Seconds to wait for a connection to a source."""
    read_timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait for the next bytes of a response."""
    request_timeout: float = Field(default=600.0, gt=0)
    """Seconds one request may take in all, from connecting to the last byte."""
    retries: int = Field(default=3, ge=0)
    """Retries of a request that failed with a connection error, a timeout, 429 or 5xx."""
    retry_max_wait: float = Field(default=60.0, ge=0)
    """Longest wait between retries in seconds (backoff, or the server's Retry-After)."""
    per_host_concurrency: int = Field(default=4, gt=0)
    """Requests open at once to one host."""
    max_redirects: int = Field(default=5, ge=0)
    """Redirects followed per request."""
    job_heartbeat_seconds: float = Field(default=15.0, gt=0)
    """How often a running harvest renews its job's heartbeat."""
    job_stale_after_seconds: float = Field(default=300.0, gt=0)
    """A running job whose heartbeat is older than this was killed; the next run of its source aborts it."""
    schedule: str = "0 2 * * *"
    """When the nightly harvest fires: a five-field cron expression in ``timezone``."""
    timezone: str = "Europe/Brussels"
    """The time zone the schedule is read in (an IANA name)."""
    host_spacing_seconds: float = Field(default=300.0, ge=0)
    """Seconds between the starts of two scheduled runs on one host (workers start runs in parallel)."""
    refresh_dumps: bool = True
    """After a run that changed datasets, rebuild the changed blocks of the downloads (``/catalog/dump.*.gz``)
    in the harvesting process, so no client waits for them; off: the first download (or ``catalog dump
    refresh``) builds them."""

    @model_validator(mode="after")
    def _schedule_parses(self) -> HarvestSection:
        from catalog.harvest.schedule import parse_cron

        try:
            parse_cron(self.schedule, self.timezone)
        except ConfigError as exc:
            raise ValueError(str(exc)) from exc
        return self


class QualitySection(_Section):
    score_on_harvest: bool = True
    """Validate and score every record a harvest or import writes (else ``catalog quality recompute``)."""
    link_check_ttl_hours: float = Field(default=168.0, gt=0)
    """A link-check result younger than this is reused; ``catalog check-links`` checks older ones again."""
    link_check_host_interval: float = Field(default=1.0, ge=0)
    """Seconds between two link-check requests to one host."""
    link_check_timeout: float = Field(default=10.0, gt=0)
    """Seconds one link check may take (connecting and the first answer)."""
    link_check_concurrency: int = Field(default=8, gt=0)
    """Hosts checked at once by ``catalog check-links``."""
    link_check_schedule: str = "0 3 * * *"
    """When the workers run the link checks (cron, UTC; on SQLite run ``catalog check-links`` from cron)."""


class WorkerSection(_Section):
    concurrency: int = Field(default=2, gt=0)
    """Harvests one ``catalog worker`` process runs at once."""
    retry_attempts: int = Field(default=5, ge=0)
    """Tries of a run that failed for a transient reason (portal unreachable or overloaded)."""
    retry_backoff_seconds: int = Field(default=4, ge=0)
    """Exponential backoff base: the n-th retry waits this to the power n+1 seconds (4, 16, 64, 256 ...)."""
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)
    """On SIGTERM, how long running harvests may go on before they are stopped at a batch and requeued."""
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    """How often a worker tells the queue it is alive."""
    stalled_after_seconds: float = Field(default=60.0, gt=0)
    """A worker silent this long is dead (SIGKILL, machine gone): its jobs go back in the queue."""
    control_interval_seconds: float = Field(default=60.0, gt=0)
    """How often each worker queues the due sources and looks for stalled jobs."""


class ServerSection(_Section):
    host: str = "127.0.0.1"
    """Address ``catalog serve`` listens on."""
    port: int = Field(default=8000, gt=0, lt=65536)
    """Port ``catalog serve`` listens on."""
    write_rate_per_minute: int = Field(default=60, gt=0)
    """Writes one API token (or one client address without a token) may make per minute; then 429."""
    test_rate_per_minute: int = Field(default=10, gt=0)
    """Source tests (``POST /api/sources/test``) one token or client address may run per minute."""
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    """Largest request body the API accepts, in bytes; larger ones get 413."""
    harvest_runs: Literal["thread", "queue"] = "thread"
    """Where harvests started through the API run: ``thread`` (in the web process) or ``queue`` (PostgreSQL:
    handed to ``catalog worker`` processes)."""
    dump_cache_dir: str = ""
    """Where the download dumps' built blocks are kept (``/catalog/dump.*.gz``). Empty: next to a SQLite
    file (``<file>.dump-cache``), else under the system's temporary directory. With PostgreSQL and web and
    worker processes on several hosts or containers, set it to a directory they all share, so the blocks
    a worker rebuilds after a harvest are the ones the web processes serve."""


def config_path() -> Path | None:
    """The TOML file in effect, or None."""
    explicit = os.environ.get("CATALOG_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"configuration file not found: {path}")
        return path
    default = Path("catalog.toml")
    return default if default.is_file() else None


class _TomlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self._data: dict[str, Any] = {}
        if path is not None:
            try:
                self._data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read {path}: {exc}") from exc

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", env_nested_delimiter="__", extra="forbid")

    database: DatabaseSection = Field(default_factory=DatabaseSection)
    catalog: CatalogSection = Field(default_factory=CatalogSection)
    harvest: HarvestSection = Field(default_factory=HarvestSection)
    server: ServerSection = Field(default_factory=ServerSection)
    worker: WorkerSection = Field(default_factory=WorkerSection)
    quality: QualitySection = Field(default_factory=QualitySection)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls, config_path()))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings in effect (cached; ``get_settings.cache_clear()`` after changing the environment)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from exc
