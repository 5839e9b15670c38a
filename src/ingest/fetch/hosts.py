"""Per-host politeness: a concurrency limit and a minimum delay between request starts.

One :class:`HostLimiter` is shared by every source of a run, so a host that serves many feeds
is rate-limited once::

    limiter = HostLimiter(concurrency=2, delay=1.0)
    async with limiter.slot("kukarkab.go.id"):
        ...  # at most 2 requests in flight, starts at least 1 s apart
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["HostLimiter", "HostTimes"]

#: Per host: the earliest start of its next request (event-loop time, which is
#: ``time.monotonic()``, one clock for every process of the machine) and its delay.
HostTimes = dict[str, tuple[float, float]]


class _Host:
    def __init__(self, concurrency: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.lock = asyncio.Lock()
        self.delay = delay
        self.next_start = 0.0


class HostLimiter:
    """Hands out request slots per host name."""

    def __init__(self, *, concurrency: int, delay: float) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._concurrency = concurrency
        self._delay = delay
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        key = host.lower()
        if key not in self._hosts:
            self._hosts[key] = _Host(self._concurrency, self._delay)
        return self._hosts[key]

    def raise_delay(self, host: str, delay: float) -> None:
        """Use at least ``delay`` seconds between requests to ``host`` (robots.txt Crawl-delay)."""
        entry = self._host(host)
        entry.delay = max(entry.delay, delay)

    def defer(self, host: str, seconds: float) -> None:
        """Start no request to ``host`` for ``seconds`` (a Retry-After from that host)."""
        entry = self._host(host)
        entry.next_start = max(entry.next_start, asyncio.get_running_loop().time() + seconds)

    def times(self) -> HostTimes:
        """Each host's next start and delay, for another process's limiter to take over."""
        return {key: (entry.next_start, entry.delay) for key, entry in self._hosts.items()}

    def take_over(self, times: HostTimes) -> None:
        """Start no request to a host of ``times`` before its next start, and keep its delay
        (raised by a Crawl-delay, say): the hosts of another limiter handed over to this one."""
        for host, (next_start, delay) in times.items():
            entry = self._host(host)
            entry.next_start = max(entry.next_start, next_start)
            entry.delay = max(entry.delay, delay)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a free slot on ``host`` and its delay, then hold the slot."""
        entry = self._host(host)
        loop = asyncio.get_running_loop()
        async with entry.semaphore:
            async with entry.lock:
                wait = entry.next_start - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                entry.next_start = loop.time() + entry.delay
            yield
