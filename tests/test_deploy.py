"""The shipped deployment files name commands and settings that exist (they are not run here)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from typer.testing import CliRunner

from catalog.api.dumps import default_cache_dir
from catalog.cli import app
from catalog.settings import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
runner = CliRunner()


def _catalog_command_exists(argv: list[str]) -> None:
    assert argv[0].endswith("catalog"), argv
    words = [word for word in argv[1:] if not word.startswith("-")]
    options = [word.split("=")[0] for word in argv[1:] if word.startswith("--")]
    result = runner.invoke(app, [*words[:2], "--help"])
    assert result.exit_code == 0, f"{argv}: {result.output}"
    for option in options:
        assert option in result.output, f"{argv}: no option {option}"


def test_compose_runs_migrations_then_one_web_and_two_workers_on_postgresql() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert services["migrate"]["command"] == ["catalog", "db", "upgrade"]
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("web", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        url = service["environment"]["CATALOG_DATABASE__URL"]
        assert Settings.model_validate({"database": {"url": url}}).database.url.startswith(
            "postgresql+psycopg"
        )
        _catalog_command_exists(service["command"])
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_web_serves_the_dump_blocks_the_workers_build() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    shared: set[str] = set()
    for name in ("web", "worker"):
        service = services[name]
        folder = service["environment"]["CATALOG_SERVER__DUMP_CACHE_DIR"]
        settings = Settings.model_validate({"server": {"dump_cache_dir": folder}})
        assert default_cache_dir(settings) == Path(folder)
        mounts = {mount.split(":")[1]: mount.split(":")[0] for mount in service["volumes"]}
        shared.add(mounts[folder])
    assert len(shared) == 1 and shared <= set(compose["volumes"])
    assert "/var/cache/catalog/dumps" in (DEPLOY.parent / "Dockerfile").read_text()


def test_systemd_units_and_crontab_call_existing_commands() -> None:
    service = (DEPLOY / "catalog-harvest.service").read_text()
    commands = re.findall(r"^Exec\w+=(.+)$", service, flags=re.MULTILINE)
    assert len(commands) == 2
    for command in commands:
        _catalog_command_exists(shlex.split(command))
    timer = (DEPLOY / "catalog-harvest.timer").read_text()
    assert "OnCalendar=*-*-* 02:00:00 Europe/Brussels" in timer
    defaults = Settings().harvest
    assert (defaults.schedule, defaults.timezone) == ("0 2 * * *", "Europe/Brussels"), (
        "timer matches defaults"
    )
    line = next(row for row in (DEPLOY / "crontab").read_text().splitlines() if row and row[0].isdigit())
    assert line.startswith(f"{defaults.schedule} ")
    for part in re.findall(r"\.venv/bin/(catalog [^;']+)", line):
        _catalog_command_exists(shlex.split(part))
