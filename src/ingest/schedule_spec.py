"""Schedule texts: a cron expression of five fields or an interval, in an IANA time zone.

The configuration checks every schedule with :func:`parse_schedule` when it loads;
:mod:`ingest.schedules` groups the sources by them::

    >>> spec = parse_schedule("0 6 * * *", "Asia/Makassar")
    >>> spec.next_runs(1, after=datetime(2024, 11, 1, tzinfo=UTC))[0].astimezone(UTC).isoformat()
    '2024-11-01T22:00:00+00:00'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from ingest.errors import ConfigError

__all__ = ["INTERVAL_ANCHOR", "ScheduleSpec", "parse_schedule", "zone"]

INTERVAL_ANCHOR = datetime(2024, 1, 1)
"""Naive midnight; intervals count from it in the configured zone."""

_INTERVAL = re.compile(
    r"^(?:every\s+)?(?P<n>\d+)\s*(?P<unit>m|min|mins|minutes?|h|hours?|d|days?)$", re.IGNORECASE
)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


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
