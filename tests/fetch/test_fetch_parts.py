"""The Fetcher's parts on their own: host limiter, retry policy, charset (the address guard:
test_guard.py)."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from ingest.errors import FetchTimeout, HTTPStatusError, TooLarge
from ingest.fetch import detect_encoding
from ingest.fetch.charset import declared_charset
from ingest.fetch.hosts import HostLimiter
from ingest.fetch.retry import backoff_delay, is_retryable, parse_retry_after


@pytest.mark.asyncio
async def test_host_limiter_bounds_concurrency_per_host() -> None:
    limiter = HostLimiter(concurrency=2, delay=0)
    active: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    async def work(host: str) -> None:
        async with limiter.slot(host):
            active[host] += 1
            peak[host] = max(peak[host], active[host])
            await asyncio.sleep(0.02)
            active[host] -= 1

    await asyncio.gather(*(work(h) for h in "abababab"))
    assert peak == {"a": 2, "b": 2}


@pytest.mark.asyncio
async def test_host_limiter_delay_is_per_host_not_global() -> None:
    limiter = HostLimiter(concurrency=4, delay=0.1)
    starts: dict[str, list[float]] = {"A.example": [], "b.example": []}

    async def work(host: str) -> None:
        async with limiter.slot(host):
            starts[host].append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(work(h) for h in ["A.example", "b.example"] * 3))
    for times in starts.values():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap >= 0.09 for gap in gaps)
    assert time.monotonic() - began < 0.35  # two hosts ran side by side
    limiter.defer("a.example", 0.2)  # same host, any case
    t0 = time.monotonic()
    await work("A.example")
    assert time.monotonic() - t0 >= 0.15


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, base=1.0, cap=8.0, rng=rng) for n in range(6)]
    assert 0.5 <= delays[0] <= 1.0 and 2.0 <= delays[2] <= 4.0
    assert all(4.0 <= d <= 8.0 for d in delays[3:])


def test_retry_after_http_date() -> None:
    now = datetime(2024, 11, 9, 8, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(30)
    assert parse_retry_after("12") == 12


def test_retryable_classes() -> None:
    assert is_retryable(HTTPStatusError("u", 429))
    assert is_retryable(HTTPStatusError("u", 502))
    assert not is_retryable(HTTPStatusError("u", 404))
    assert is_retryable(FetchTimeout("u", "read"))
    assert not is_retryable(TooLarge("u", "big"))


def test_charset_meta_and_bom() -> None:
    assert declared_charset(b'<html><head><meta charset="ISO-8859-1">') == "cp1252"
    assert declared_charset(b'<?xml version="1.0" encoding="utf-8"?><rss/>') == "utf-8"
    assert detect_encoding("\ufeffBerita".encode("utf-16")) == "utf-16"
    assert detect_encoding(b"plain ascii", "iso-8859-1") == "utf-8"
