"""A configuration mistake stops every command at once, in one line naming the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Ingest

SOURCES = """
[[sources]]
name = "kukarkab"
kind = "rss"
url = "https://kukarkab.go.id/feed"
schedule = "0 25 * * *"
"""


@pytest.mark.parametrize(
    "command", [["run"], ["sources"], ["stories"], ["settings"], ["dedup", "rebuild"]], ids=" ".join
)
def test_a_bad_schedule_stops_every_command(
    ingest: Ingest, tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "sources.toml").write_text(SOURCES)
    db = tmp_path / "ingest.db"
    result = ingest(*command, "--config", str(tmp_path), "--db", f"sqlite:///{db}")
    assert result.code == 2
    assert result.stderr.startswith(
        f"ingest: error: {tmp_path / 'sources.toml'}: sources[0] (kukarkab).schedule: "
        "schedule '0 25 * * *': invalid cron expression"
    )
    assert result.stderr.count("\n") == 1
    assert not db.exists()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "INGEST_FETCH__ALLOW_PRIVATE",
            "10.0.0.0/8",
            "INGEST_FETCH__ALLOW_PRIVATE: not valid JSON",
        ),
        (
            "INGEST_TIMEZONE",
            "Asia",
            "INGEST_TIMEZONE: timezone: unknown time zone 'Asia' (e.g. Asia/Makassar)",
        ),
    ],
)
def test_a_bad_environment_value_stops_the_command_in_one_line(
    ingest: Ingest, tmp_path: Path, name: str, value: str, expected: str
) -> None:
    (tmp_path / "sources.toml").write_text(SOURCES.replace("0 25", "0 6"))
    result = ingest("settings", "--config", str(tmp_path), env={name: value})
    assert result.code == 2
    assert result.stderr == f"ingest: error: environment {expected}\n"
