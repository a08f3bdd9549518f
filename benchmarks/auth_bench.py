"""What API tokens cost per request: verification (and the rate limit) against an anonymous request.

    .venv/bin/python benchmarks/auth_bench.py                  # SQLite, 500 requests per case
    .venv/bin/python benchmarks/auth_bench.py --database both  # and PostgreSQL (loopback only)

A fresh store (``upgrade_database``) holds 1,000 tokens, like a catalogue with many stewards. The real app
(``create_app``) gets a router of probes using the dependencies of ``catalog.api.auth`` exactly as the
resource routes do; requests go in process through ``TestClient`` (no sockets), one at a time, so the
difference between the cases is the dependencies' own work. Cases:

- ``anonymous``: ``OptionalPrincipalDep``, no header (the baseline);
- ``token``: the same route with a valid admin token (hash, look-up, constant-time compare; the last use
  is written at most once a minute);
- ``token + rate limit``: a POST with ``PrincipalDep`` and ``rate_limit("write")`` (a rate high enough
  never to refuse);
- ``verify_token`` alone, called in a loop on one session (no HTTP).

The three HTTP cases take turns request by request (a busy machine slows them alike); requests per
second are shown with their ratio to ``anonymous`` measured in the same run. Prints one Markdown table
row per database and case.
"""

from __future__ import annotations

import argparse
import logging
import platform
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import create_engine, text

from catalog.api.auth import OptionalPrincipalDep, PrincipalDep, rate_limit

__all__ = ["main"]

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


probes = APIRouter(prefix="/probe")


@probes.get("/who")
def who(principal: OptionalPrincipalDep) -> dict[str, Any]:
    return {"name": principal.name if principal else None}


@probes.post("/write", dependencies=[Depends(rate_limit("write"))])
def write(principal: PrincipalDep) -> dict[str, Any]:
    return {"name": principal.name}


def _interleaved(n: int, cases: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Calls per second of each case, the cases taking turns call by call (so a busy machine slows them
    all alike)."""
    spent = dict.fromkeys(cases, 0.0)
    for _ in range(n):
        for name, call in cases.items():
            started = time.perf_counter()
            call()
            spent[name] += time.perf_counter() - started
    return {name: n / seconds for name, seconds in spent.items()}


def run(url: str, n: int) -> list[tuple[str, float]]:
    """(case, requests per second) on the store at ``url``."""
    from fastapi.testclient import TestClient

    from catalog.api.app import create_app
    from catalog.auth.tokens import create_token, verify_token
    from catalog.db.engine import make_engine, make_session_factory
    from catalog.services import upgrade_database
    from catalog.settings import Settings

    settings = Settings(database={"url": url}, server={"write_rate_per_minute": 10**9})
    upgrade_database(settings=settings)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        for i in range(1000):
            create_token(session, name=f"steward-{i}", role="steward", municipalities=["44021"])
        admin, _ = create_token(session, name="admin", role="admin")
        session.commit()
    app = create_app(settings)
    app.include_router(probes)
    headers = {"Authorization": f"Bearer {admin}"}
    with TestClient(app) as client:
        assert client.get("/probe/who", headers=headers).json() == {"name": "admin"}

        def anonymous() -> None:
            assert client.get("/probe/who").status_code == 200

        def token() -> None:
            assert client.get("/probe/who", headers=headers).status_code == 200

        def limited() -> None:
            assert client.post("/probe/write", headers=headers).status_code == 200

        cases = {"anonymous": anonymous, "token": token, "token + rate limit": limited}
        _interleaved(50, cases)  # warm up
        results = list(_interleaved(n, cases).items())
    with sessions() as session:
        started = time.perf_counter()
        for _ in range(n):
            verify_token(session, admin)
        results.append(("verify_token alone (no HTTP)", n / (time.perf_counter() - started)))
    engine.dispose()
    return results


def _postgres_schema(base: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy.engine import make_url

    host = make_url(base).host
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise SystemExit(f"refusing a non-loopback database host: {host}")
    schema = f"bench_auth_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)  # the access log at INFO is not what is measured
    print(f"# {platform.node()} Python {platform.python_version()} {time.strftime('%Y-%m-%d %H:%M')}")
    print("| database | case | requests/s | vs anonymous |")
    print("|---|---|---:|---:|")
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results = run(f"sqlite:///{Path(tmp) / 'auth.db'}", args.requests)
        else:
            url, drop = _postgres_schema(args.postgres_url)
            try:
                results = run(url, args.requests)
            finally:
                drop()
        baseline = results[0][1]
        for case, rate in results:
            print(f"| {database} | {case} | {rate:,.0f} | {rate / baseline:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
