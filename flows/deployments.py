"""Deployments of the ``ingest`` flow: one per schedule group (see :mod:`ingest.schedules`).

Each deployment is named after its group (``ingest/kukarkab``, ``ingest/morning``), passes the
group's sources and the configuration folder as parameters, and allows
``[schedule] deployment_concurrency`` runs at a time (default 1); a run that would exceed it waits
(collision strategy ``ENQUEUE``), so two runs of the same source never overlap. The database URL
is not a parameter: it reaches the runs through ``INGEST_DB_URL``, so no password is stored in
Prefect.
"""

from __future__ import annotations

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval, Schedule

from flows.ingest_flow import ingest_flow, task_runner
from ingest.config import Settings
from ingest.schedules import ScheduleGroup, ScheduleSpec, schedule_groups

__all__ = ["build_deployments", "prefect_schedule"]


def prefect_schedule(spec: ScheduleSpec) -> Schedule:
    """The Prefect schedule of ``spec``, in its time zone."""
    if spec.cron is not None:
        return Cron(spec.cron, timezone=spec.timezone)
    assert spec.interval is not None
    return Interval(spec.interval, anchor_date=spec.anchor, timezone=spec.timezone)


def _deployment(settings: Settings, group: ScheduleGroup) -> RunnerDeployment:
    flow_fn = ingest_flow.with_options(
        task_runner=task_runner(settings.schedule.max_parallel_sources)
    )
    when = group.schedule.describe() if group.schedule else "manual runs only"
    deployment = flow_fn.to_deployment(
        name=group.name,
        schedule=prefect_schedule(group.schedule) if group.schedule else None,
        parameters={
            "sources": list(group.sources),
            "config_dir": str(settings.config_dir.resolve()),
        },
        concurrency_limit=ConcurrencyLimitConfig(
            limit=settings.schedule.deployment_concurrency,
            collision_strategy=ConcurrencyLimitStrategy.ENQUEUE,
        ),
        description=f"Sources {', '.join(group.sources)}; {when}.",
        tags=["ingest"],
    )
    assert isinstance(deployment, RunnerDeployment)  # the sync form of an async-dispatch method
    return deployment


def build_deployments(settings: Settings) -> list[RunnerDeployment]:
    """One deployment per schedule group of ``settings``, sorted by name."""
    return [_deployment(settings, group) for group in schedule_groups(settings)]
