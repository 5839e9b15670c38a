"""Run the real ``ingest`` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fresh_postgres_database

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def jsonl(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


@dataclass
class Cli:
    db_url: str
    config: Path
    cwd: Path

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        environ = {
            k: v for k, v in os.environ.items() if not k.startswith(("INGEST_", "PREFECT_API"))
        }
        environ.update(env or {})
        command = [
            sys.executable,
            "-m",
            "ingest",
            "--db",
            self.db_url,
            "--config",
            str(self.config),
        ]
        done = subprocess.run(
            [*command, *args],
            cwd=self.cwd,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    """The command on the bundled demo configuration and a fresh store."""
    return Cli(db_url=db_url, config=REPO / "config", cwd=tmp_path)


@dataclass
class DemoRun:
    """A store after one ``ingest run`` of the demo, shared by a module's read-only tests."""

    cli: Cli
    first: Result


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoRun]:
    tmp = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        cli = Cli(db_url=f"sqlite:///{tmp / 'ingest.db'}", config=REPO / "config", cwd=tmp)
        yield DemoRun(cli, cli("run"))
        return
    with fresh_postgres_database() as url:
        cli = Cli(db_url=url, config=REPO / "config", cwd=tmp)
        yield DemoRun(cli, cli("run"))
