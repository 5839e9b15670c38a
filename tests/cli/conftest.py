"""Run ``ingest``'s console entry point in this process, as the shell would call it: the
arguments in ``sys.argv``, a clean ``INGEST_*`` environment, and the exit status it gives."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.cli import main
from tests.e2e.conftest import Cli, Result

REPO = Path(__file__).resolve().parents[2]

Ingest = Callable[..., Result]


@pytest.fixture
def ingest(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Ingest:
    """``ingest(*args, env={...})``: run the command and return its status and output."""
    for name in os.environ:
        if name.startswith(("INGEST_", "PREFECT_API")):
            monkeypatch.delenv(name)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "argv", ["ingest", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            for name in env or {}:
                monkeypatch.delenv(name)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An SQLite store holding the five demo seeds, imported by the real command (read only)."""
    tmp = tmp_path_factory.mktemp("seeded")
    url = f"sqlite:///{tmp / 'seeds.db'}"
    done = Cli(db_url=url, config=REPO / "config", cwd=tmp)(
        "import", str(REPO / "demo/seeds.jsonl")
    )
    assert done.code == 0, done.stderr
    yield url
