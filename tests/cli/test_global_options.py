"""``--db``, ``--config`` and ``-v`` are taken before or after the subcommand."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.cli.conftest import REPO, Ingest

CONFIG = str(REPO / "config")


def test_db_and_config_after_the_subcommand(
    ingest: Ingest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "after.db"
    made = ingest("db", "upgrade", "--db", f"sqlite:///{db}", "--config", CONFIG)
    assert made.code == 0, made.stderr
    assert db.is_file()
    listed = ingest("stories", "--format", "jsonl", "--db", f"sqlite:///{db}", "--config", CONFIG)
    assert (listed.code, listed.stdout) == (0, ""), listed.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["after.db"]  # no ./ingest.db


def test_the_option_after_the_subcommand_wins(
    ingest: Ingest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before, after, env = (tmp_path / f"{n}.db" for n in ("before", "after", "env"))
    result = ingest(
        "--db",
        f"sqlite:///{before}",
        "db",
        "--config",
        CONFIG,
        "upgrade",
        "--db",
        f"sqlite:///{after}",
        env={"INGEST_DB_URL": f"sqlite:///{env}"},
    )
    assert result.code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["after.db"]


def test_verbosity_adds_up_before_and_after_the_subcommand(ingest: Ingest, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    logger = logging.getLogger("ingest")
    level = logger.level
    try:
        assert ingest("-v", "db", "upgrade", "--db", db, "--config", CONFIG).code == 0
        assert logger.level == logging.INFO
        assert ingest("-v", "db", "upgrade", "-v", "--db", db, "--config", CONFIG).code == 0
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(level)


def test_every_command_lists_the_global_options_in_its_help(ingest: Ingest) -> None:
    for command in (["stories"], ["run"], ["db", "upgrade"], ["runs"], ["dedup", "rebuild"]):
        shown = ingest(*command, "--help")
        assert shown.code == 0
        for option in ("--db", "--config", "--verbose"):
            assert option in shown.stdout, (command, option)
