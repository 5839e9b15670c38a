"""The HTTP client of a run: politeness, robots.txt, conditional GET, retries and caps.

::

    async with Fetcher(settings.fetch) as fetcher:
        page = await fetcher.get("https://kukarkab.go.id/berita/1", etag='"abc"')
        if page.not_modified:
            ...  # 304: nothing to extract

One Fetcher is shared by every source of a run so that per-host limits hold globally.
Every failure is a :class:`~ingest.errors.FetchError` subclass naming the URL.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol

import httpx

from ingest.config import FetchSettings
from ingest.errors import (
    BlockedAddress,
    ConnectFailed,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    ProtocolFailure,
    TooLarge,
    TooManyRedirects,
)
from ingest.fetch.charset import detect_encoding
from ingest.fetch.content import Kind, check_body, check_content_type, gunzip
from ingest.fetch.hosts import HostLimiter, HostTimes
from ingest.fetch.network import Network, Reply, Sender, TransportNetwork
from ingest.fetch.retry import backoff_delay, is_retryable, parse_retry_after
from ingest.fetch.robots import RobotsCache
from ingest.records import FetchedPage
from ingest.urls import check_url, join, split

__all__ = ["Fetcher", "Getter"]

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512_000
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


def _check(url: str, current: str) -> None:
    """InvalidURL naming ``url`` when ``current`` (``url`` or where it redirected) cannot be
    requested."""
    try:
        check_url(current)
    except InvalidURL as exc:
        if current == url:
            raise
        raise InvalidURL(url, f"redirected to {current!r}: {exc.reason}") from None


def _redirect_target(url: str, current: str, location: str) -> str:
    try:
        return join(current, location)
    except InvalidURL as exc:
        raise InvalidURL(url, f"redirected to {location!r}: {exc.reason}") from None


class Getter(Protocol):
    """What discovery needs of a fetcher: its settings and :meth:`Fetcher.get`. A large run's
    pool routes it to the process that fetches the host's pages (:mod:`ingest.pool`)."""

    @property
    def settings(self) -> FetchSettings: ...

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: Kind = "page",
    ) -> FetchedPage: ...


