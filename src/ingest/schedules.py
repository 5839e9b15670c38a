"""Schedules from configuration: parse them, group sources by them, list their next run times.

A source's ``schedule`` is one of:

- a cron expression of five fields, ``"*/30 * * * *"``;
- an interval, ``"30m"``, ``"2h"``, ``"1d"`` (also ``"every 30 minutes"``), anchored at midnight
  of 1 January 2024 in the configured zone, so ``"6h"`` fires at 00:00, 06:00, 12:00, 18:00;
- the name of a group in ``[schedule.groups]``; the sources of a group share one deployment.

Times are in ``Settings.timezone`` (default ``Asia/Makassar``, WITA, UTC+8)::

    >>> groups = schedule_groups(load_settings(Path("config")))

Schedule texts are parsed by :mod:`ingest.schedule_spec` (when the configuration loads).
Every enabled source belongs to exactly one :class:`ScheduleGroup`: its named group, or a group of
its own named after it (unscheduled when it has no schedule). Each group becomes one deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.config import Settings
from ingest.errors import ConfigError
from ingest.schedule_spec import INTERVAL_ANCHOR, ScheduleSpec, parse_schedule, zone

__all__ = [
    "INTERVAL_ANCHOR",
    "ScheduleGroup",
    "ScheduleSpec",
    "parse_schedule",
    "schedule_groups",
    "zone",
]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class ScheduleGroup:
    """Sources that run together as one deployment ``ingest/<name>``."""

    name: str
    sources: tuple[str, ...]
    schedule: ScheduleSpec | None


def _check_name(name: str, what: str) -> None:
    if not _NAME.match(name):
        raise ConfigError(
            f"{what} {name!r}: use letters, digits, '-', '_' or '.' (it names a deployment)"
        )


def _parse_for(owner: str, text: str | None, settings: Settings) -> ScheduleSpec | None:
    if text is None:
        return None
    try:
        return parse_schedule(text, settings.timezone)
    except ConfigError as exc:
        raise ConfigError(f"{owner}: {exc}") from None


def schedule_groups(settings: Settings) -> list[ScheduleGroup]:
    """One group per named schedule in use and one per other enabled source, sorted by name."""
    groups = settings.schedule.groups
    for name in groups:
        _check_name(name, "schedule group")
    members: dict[str, list[str]] = {}
    own: dict[str, ScheduleSpec | None] = {}
    for source in settings.sources:
        if not source.enabled:
            continue
        if source.schedule in groups:
            members.setdefault(source.schedule, []).append(source.name)
            continue
        _check_name(source.name, "source")
        own[source.name] = _parse_for(f"source {source.name!r}", source.schedule, settings)
    clash = sorted(set(members) & set(own))
    if clash:
        raise ConfigError(f"schedule group {clash[0]!r} has the same name as a source; rename one")
    result = [
        ScheduleGroup(name, tuple(names), _parse_for(f"group {name!r}", groups[name], settings))
        for name, names in members.items()
    ]
    result += [ScheduleGroup(name, (name,), spec) for name, spec in own.items()]
    return sorted(result, key=lambda group: group.name)
