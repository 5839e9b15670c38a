"""The ``ingest`` flow under a real Prefect test server, with real sources and a real store."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from ingest.config import Settings, load_settings
from ingest.runner import run_now
from ingest.store import open_store
from ingest.store.models import Document, Run
from tests.flows.flows_testing import make_config

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

EMPTY_FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
    "<link>http://127.0.0.1/</link><description>d</description></channel></rss>"
)


def _settings(tmp_path: Path, db_url: str, feed_url: str | None) -> Settings:
    return load_settings(make_config(tmp_path, feed_url), db_url=db_url)


def _documents(db_url: str, source: str) -> int:
    store = open_store(db_url)
    try:
        with store.session() as session:
            query = select(func.count()).where(Document.source_name == source)
            return int(session.scalar(query) or 0)
    finally:
        store.close()


def test_a_failing_source_is_retried_reported_and_the_others_are_stored(
    prefect_api: str, tmp_path: Path, httpserver: HTTPServer, db_url: str
) -> None:
    httpserver.expect_request("/feed").respond_with_data("down", status=503)
    settings = _settings(tmp_path, db_url, httpserver.url_for("/feed"))

    summary = run_now(settings, mode="prefect")

    feed_requests = [r for r, _ in httpserver.log if r.path == "/feed"]
    assert len(feed_requests) == 1 + settings.schedule.source_retries
    assert summary.status == "failed"
    assert summary.failed_sources == ["feed"]
    by_name = {s.source: s for s in summary.sources}
    assert by_name["local"].new_documents == 3
    assert _documents(db_url, "local") == 3
    store = open_store(db_url)
    try:
        with store.session() as session:
            run = session.get_one(Run, summary.run_id)
            assert run.status == "failed" and run.flow_run_id
            assert run.summary["sources"][1]["error"]
            flow_run_id = run.flow_run_id
    finally:
        store.close()
    text = _artifact_text(flow_run_id)
    assert f"# ingest run {summary.run_id}: failed" in text
    assert "Failed sources: feed." in text


def _artifact_text(flow_run_id: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    flt = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(flow_run_id)]))
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=flt)
    found = [a for a in artifacts if a.key == "ingest-run-summary"]
    assert len(found) == 1, artifacts
    return str(found[0].data)


def test_a_transient_failure_is_retried_until_it_passes(
    prefect_api: str, tmp_path: Path, httpserver: HTTPServer, sqlite_url: str
) -> None:
    httpserver.expect_oneshot_request("/feed").respond_with_data("down", status=503)
    httpserver.expect_request("/feed").respond_with_data(
        EMPTY_FEED, content_type="application/rss+xml"
    )
    settings = _settings(tmp_path, sqlite_url, httpserver.url_for("/feed"))

    summary = run_now(settings, mode="prefect")

    assert summary.status == "completed", summary.to_dict()
    assert len([r for r, _ in httpserver.log if r.path == "/feed"]) == 2
    assert _documents(sqlite_url, "local") == 3
