"""How the ``catalog`` command reports failures: one line on stderr and an exit code, never a traceback.

Exit codes: 0 success, 1 the work ran but not everything succeeded (a harvest partial or failed, records
that failed), 2 a user mistake (bad input, unknown source, bad settings) or a store that cannot be used.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer

from catalog.exceptions import CatalogError

__all__ = ["EXIT_PARTIAL", "EXIT_USAGE", "fail", "user_errors"]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_PARTIAL = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``error: message`` on stderr; raise the returned ``Exit``."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Report the catalogue's errors and database problems as one line and a non-zero exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            return func(*args, **kwargs)
        except CatalogError as exc:
            raise fail(str(exc)) from None
        except (OperationalError, ProgrammingError) as exc:
            reason = str(exc.orig) if exc.orig is not None else str(exc)
            hint = (
                " (run `catalog db upgrade` first?)"
                if "no such table" in reason or "does not exist" in reason
                else ""
            )
            raise fail(f"database: {reason.splitlines()[0]}{hint}") from None

    return wrapper
