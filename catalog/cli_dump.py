"""``catalog dump refresh``: build the download dumps' changed blocks ahead of the first download.

Run it after the nightly harvest (see the README's schedule section): the next ``/catalog/dump.nt.gz`` or
``/catalog/dump.ttl.gz`` then streams from the block cache instead of serialising the changed datasets
while a client waits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from catalog.cli_errors import fail, user_errors

__all__ = ["dump_app"]

dump_app = typer.Typer(help="The full-catalogue downloads (/catalog/dump.*.gz).", no_args_is_help=True)

_FORMATS = {"nt": "ntriples", "ntriples": "ntriples", "ttl": "turtle", "turtle": "turtle"}


@dump_app.command("refresh")
@user_errors
def refresh(
    format: Annotated[
        list[str] | None, typer.Option("--format", "-f", help="nt or ttl (default: both); repeatable.")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Block cache directory (default: the one the web service uses).")
    ] = None,
) -> None:
    """Serialise the blocks of datasets that changed since the last dump and drop stale blocks."""
    from catalog.api.dumps import DUMP_FORMATS, refresh_dump_cache
    from catalog.settings import get_settings

    formats: tuple[str, ...] = DUMP_FORMATS
    if format:
        unknown = [name for name in format if name.lower() not in _FORMATS]
        if unknown:
            raise fail(f"unknown dump format {unknown[0]!r}; choose nt or ttl")
        formats = tuple(dict.fromkeys(_FORMATS[name.lower()] for name in format))
    built = refresh_dump_cache(get_settings(), formats=formats, cache_dir=cache_dir)
    for name, count in built.items():
        typer.echo(f"{name}: {count} block(s) rebuilt")
