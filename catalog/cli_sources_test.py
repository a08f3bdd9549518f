"""``catalog sources test``: what the catalogue would make of a portal, before it is registered.

Prints each record it read (remote id, title, municipality, problems), then the requests made (status,
content type, bytes, milliseconds); ``--json`` prints the whole preview as the API answers it. Exit code 0
when the listing could be read (records with problems included), 1 when it could not be read to the end
or a record failed, 2 on a usage error (unknown kind, invalid options, a URL the guard refuses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from catalog.cli_errors import EXIT_PARTIAL, user_errors

if TYPE_CHECKING:
    from catalog.harvest.preview import Preview, PreviewRecord

__all__ = ["sources_test"]


def _title(record: PreviewRecord) -> str:
    titles = (record.record or {}).get("title") or {}
    if not isinstance(titles, dict) or not titles:
        return ""
    for lang in ("nl", "en", ""):
        if titles.get(lang):
            return str(titles[lang])
    return str(next(iter(titles.values())))


def _lines(preview: Preview) -> list[str]:
    lines = []
    for record in preview.records:
        head = f"{record.status:7} {record.remote_id or '?'}"
        if record.status == "ok":
            title = _title(record)
            head += f"  {title}" if title else ""
            head += f"  (municipality {record.municipality})" if record.municipality else ""
        else:
            head += f": {record.reason}"
        lines.append(head)
        for problem in record.problems:
            value = f" ({problem.value[:120]})" if problem.value else ""
            lines.append(f"        {problem.severity}: {problem.path}: {problem.message}{value}")
    lines.append("")
    for page in preview.pages:
        status = page.status if page.status is not None else "-"
        lines.append(
            f"{page.method} {page.url} -> {status} {page.content_type or '-'} {page.bytes} bytes {page.ms} ms"
            + (f"  error: {page.error}" if page.error else "")
        )
    counts = preview.counts()
    more = "the listing ended" if preview.listing_ended else f"stopped at the limit of {preview.limit}"
    lines.append(
        f"{len(preview.records)} records ({counts['ok']} ok, {counts['failed']} failed, {counts['skipped']}"
        f" skipped); {preview.pages_seen} pages; {preview.seconds:.1f} s; {more}"
    )
    if preview.error:
        lines.append(f"error: {preview.error}")
    return lines


@user_errors
def sources_test(
    kind: Annotated[str, typer.Option("--kind", help="The portal kind (harvester): dcat, ckan ...")],
    url: Annotated[str, typer.Option("--url", help="The feed or API address.")],
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="A harvester option KEY=VALUE (repeat for more)."),
    ] = None,
    municipality: Annotated[
        str | None, typer.Option("--municipality", help="NIS code of the municipality it belongs to.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="Records to read.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the preview as JSON.")] = False,
) -> None:
    """Test a portal before registering it: read and map its first records; nothing is written."""
    import asyncio
    import json

    from catalog.auth.limits import check_options_json
    from catalog.auth.tokens import normalise_municipality
    from catalog.harvest.preview import preview_source
    from catalog.harvest.registry import parse_option_pairs
    from catalog.settings import get_settings

    options = parse_option_pairs(option or [])
    check_options_json(options)
    nis = normalise_municipality(municipality) if municipality else None
    preview = asyncio.run(
        preview_source(get_settings(), kind=kind, url=url, options=options, municipality=nis, limit=limit)
    )
    if as_json:
        typer.echo(json.dumps(preview.as_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(_lines(preview)))
    if preview.error or preview.counts()["failed"]:
        raise typer.Exit(EXIT_PARTIAL)
