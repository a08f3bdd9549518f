"""``catalog tokens ...``: the API tokens of admins and stewards.

``create`` prints the new token once (on stdout, so it can be captured) and a warning on stderr that it
is not shown again; the store keeps only its hash. ``list`` never shows a secret, only the first
characters of each token. Creating and revoking are written to the audit log (actor: the command line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from catalog.cli_errors import user_errors

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["tokens_app"]

tokens_app = typer.Typer(help="API tokens of admins and stewards.", no_args_is_help=True)


def _sessions() -> sessionmaker[Session]:
    from catalog.db.engine import make_engine, make_session_factory
    from catalog.settings import get_settings

    settings = get_settings()
    return make_session_factory(make_engine(settings.database.url, echo=settings.database.echo), writer=True)


@tokens_app.command("create")
@user_errors
def tokens_create(
    name: Annotated[str, typer.Option("--name", help="A unique name: who or what holds the token.")],
    role: Annotated[str, typer.Option("--role", help="admin (everything) or steward (its scope only).")],
    municipality: Annotated[
        list[str] | None,
        typer.Option(
            "--municipality", "-m", help="NIS code whose sources a steward manages (repeat for more)."
        ),
    ] = None,
    organisation: Annotated[
        list[str] | None,
        typer.Option("--organisation", "-o", help="Organisation name or URI a steward manages (repeat)."),
    ] = None,
) -> None:
    """Make an API token and print it once."""
    from catalog.auth.audit import record_audit
    from catalog.auth.tokens import create_token, token_summary

    with _sessions()() as session:
        plaintext, token = create_token(
            session, name=name, role=role, municipalities=municipality or (), organisations=organisation or ()
        )
        record_audit(
            session,
            principal=None,
            action="create",
            entity="token",
            entity_id=token.id,
            before=None,
            after=token_summary(token),
        )
        session.commit()
        scope = ", ".join([*token.municipalities, *token.organisations]) or "everything"
        typer.echo(f"created {token.role} token {token.name!r} (id {token.id}) for {scope}", err=True)
    typer.echo("warning: this token is shown only now; store it safely, it cannot be shown again", err=True)
    typer.echo(plaintext)


@tokens_app.command("list")
@user_errors
def tokens_list() -> None:
    """Every token (revoked ones too), without secrets."""
    from catalog.auth.tokens import list_tokens
    from catalog.cli_harvest import _table

    with _sessions()() as session:
        tokens = list_tokens(session)
        rows = [
            [
                str(t.id),
                t.name,
                t.role,
                t.prefix + "…",
                ", ".join([*t.municipalities, *t.organisations])
                or ("everything" if t.role == "admin" else ""),
                t.created_at.strftime("%Y-%m-%d %H:%M"),
                t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never",
                t.revoked_at.strftime("%Y-%m-%d %H:%M") if t.revoked_at else "",
            ]
            for t in tokens
        ]
    if not rows:
        typer.echo("no tokens; make one with `catalog tokens create`")
        return
    headers = ["id", "name", "role", "token", "scope", "created", "last used", "revoked"]
    typer.echo(_table(headers, rows, numeric={"id"}))


@tokens_app.command("revoke")
@user_errors
def tokens_revoke(
    token: Annotated[str, typer.Argument(help="The token's name or id.")],
) -> None:
    """Revoke a token: from the next request on, it is refused (401)."""
    from sqlalchemy import select

    from catalog.auth.audit import record_audit
    from catalog.auth.tokens import revoke_token, token_summary
    from catalog.db.auth_tables import ApiToken
    from catalog.exceptions import NotFound

    with _sessions()() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.name == token)).one_or_none()
        if row is None and token.isdigit():
            row = session.get(ApiToken, int(token))
        if row is None:
            raise NotFound(f"no token named {token!r}" + (" or with that id" if token.isdigit() else ""))
        if row.revoked_at is not None:
            typer.echo(f"token {row.name!r} (id {row.id}) was revoked already")
            return
        before = token_summary(row)
        revoke_token(session, id=row.id)
        record_audit(
            session,
            principal=None,
            action="revoke",
            entity="token",
            entity_id=row.id,
            before=before,
            after=token_summary(row),
        )
        session.commit()
        typer.echo(f"revoked token {row.name!r} (id {row.id})")
