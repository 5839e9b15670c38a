"""Catch up once after downtime: of the scheduled runs of a deployment that are already due,
only the latest does the work; the earlier ones end at once as superseded.

Prefect's scheduler creates runs ahead of time. When the server or ``ingest serve`` was down
for hours, every missed slot is still a scheduled run, and they all come due together. With the
deployment's concurrency limit (collision strategy ``ENQUEUE``) they run one after another; this
check makes all but the newest a no-op, so a source is fetched once, not once per missed slot.
Manual runs (the UI's Run button, ``prefect deployment run``) are never skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.context import FlowRunContext

__all__ = ["is_superseded"]

_LIVE = [StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING, StateType.COMPLETED]


def _later_due_filter(run: FlowRun, now: datetime) -> FlowRunFilter:
    assert run.expected_start_time is not None
    return FlowRunFilter(
        expected_start_time=FlowRunFilterExpectedStartTime(
            after_=run.expected_start_time + timedelta(microseconds=1),
            before_=now,  # a datetime is what the API accepts
        ),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=_LIVE)),
    )


def is_superseded() -> bool:
    """True when this is a scheduled run and a later scheduled run of its deployment is due."""
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    if run is None or not run.auto_scheduled or run.deployment_id is None:
        return False
    if run.expected_start_time is None:
        return False
    with get_client(sync_client=True) as client:
        later = client.read_flow_runs(
            flow_run_filter=_later_due_filter(run, datetime.now(UTC)),
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[run.deployment_id])),
            limit=5,
        )
    return any(other.id != run.id and other.auto_scheduled for other in later)
