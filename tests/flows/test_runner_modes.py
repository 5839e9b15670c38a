"""How ``ingest run`` decides between the plain call and a Prefect flow run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.errors import ConfigError, FetchTimeout, NotAnArticle, SourceError
from ingest.runner import (
    configured_api_url,
    failed_source_summary,
    is_transient,
    parse_since,
    serve_state_path,
)
from tests.flows.flows_testing import make_config


def test_the_environment_names_the_server(tmp_path: Path) -> None:
    env = {"PREFECT_HOME": str(tmp_path), "PREFECT_API_URL": "http://127.0.0.1:4200/api"}
    assert configured_api_url(env) == "http://127.0.0.1:4200/api"
    assert configured_api_url({"PREFECT_HOME": str(tmp_path)}) is None


def test_the_active_profile_names_the_server(tmp_path: Path) -> None:
    (tmp_path / "profiles.toml").write_text(
        'active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n'
        "[profiles.other]\n"
    )
    env = {"PREFECT_HOME": str(tmp_path)}
    assert configured_api_url(env) == "http://10.0.0.5:4200/api"
    assert configured_api_url({**env, "PREFECT_PROFILE": "other"}) is None


def test_a_server_started_by_serve_counts_only_while_it_runs(tmp_path: Path) -> None:
    env = {"PREFECT_HOME": str(tmp_path)}
    state = serve_state_path(env)
    state.write_text(json.dumps({"api_url": "http://127.0.0.1:5555/api", "pid": os.getpid()}))
    assert configured_api_url(env) == "http://127.0.0.1:5555/api"
    finished = subprocess.Popen(["true"])
    finished.wait()
    state.write_text(json.dumps({"api_url": "http://127.0.0.1:5555/api", "pid": finished.pid}))
    assert configured_api_url(env) is None


def test_since_accepts_a_day_in_the_configured_zone_or_a_datetime() -> None:
    day = parse_since("2024-09-03", "Asia/Makassar")
    assert day is not None
    assert day.astimezone(UTC) == datetime(2024, 9, 2, 16, tzinfo=UTC)
    moment = parse_since("2024-09-03T10:00:00+07:00", "Asia/Makassar")
    assert moment is not None and moment.utcoffset() == timedelta(hours=7)
    assert parse_since(None, "Asia/Makassar") is None
    with pytest.raises(ConfigError, match="yesterday"):
        parse_since("yesterday", "Asia/Makassar")


def test_only_source_and_fetch_failures_are_retried() -> None:
    assert is_transient(SourceError("kukarkab", "feed unreachable"))
    assert is_transient(FetchTimeout("https://a.id/feed", "read timeout"))
    assert not is_transient(NotAnArticle("https://a.id/", "listing"))
    assert not is_transient(ValueError("bug"))


def test_a_failed_source_keeps_its_error_class() -> None:
    summary = failed_source_summary("kukarkab", FetchTimeout("https://a.id/feed", "slow"))
    assert summary.error_class == "timeout" and "slow" in (summary.error or "")
    assert failed_source_summary("x", ValueError("bad")).error_class == "ValueError"


def test_a_temporary_server_that_does_not_answer_is_one_line_and_stores_nothing(
    tmp_path: Path,
) -> None:
    """Its database cannot be created, so the server never answers, however fast the machine."""
    (tmp_path / "not-a-folder").write_text("")
    make_config(tmp_path, None)
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": (
            f"sqlite+aiosqlite:///{tmp_path / 'not-a-folder' / 'prefect.db'}"
        ),
        "INGEST_SCHEDULE__RUN_MODE": "prefect",
        "INGEST_SCHEDULE__PREFECT_STARTUP_TIMEOUT": "1",
        "INGEST_DB_URL": f"sqlite:///{tmp_path / 'ingest.db'}",
    }
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", "from ingest.cli import main; main()",
         "--config", str(tmp_path), "run"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ingest:")]
    assert errors == [done.stderr.splitlines()[-1]]
    assert errors[0].startswith(
        "ingest: error: the temporary Prefect server did not answer within 1 s "
        "(schedule.prefect_startup_timeout"
    )
    assert not (tmp_path / "ingest.db").exists()
