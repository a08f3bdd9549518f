"""The ``catalog`` command line.

User mistakes (a missing file, a malformed feed, bad settings) end with one line on stderr and exit code 2;
never a traceback (``catalog.cli_errors``). ``sources`` and ``harvest`` live in ``catalog.cli_harvest``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from catalog.cli_dump import dump_app
from catalog.cli_errors import fail, user_errors
from catalog.cli_harvest import harvest_command, sources_app
from catalog.cli_quality import check_links_command, quality_app
from catalog.cli_sources_test import sources_test
from catalog.cli_tokens import tokens_app
from catalog.cli_validate import validate_command
from catalog.cli_worker import jobs_app, worker_command

__all__ = ["app"]

app = typer.Typer(
    name="catalog",
    help="Open-data catalogue and harvester for the Flemish municipalities (DCAT-AP-VL).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The metadata store.", no_args_is_help=True)
app.add_typer(db_app, name="db")
sources_app.command("test")(sources_test)
app.add_typer(sources_app, name="sources")
app.add_typer(tokens_app, name="tokens")
app.add_typer(dump_app, name="dump")
app.command("harvest")(harvest_command)
app.command("validate")(validate_command)
app.add_typer(quality_app, name="quality")
app.command("check-links")(check_links_command)
app.add_typer(jobs_app, name="jobs")
app.command("worker")(worker_command)

EXPORT_FORMATS = {
    "ttl": "turtle",
    "turtle": "turtle",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "rdf": "rdfxml",
    "xml": "rdfxml",
    "rdfxml": "rdfxml",
    "jsonld": "jsonld",
}


@app.callback()
def main(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="TOML settings file (else CATALOG_CONFIG, ./catalog.toml)."),
    ] = None,
) -> None:
    """Open-data catalogue and harvester for the Flemish municipalities."""
    if config is not None:
        os.environ["CATALOG_CONFIG"] = str(config)
    from catalog.settings import get_settings

    get_settings.cache_clear()


@db_app.command("upgrade")
@user_errors
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or migrate the database schema, and load the municipalities."""
    from catalog.services import upgrade_database

    url = upgrade_database(revision)
    typer.echo(f"database at {revision}: {url}")


@app.command("import")
@user_errors
def import_(
    location: Annotated[
        str, typer.Argument(help="A DCAT file (Turtle, RDF/XML, JSON-LD, N-Triples) or URL.")
    ],
    name: Annotated[str | None, typer.Option(help="Name of the source (default: the file or URL).")] = None,
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="turtle, rdfxml, jsonld or ntriples.")
    ] = None,
    municipality: Annotated[str | None, typer.Option(help="NIS code of the source's municipality.")] = None,
    confirm_withdrawal: Annotated[
        bool, typer.Option("--confirm-withdrawal", help="Withdraw even more than the allowed share.")
    ] = False,
) -> None:
    """Load a DCAT feed as a source: its datasets are created, updated or (when gone) withdrawn."""
    from catalog.api.dumps import refresh_after_harvest
    from catalog.services import import_location
    from catalog.settings import get_settings

    report = import_location(
        location, name=name, format=format, municipality=municipality, confirm_withdrawal=confirm_withdrawal
    )
    refresh_after_harvest(get_settings(), [report])  # the download dumps' changed blocks; never raises
    typer.echo(report.summary())
    if report.failed or report.status == "failed":
        raise typer.Exit(1)


@app.command("demo")
@user_errors
def demo() -> None:
    """Load the bundled demo catalogue (idempotent)."""
    from catalog.api.dumps import refresh_after_harvest
    from catalog.services import import_demo
    from catalog.settings import get_settings

    report = import_demo()
    refresh_after_harvest(get_settings(), [report])  # the download dumps' changed blocks; never raises
    typer.echo(report.summary())


@app.command("export")
@user_errors
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="ttl, jsonld, rdf or nt.")] = "ttl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")
    ] = None,
) -> None:
    """Write the whole catalogue as DCAT-AP-VL, streamed."""
    from catalog.services import export_catalog

    rdf_format = EXPORT_FORMATS.get(format.lower())
    if rdf_format is None:
        raise fail(f"unknown format {format!r}; choose one of ttl, jsonld, rdf, nt")
    if output is None:
        count = export_catalog(sys.stdout.buffer, format=rdf_format)
    else:
        with output.open("wb") as out:
            count = export_catalog(out, format=rdf_format)
    typer.echo(f"exported {count} records", err=True)


@app.command("serve")
@user_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the catalogue over HTTP."""
    import uvicorn

    from catalog.api.app import create_app
    from catalog.settings import get_settings

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.server.host, port=port or settings.server.port)
