"""The ``ingest`` flow: one task per source, each a single call into :mod:`ingest.pipeline`.

Parameters are plain JSON values so that deployments, ``prefect deployment run -p`` and the UI
can pass them; the flow loads the settings itself::

    prefect deployment run 'ingest/kukarkab' -p since=2024-09-01

A source whose discovery or fetch fails as a whole is retried with exponential backoff
(``[schedule] source_retries``, ``retry_delay``); anything else is final. The run's summary is
stored by :func:`ingest.pipeline.finish_run` and published as a markdown artifact. The flow run
fails when a source failed, after every other source's documents are stored.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task, exponential_backoff
from sqlalchemy.engine import make_url

from flows.catchup import is_superseded
from ingest import pipeline
from ingest.config import Settings, load_settings
from ingest.report import summary_markdown
from ingest.runner import RunFailed, failed_source_summary, is_transient, parse_since
from ingest.summary import RunSummary, SourceSummary

__all__ = ["ingest_flow", "ingest_source", "run_flow"]

SUMMARY_ARTIFACT_KEY = "ingest-run-summary"


def task_runner(max_workers: int) -> TaskRunner[PrefectFuture[Any]]:
    """Threads for the source tasks: sources run side by side, each with its own politeness."""
    return cast("TaskRunner[PrefectFuture[Any]]", ThreadPoolTaskRunner(max_workers=max_workers))


def _retry_transient(_task: Task[Any, Any], _run: TaskRun, state: State[Any]) -> bool:
    return is_transient(state.result(raise_on_failure=False))


@task(cache_policy=NO_CACHE)
def start_run(settings: Settings, trigger: str, flow_run_id: str | None) -> int:
    """Create the run's row in the store."""
    return pipeline.start_run(settings, trigger=trigger, flow_run_id=flow_run_id)


@task(cache_policy=NO_CACHE, retry_condition_fn=_retry_transient, task_run_name="{source}")
def ingest_source(
    settings: Settings, source: str, run_id: int, since: datetime | None
) -> SourceSummary:
    """Discover, fetch, extract and store one source (per-host politeness is inside)."""
    return pipeline.ingest_source(settings, source, run_id=run_id, since=since)


@task(cache_policy=NO_CACHE)
def finish_run(settings: Settings, run_id: int, summaries: list[SourceSummary]) -> RunSummary:
    """Store the run's summary."""
    return pipeline.finish_run(settings, run_id, summaries)


def _trigger(given: str | None) -> tuple[str, str | None]:
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    if given:
        return given, str(run.id) if run else None
    if run is None:
        return "manual", None
    return ("schedule" if run.auto_scheduled else "deployment"), str(run.id)


def _summary(source: str, future: PrefectFuture[SourceSummary]) -> SourceSummary:
    future.wait()
    if future.state.is_completed():
        return future.result()
    return failed_source_summary(source, future.state.result(raise_on_failure=False))


@flow(name="ingest", task_runner=task_runner(4))
def ingest_flow(
    sources: list[str] | None = None,
    config_dir: str | None = None,
    db_url: str | None = None,
    since: str | None = None,
    trigger: str | None = None,
) -> dict[str, Any]:
    """Ingest ``sources`` (default: every enabled source) and return the run summary."""
    if is_superseded():
        get_run_logger().info("a later scheduled run is due: skipping this one")
        return {"status": "superseded"}
    settings = load_settings(Path(config_dir) if config_dir else None, db_url=db_url)
    names = list(sources) if sources else [s.name for s in settings.select_sources()]
    kind, flow_run_id = _trigger(trigger)
    run_id = start_run(settings, kind, flow_run_id)
    retrying = ingest_source.with_options(
        retries=settings.schedule.source_retries,
        retry_delay_seconds=exponential_backoff(settings.schedule.retry_delay),
    )
    start = parse_since(since, settings.timezone)
    futures = {name: retrying.submit(settings, name, run_id, start) for name in names}
    summary = finish_run(settings, run_id, [_summary(n, f) for n, f in futures.items()])
    create_markdown_artifact(
        summary_markdown(summary), key=SUMMARY_ARTIFACT_KEY, description=f"ingest run {run_id}"
    )
    if summary.failed_sources:
        raise RunFailed(summary)
    return summary.to_dict()


def run_flow(
    settings: Settings, *, sources: list[str], since: datetime | None, trigger: str
) -> RunSummary:
    """Run the flow in this process and return its summary, failed sources included."""
    flow_fn = ingest_flow.with_options(
        task_runner=task_runner(settings.schedule.max_parallel_sources)
    )
    # A database password must not become a Prefect parameter: pass it through the environment.
    secret = make_url(settings.db_url).password is not None
    if secret:
        os.environ["INGEST_DB_URL"] = settings.db_url
    state = flow_fn(
        sources=sources,
        config_dir=str(settings.config_dir.resolve()),
        db_url=None if secret else settings.db_url,
        since=since.isoformat() if since else None,
        trigger=trigger,
        return_state=True,
    )
    result = state.result(raise_on_failure=False)
    if isinstance(result, RunFailed):
        return result.summary
    if isinstance(result, BaseException):
        raise result
    return RunSummary(
        run_id=int(result["run_id"]),
        status=str(result["status"]),
        sources=[SourceSummary.from_dict(s) for s in result["sources"]],
        duration_s=float(result["duration_s"]),
    )
