"""``ingest serve`` against a real Prefect server: triggered runs, catch-up once, clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from ingest.store import open_store
from ingest.store.models import Document, Run
from tests.flows.flows_testing import make_config, wait_for_deployment

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

CLI = [sys.executable, "-c", "from ingest.cli import main; main()"]


@pytest.fixture
def served(prefect_api: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``ingest serve`` in a subprocess against the test server; yields (db URL, log path)."""
    db_url = f"sqlite:///{tmp_path / 'ingest.db'}"
    make_config(tmp_path, None, schedule="1h")
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "INGEST_DB_URL": db_url}
    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "2"  # pick runs up quickly in tests
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*CLI, "--config", str(tmp_path), "serve"], env=env, stdout=log, stderr=log
        )
    try:
        wait_for_deployment(prefect_api, "local")
        yield db_url, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) is not None
    deployment = wait_for_deployment(prefect_api, "local")
    assert deployment["paused"] is False, "stopping serve paused the deployment"


def _stored(db_url: str) -> tuple[int, list[Run]]:
    store = open_store(db_url)
    try:
        with store.session() as session:
            documents = int(session.scalar(select(func.count()).select_from(Document)) or 0)
            runs = list(session.scalars(select(Run).order_by(Run.id)))
            return documents, runs
    finally:
        store.close()


def test_prefect_deployment_run_is_executed_by_serve(
    prefect_api: str, served: tuple[str, Path]
) -> None:
    db_url, log_path = served
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    result = subprocess.run(
        [sys.executable, "-m", "prefect", "deployment", "run", "ingest/local", "--watch",
         "--watch-timeout", "120"],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr + log_path.read_text()
    documents, runs = _stored(db_url)
    assert documents == 3
    assert [(r.trigger, r.status) for r in runs] == [("deployment", "completed")]
    deployment = wait_for_deployment(prefect_api, "local")
    assert deployment["concurrency_limit"] == 1 or deployment.get("global_concurrency_limit")


def _flow_runs(api_url: str, deployment_id: str) -> list[dict[str, object]]:
    body = {"deployments": {"id": {"any_": [deployment_id]}}, "limit": 50}
    response = httpx.post(f"{api_url}/flow_runs/filter", json=body, timeout=10)
    response.raise_for_status()
    return list(response.json())


def test_missed_slots_after_downtime_are_caught_up_once(
    prefect_api: str, served: tuple[str, Path]
) -> None:
    db_url, log_path = served
    deployment = wait_for_deployment(prefect_api, "local")
    now = datetime.now(UTC)
    # What the scheduler had created before a two-hour outage: one run per missed hourly slot.
    window = {"start_time": (now - timedelta(hours=2)).isoformat(), "end_time": now.isoformat()}
    httpx.post(
        f"{prefect_api}/deployments/{deployment['id']}/schedule", json=window, timeout=10
    ).raise_for_status()
    missed = [
        r for r in _flow_runs(prefect_api, str(deployment["id"]))
        if r["auto_scheduled"] and str(r["expected_start_time"]) < now.isoformat()
    ]  # fmt: skip
    assert len(missed) >= 2

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        states = {r["id"]: r["state_type"] for r in _flow_runs(prefect_api, str(deployment["id"]))}
        if all(states[r["id"]] in ("COMPLETED", "FAILED", "CRASHED") for r in missed):
            break
        time.sleep(1)
    else:
        raise AssertionError(f"missed runs did not finish: {states}\n{log_path.read_text()}")
    assert all(states[r["id"]] == "COMPLETED" for r in missed), states
    documents, runs = _stored(db_url)
    assert documents == 3
    assert [(r.trigger, r.status) for r in runs] == [("schedule", "completed")]
    latest = max(missed, key=lambda r: str(r["expected_start_time"]))
    assert runs[0].flow_run_id == latest["id"]


def test_serve_starts_its_own_server_and_stops_it(tmp_path: Path) -> None:
    home = tmp_path / "prefect-home"
    home.mkdir()
    make_config(tmp_path, None, schedule="0 6 * * *")
    env = {**os.environ, "PREFECT_HOME": str(home), "INGEST_DB_URL": f"sqlite:///{tmp_path}/x.db"}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [*CLI, "--config", str(tmp_path), "serve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    state = home / "ingest-serve.json"
    try:
        deadline = time.monotonic() + 150
        while not state.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
        api_url = json.loads(state.read_text())["api_url"]
        deployment = wait_for_deployment(api_url, "local")
        schedule = deployment["schedules"][0]["schedule"]  # type: ignore[index]
        assert schedule == {"cron": "0 6 * * *", "timezone": "Asia/Makassar", "day_or": True}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=90) == 0
    assert not state.exists()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{api_url}/health", timeout=2)
