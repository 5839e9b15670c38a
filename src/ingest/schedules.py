"""Schedules from configuration: parse them, group sources by them, list their next run times.

A source's ``schedule`` is one of:

- a cron expression of five fields, ``"*/30 * * * *"``;
- an interval, ``"30m"``, ``"2h"``, ``"1d"`` (also ``"every 30 minutes"``), anchored at midnight
  of 1 January 2024 in the configured zone, so ``"6h"`` fires at 00:00, 06:00, 12:00, 18:00;
- the name of a group in ``[schedule.groups]``; the sources of a group share one deployment.

Times are in ``Settings.timezone`` (default ``Asia/Makassar``, WITA, UTC+8)::

    >>> spec = parse_schedule("0 6 * * *", "Asia/Makassar")
    >>> spec.next_runs(1, after=datetime(2024, 11, 1, tzinfo=UTC))[0].astimezone(UTC).isoformat()
    '2024-11-01T22:00:00+00:00'

Every enabled source belongs to exactly one :class:`ScheduleGroup`: its named group, or a group of
its own named after it (unscheduled when it has no schedule). Each group becomes one deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from ingest.config import Settings
from ingest.errors import ConfigError

__all__ = [
    "INTERVAL_ANCHOR",
    "ScheduleGroup",
    "ScheduleSpec",
    "parse_schedule",
    "schedule_groups",
    "zone",
]

INTERVAL_ANCHOR = datetime(2024, 1, 1)
"""Naive midnight; intervals count from it in the configured zone."""

_INTERVAL = re.compile(
    r"^(?:every\s+)?(?P<n>\d+)\s*(?P<unit>m|min|mins|minutes?|h|hours?|d|days?)$", re.IGNORECASE
)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; a :class:`ConfigError` names an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: unknown time zone {name!r} (e.g. Asia/Makassar)") from None


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A parsed schedule: exactly one of ``cron`` and ``interval``, in ``timezone``."""

    text: str
    timezone: str
    cron: str | None = None
    interval: timedelta | None = None

    @property
    def anchor(self) -> datetime:
        """The first interval slot, in the schedule's zone."""
        return INTERVAL_ANCHOR.replace(tzinfo=zone(self.timezone))

    def next_runs(self, count: int = 3, *, after: datetime | None = None) -> list[datetime]:
        """The next ``count`` run times strictly after ``after`` (default now), zone-aware."""
        tz = zone(self.timezone)
        start = (after or datetime.now(UTC)).astimezone(tz)
        if self.cron is not None:
            times = CronSim(self.cron, start.replace(microsecond=0))
            return [next(times) for _ in range(count)]
        assert self.interval is not None
        elapsed = start - self.anchor
        first = self.anchor + self.interval * (elapsed // self.interval + 1)
        return [(first + self.interval * i).astimezone(tz) for i in range(count)]

    def describe(self) -> str:
        """``cron 0 6 * * *`` or ``every 0:30:00``, with the zone."""
        what = f"cron {self.cron}" if self.cron else f"every {self.interval}"
        return f"{what} ({self.timezone})"


def parse_schedule(text: str, timezone: str) -> ScheduleSpec:
    """Parse a cron expression or interval; raise :class:`ConfigError` saying what is accepted."""
    zone(timezone)
    value = " ".join(text.split())
    match = _INTERVAL.match(value)
    if match:
        interval = _UNITS[match["unit"][0].lower()] * int(match["n"])
        if interval < timedelta(minutes=1):
            raise ConfigError(f"schedule {text!r}: an interval must be at least one minute")
        return ScheduleSpec(text=value, timezone=timezone, interval=interval)
    if len(value.split(" ")) != 5:
        raise ConfigError(
            f"schedule {text!r}: expected a five-field cron expression ('0 6 * * *') "
            "or an interval ('30m', '2h', '1d')"
        )
    try:
        CronSim(value, datetime(2024, 1, 1))
    except CronSimError as exc:
        raise ConfigError(f"schedule {text!r}: invalid cron expression: {exc}") from None
    return ScheduleSpec(text=value, timezone=timezone, cron=value)


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