class Fetcher:
    """Fetches URLs politely; an async context manager, one per run (or one per page worker
    process of a large run, each fetching its own hosts)."""

    def __init__(
        self, settings: FetchSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        if transport is None and settings.snapshot_dir is not None:
            from ingest.snapshot import SnapshotTransport

            transport = SnapshotTransport(settings.snapshot_dir)
            mirrored = True
        else:
            mirrored = False
        self._network: Sender = (
            TransportNetwork(transport, settings) if transport is not None else Network(settings)
        )
        self._headers = {
            "User-Agent": settings.user_agent,
            "Accept": "*/*",
            "Accept-Encoding": "gzip, deflate",
        }
        # A local mirror has no server to be polite to: no delay between its requests.
        self._hosts = HostLimiter(
            concurrency=settings.per_host_concurrency,
            delay=0.0 if mirrored else settings.per_host_delay,
        )
        self._total = asyncio.Semaphore(settings.max_concurrency)
        self._robots = RobotsCache(settings.user_agent, self._fetch_robots)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._network.aclose()

    def host_times(self) -> HostTimes:
        """When each host may next be asked, and its delay: see :meth:`take_over_hosts`."""
        return self._hosts.times()

    def take_over_hosts(self, times: HostTimes) -> None:
        """Keep the per-host delays of another Fetcher (of another process) that fetched
        from these hosts until now."""
        self._hosts.take_over(times)

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: Kind = "page",
    ) -> FetchedPage:
        """Fetch ``url``, following redirects; a 304 gives ``FetchedPage(not_modified=True)``.

        Raises a FetchError subclass: RobotsDisallowed, BlockedAddress, DNSError, FetchTimeout,
        HTTPStatusError, TooLarge, UnsupportedContent, TooManyRedirects, ...
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._follow(url, headers, kind, check_robots=self.settings.respect_robots)

    async def _follow(
        self, url: str, headers: dict[str, str], kind: Kind, *, check_robots: bool
    ) -> FetchedPage:
        current, seen = url, {url}
        for _ in range(self.settings.max_redirects + 1):
            _check(url, current)
            if check_robots:
                await self._check_robots(current)
            result = await self._with_retries(url, current, headers, kind)
            if isinstance(result, FetchedPage):
                return result
            current = _redirect_target(url, current, result.location)
            if current in seen:
                raise TooManyRedirects(url, f"redirect loop at {current}")
            seen.add(current)
        raise TooManyRedirects(url, f"more than {self.settings.max_redirects} redirects")

    async def _check_robots(self, url: str) -> None:
        delay = await self._robots.check(url)
        if delay:
            host = split(url).hostname or ""
            self._hosts.raise_delay(host, min(delay, self.settings.max_crawl_delay))

    async def _fetch_robots(self, robots_url: str) -> bytes:
        page = await self._follow(robots_url, {}, "robots", check_robots=False)
        return page.body

    async def _with_retries(
        self, url: str, current: str, headers: dict[str, str], kind: Kind
    ) -> FetchedPage | _Redirect:
        settings = self.settings
        attempt = 0
        while True:
            try:
                return await self._once(url, current, headers, kind)
            except FetchError as exc:
                if attempt >= settings.retries or not is_retryable(exc):
                    raise
                delay = backoff_delay(attempt, base=settings.backoff_base, cap=settings.backoff_max)
                retry_after = getattr(exc, "retry_after", None)
                if retry_after is not None:
                    if retry_after > settings.max_retry_after:
                        raise
                    delay = max(delay, retry_after)
                    self._hosts.defer(split(current).hostname or "", retry_after)
                logger.info("%s: %s, retry %d in %.1fs", current, exc, attempt + 1, delay)
                await asyncio.sleep(delay)
                attempt += 1

    async def _once(
        self, url: str, current: str, headers: dict[str, str], kind: Kind
    ) -> FetchedPage | _Redirect:
        host = split(current).hostname or ""
        try:
            # The host slot first: a request waiting out a host's delay holds no global slot.
            async with self._hosts.slot(host), self._total:
                async with asyncio.timeout(self.settings.total_timeout):
                    return await self._request(url, current, headers, kind)
        except TimeoutError:
            raise FetchTimeout(url, f"total timeout {self.settings.total_timeout}s") from None
        except (BlockedAddress, DNSError, ConnectFailed) as exc:
            if exc.url == url:  # raised by the guard, which knows only the host
                raise
            raise type(exc)(url, str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise FetchTimeout(url, f"{type(exc).__name__}") from None
        except httpx.ConnectError as exc:
            raise ConnectFailed(url, f"cannot connect: {exc}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
            raise ProtocolFailure(url, f"broken response: {exc}") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None
        except httpx.InvalidURL as exc:  # a transport of httpx's own reads URLs more strictly
            raise InvalidURL(url, f"not a valid URL: {exc}") from None

    async def _request(
        self, url: str, current: str, headers: dict[str, str], kind: Kind
    ) -> FetchedPage | _Redirect:
        reply = await self._network.send(current, {**self._headers, **headers})
        try:
            status = reply.status
            if status in _REDIRECTS and "location" in reply.headers:
                return _Redirect(reply.headers["location"])
            if status == 304:
                return self._page(url, current, reply, b"", kind, not_modified=True)
            if status >= 400 or status < 200:
                retry_after = parse_retry_after(reply.headers.get("retry-after"))
                raise HTTPStatusError(url, status, retry_after)
            content_type = reply.headers.get("content-type")
            check_content_type(url, content_type, kind)
            body = await self._read_capped(url, reply, kind)
            if kind == "feed":
                body = gunzip(url, body, self._cap(kind), content_type)
            check_body(url, body, kind)
            return self._page(url, current, reply, body, kind)
        finally:
            await reply.release()

    def _cap(self, kind: Kind) -> int:
        """The largest body accepted for ``kind``: feeds and sitemaps have a cap of their
        own (the sitemap protocol allows 50 MB)."""
        if kind == "robots":
            return ROBOTS_MAX_BYTES
        return self.settings.max_feed_bytes if kind == "feed" else self.settings.max_bytes

    async def _read_capped(self, url: str, reply: Reply, kind: Kind) -> bytes:
        cap = self._cap(kind)
        declared = reply.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            if kind == "robots":
                return b""
            raise TooLarge(url, f"Content-Length {declared} exceeds {cap} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in reply.chunks:
            size += len(chunk)
            if size > cap:
                raise TooLarge(url, f"body exceeds {cap} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _page(
        self,
        url: str,
        current: str,
        reply: Reply,
        body: bytes,
        kind: Kind,
        *,
        not_modified: bool = False,
    ) -> FetchedPage:
        declared = reply.charset
        encoding = detect_encoding(body, declared) if kind == "page" and body else declared
        return FetchedPage(
            url=url,
            final_url=current,
            status_code=reply.status,
            body=body,
            content_type=reply.headers.get("content-type", ""),
            encoding=encoding,
            etag=reply.headers.get("etag"),
            last_modified=reply.headers.get("last-modified"),
            fetched_at=datetime.now(UTC),
            not_modified=not_modified,
        )
