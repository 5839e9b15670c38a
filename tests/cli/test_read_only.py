"""The read-only commands: from any folder with ``--db``, never creating a store, and one line
saying what is wrong with the database they are given."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.cli.conftest import REPO, Ingest
from tests.conftest import _admin_engine

READ_ONLY = [["stories"], ["documents"], ["story", "1"], ["runs"]]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder: no ``config/``, no ``ingest.db``."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("command", [*READ_ONLY, ["settings"]], ids=" ".join)
def test_read_only_commands_need_no_config_folder(
    ingest: Ingest, seeded: str, elsewhere: Path, command: list[str]
) -> None:
    result = ingest(*command, "--db", seeded, "--format", "jsonl")
    assert result.code == 0, result.stderr
    assert result.stdout.strip()
    assert list(elsewhere.iterdir()) == []


def test_a_config_folder_named_must_exist_even_for_reading(
    ingest: Ingest, seeded: str, elsewhere: Path
) -> None:
    result = ingest("stories", "--db", seeded, "--config", "nowhere")
    assert (result.code, result.stderr) == (
        2,
        "ingest: error: nowhere: configuration folder not found (use --config PATH)\n",
    )


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_missing_sqlite_file_is_an_error_naming_it(
    ingest: Ingest, elsewhere: Path, command: list[str]
) -> None:
    missing = elsewhere / "typo" / "ingest.db"
    result = ingest(*command, "--db", f"sqlite:///{missing}")
    assert result.code == 1
    assert result.stderr == (
        f"ingest: error: {missing}: no such database file (check --db; a run or import makes it)\n"
    )
    assert list(elsewhere.iterdir()) == []  # neither the file nor its folder


@pytest.mark.parametrize("command", [["stories"], ["settings"], ["db", "upgrade"]], ids=" ".join)
def test_an_empty_db_url_is_an_error(ingest: Ingest, elsewhere: Path, command: list[str]) -> None:
    result = ingest(*command, "--db", "", "--config", str(REPO / "config"))
    assert result.code == 2
    assert (
        result.stderr == "ingest: error: --db: empty database URL (give a URL, or leave --db out)\n"
    )
    assert list(elsewhere.iterdir()) == []  # no ./ingest.db


def test_an_unknown_schema_revision_is_one_line(ingest: Ingest, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    assert ingest("db", "upgrade", "--db", url, "--config", str(REPO / "config")).code == 0
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("update alembic_version set version_num = '0999'"))
    engine.dispose()
    result = ingest("stories", "--db", url)
    assert result.code == 1
    assert result.stderr.count("\n") == 1
    assert "schema revision '0999' is unknown to this version of ingest" in result.stderr


def test_a_refused_postgresql_connection_says_so(ingest: Ingest) -> None:
    result = ingest("stories", "--db", "postgresql://reader:s3cret@127.0.0.1:1/news")
    assert (result.code, result.stderr) == (
        1,
        "ingest: error: cannot connect to postgresql://reader:***@127.0.0.1:1/news: "
        "connection refused\n",
    )


@pytest.mark.postgres
def test_an_unknown_postgresql_database_or_role_says_which(ingest: Ingest) -> None:
    server = make_url(_admin_engine().url.render_as_string(hide_password=False))
    unknown_db = server.set(database="ingest_no_such_database")
    result = ingest("stories", "--db", unknown_db.render_as_string(hide_password=False))
    assert result.code == 1
    assert result.stderr.count("\n") == 1
    assert ': unknown database (database "ingest_no_such_database" does not exist)' in result.stderr
    stranger = server.set(username="ingest_no_such_role", password="s3cret")
    result = ingest("stories", "--db", stranger.render_as_string(hide_password=False))
    assert result.code == 1
    assert result.stderr.count("\n") == 1
    assert ": authentication failed (" in result.stderr
    assert "s3cret" not in result.stderr
