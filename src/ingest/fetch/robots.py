"""robots.txt, fetched once per origin and run and cached.

Per RFC 9309: a 4xx answer (no robots.txt) allows everything, a 5xx answer forbids everything
for this run; an unreachable host is left to the page request to report.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.robotparser import RobotFileParser

from ingest.errors import FetchError, HTTPStatusError, RobotsDisallowed
from ingest.urls import split

__all__ = ["RobotsCache", "RobotsFetch"]

logger = logging.getLogger(__name__)

RobotsFetch = Callable[[str], Awaitable[bytes]]
"""Fetches a robots.txt URL and returns its body; raises FetchError."""


def _parser(lines: list[str]) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(lines)
    return parser


_ALLOW_ALL: list[str] = []
_DISALLOW_ALL = ["User-agent: *", "Disallow: /"]


class RobotsCache:
    """Answers "may this user agent fetch this URL?" with one robots.txt request per origin."""

    def __init__(self, user_agent: str, fetch: RobotsFetch) -> None:
        self._agent = user_agent
        self._fetch = fetch
        self._parsers: dict[str, RobotFileParser] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def parser(self, url: str) -> RobotFileParser:
        """The parsed robots.txt of ``url``'s origin, fetched on first use."""
        parts = split(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        known = self._parsers.get(origin)
        if known is not None:
            return known
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._parsers:
                self._parsers[origin] = await self._load(origin + "/robots.txt")
            return self._parsers[origin]

    async def _load(self, robots_url: str) -> RobotFileParser:
        try:
            body = await self._fetch(robots_url)
        except HTTPStatusError as exc:
            if exc.status_code >= 500:
                logger.warning(
                    "%s: HTTP %s, treating the site as disallowed", robots_url, exc.status_code
                )
                return _parser(_DISALLOW_ALL)
            return _parser(_ALLOW_ALL)
        except FetchError as exc:
            logger.info("%s: unavailable (%s), allowing", robots_url, exc.error_class)
            return _parser(_ALLOW_ALL)
        return _parser(body.decode("utf-8", errors="replace").splitlines())

    async def check(self, url: str) -> float | None:
        """Raise RobotsDisallowed when ``url`` is forbidden; return the Crawl-delay, if any."""
        parser = await self.parser(url)
        if not parser.can_fetch(self._agent, url):
            raise RobotsDisallowed(url, "disallowed by robots.txt")
        delay = parser.crawl_delay(self._agent)
        return float(delay) if delay is not None else None
