"""Retry policy: which failures are worth another try, and how long to wait first."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ingest.errors import (
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ProtocolFailure,
)

__all__ = ["backoff_delay", "is_retryable", "parse_retry_after"]


def is_retryable(error: FetchError) -> bool:
    """True for 429, 5xx, timeouts, refused connections and broken responses."""
    if isinstance(error, HTTPStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return isinstance(error, FetchTimeout | ConnectFailed | ProtocolFailure)


def backoff_delay(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Exponential backoff with jitter: between half and all of ``base * 2**attempt``, capped.

    >>> 0.5 <= backoff_delay(0, base=1.0, cap=60.0) <= 1.0
    True
    """
    ceiling = min(cap, base * (2**attempt))
    return (rng or random).uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date).

    >>> parse_retry_after("7")
    7.0
    >>> parse_retry_after("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
