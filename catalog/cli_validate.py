"""``catalog validate FILE|URL``: check a DCAT feed against the DCAT-AP-VL shapes without storing it.

Exit codes: 0 no violations (warnings allowed), 1 violations found, 2 the input or the shapes could not
be read (a missing file, a malformed document, a refused URL), like the other commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from catalog.cli_errors import EXIT_PARTIAL, fail, user_errors

__all__ = ["validate_command"]


@user_errors
def validate_command(
    location: Annotated[
        str, typer.Argument(help="A DCAT file (Turtle, RDF/XML, JSON-LD, N-Triples) or URL.")
    ],
    shapes: Annotated[
        str,
        typer.Option(
            "--shapes",
            "-s",
            help="vl (DCAT-AP-VL 3), dcat-ap (DCAT-AP 3.0.1 only) or a shapes file.",
        ),
    ] = "vl",
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="table (default), json, or turtle (a sh:ValidationReport).")
    ] = "table",
    rdf_format: Annotated[
        str | None,
        typer.Option("--input-format", help="turtle, rdfxml, jsonld or ntriples (default: detected)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the table's messages: nl or en.")] = "nl",
) -> None:
    """Validate a DCAT feed (file or URL) and report per dataset; nothing is stored."""
    from catalog.quality.report import validate_document
    from catalog.quality.report_formats import REPORT_FORMATS, report_json, report_table, report_turtle
    from catalog.quality.validate import shape_set
    from catalog.settings import get_settings

    if output_format not in REPORT_FORMATS:
        raise fail(f"unknown format {output_format!r}; choose one of {', '.join(REPORT_FORMATS)}")
    if lang not in ("nl", "en"):
        raise fail(f"unknown language {lang!r}; choose nl or en")
    try:
        shape_set(shapes)
    except (ValueError, SyntaxError, OSError) as exc:
        raise fail(f"shapes: {exc}") from None
    settings = get_settings()
    max_bytes = settings.harvest.max_response_bytes
    if location.startswith(("http://", "https://")):
        from catalog.harvest.http import fetch
        from catalog.rdf.parse import detect_format

        fetched = fetch(
            location, max_bytes=max_bytes, allow_private_networks=settings.harvest.allow_private_networks
        )
        fmt = rdf_format or detect_format(
            content_type=fetched.content_type, name=fetched.url, data=fetched.content[:65536]
        )
        report = validate_document(
            fetched.content, shapes=shapes, format=fmt, base_iri=fetched.url, max_bytes=max_bytes
        )
    else:
        path = Path(location)
        if not path.is_file():
            raise fail(f"no such file: {location}")
        report = validate_document(
            path, shapes=shapes, format=rdf_format, base_iri=path.resolve().as_uri(), max_bytes=max_bytes
        )
    if output_format == "json":
        typer.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    elif output_format == "turtle":
        sys.stdout.buffer.write(report_turtle(report))
        sys.stdout.buffer.flush()
    else:
        typer.echo(report_table(report, lang=lang), nl=False)
    if not report.conforms:
        raise typer.Exit(EXIT_PARTIAL)
