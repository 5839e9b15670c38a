"""The network under the fetcher: one GET sent, its reply read as it arrives.

:class:`Network` sends with aiohttp. httpx's own transport parses HTTP in Python (httpcore,
h11, anyio), and its request and response objects validate every URL and header again: about
0.6 ms of CPU a request, more than the rest of a fetch together. aiohttp's C parser and the
plain :class:`Reply` here cost a fifth of that. One session and its connection pool serve every
host of a run; the fetcher's host limiter keeps to the per-host limits.

:class:`TransportNetwork` sends through any httpx transport instead: the local mirror of the
demo (:class:`~ingest.snapshot.SnapshotTransport`), or one a caller brings. :class:`Network`
also falls back on httpx's own transport for a response aiohttp's parser refuses but h11 reads
(a server that repeats its Content-Length header, say): one more way a real site stays usable.

Both raise httpx's errors, each of the kind that happened (a timeout stays a timeout, a cut-off
body a read error), or the guard's own :class:`~ingest.errors.FetchError`. Every connection
:class:`Network` makes passes the :class:`~ingest.fetch.guard.AddressGuard`: host names through
the session's resolver (the connection then goes to the checked address), address literals,
which aiohttp does not resolve, before the request is sent.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from ingest.config import FetchSettings
from ingest.errors import DNSError
from ingest.fetch.guard import AddressGuard, GuardedBackend

__all__ = ["Network", "Reply", "Sender", "TransportNetwork"]

_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Reply:
    """A response whose body has not been read yet; ``release`` it when done."""

    status: int
    headers: Mapping[str, str]
    """Case-insensitive."""
    charset: str | None
    """The charset the Content-Type header declares, if any."""
    chunks: AsyncIterator[bytes]
    """The body, decompressed, as it arrives."""
    release: Callable[[], Awaitable[None]]


class Sender(Protocol):
    """Where the fetcher's requests go."""

    async def send(self, url: str, headers: Mapping[str, str]) -> Reply: ...

    async def aclose(self) -> None: ...


class _GuardedResolver(AbstractResolver):
    """Resolves host names through the guard: only allowed addresses come back."""

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self._guard.resolve(host, port)
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class Network:
    """Sends over the network with aiohttp; one per run."""

    def __init__(self, settings: FetchSettings) -> None:
        self._settings = settings
        self._ssl: ssl.SSLContext | None = None
        self._guard = AddressGuard(allow=settings.allow_private)
        self._timeout = aiohttp.ClientTimeout(
            sock_connect=settings.connect_timeout, sock_read=settings.read_timeout
        )
        self._session: aiohttp.ClientSession | None = None
        self._lenient: TransportNetwork | None = None

    def _ssl_context(self) -> ssl.SSLContext:
        """The CA certificates, loaded once and only when a request is sent (20 ms of CPU: a
        run's own fetcher often sends none once its page workers fetch)."""
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return self._ssl

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the event loop that is running then.
        connector = aiohttp.TCPConnector(
            limit=self._settings.max_concurrency,
            limit_per_host=self._settings.per_host_concurrency,
            ssl=self._ssl_context(),
            resolver=_GuardedResolver(self._guard),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # no cookies: each request stands alone
            timeout=self._timeout,
            trust_env=False,
        )
        return self._session

    async def send(self, url: str, headers: Mapping[str, str]) -> Reply:
        target = URL(url)
        self._guard.check_literal(target.host or "")  # aiohttp connects to these unresolved
        session = self._session or self._open()
        try:
            with _as_httpx_errors(url):
                response = await session.get(target, headers=headers, allow_redirects=False)
        except _Unparsed:
            return await self._fallback().send(url, headers)
        return Reply(
            status=response.status,
            headers=response.headers,
            charset=response.charset,
            chunks=_chunks(response, url),
            release=_releaser(response),
        )

    def _fallback(self) -> TransportNetwork:
        """httpx's own transport, its connections guarded like the session's."""
        if self._lenient is None:
            limits = httpx.Limits(max_connections=self._settings.max_concurrency)
            transport = httpx.AsyncHTTPTransport(
                verify=self._ssl_context(), limits=limits, retries=0
            )
            pool = transport._pool  # httpx has no network-backend option; wrap the pool's one
            pool._network_backend = GuardedBackend(self._guard, pool._network_backend)
            self._lenient = TransportNetwork(transport, self._settings)
        return self._lenient

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._lenient is not None:
            await self._lenient.aclose()
            self._lenient = None


async def _chunks(response: aiohttp.ClientResponse, url: str) -> AsyncIterator[bytes]:
    with _as_httpx_errors(url):
        async for chunk in response.content.iter_chunked(_CHUNK):
            yield chunk


def _releaser(response: aiohttp.ClientResponse) -> Callable[[], Awaitable[None]]:
    async def release() -> None:
        response.release()  # back to the pool if the body was read, else closed

    return release


class _Unparsed(httpx.RemoteProtocolError):
    """aiohttp's parser refused the status line or the headers."""


@contextmanager
def _as_httpx_errors(url: str) -> Iterator[None]:
    """aiohttp's errors as the httpx errors of the same kind."""
    try:
        yield
    except aiohttp.ClientConnectorDNSError as exc:
        host = exc.host
        raise DNSError(host, f"cannot resolve host: {exc.os_error}") from None
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timeout") from None
    except aiohttp.ServerTimeoutError as exc:
        raise httpx.ReadTimeout(str(exc) or "read timeout") from None
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc)) from None
    except aiohttp.ClientPayloadError as exc:
        raise httpx.ReadError(str(exc)) from None
    except aiohttp.ClientResponseError as exc:  # raised for a response it cannot parse
        raise _Unparsed(str(exc)) from None
    except aiohttp.ServerDisconnectedError as exc:
        raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from None
    except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
        raise httpx.UnsupportedProtocol(f"{url}: {exc}") from None
    except aiohttp.ClientError as exc:  # ClientOSError and the rest: the connection broke
        raise httpx.ReadError(f"{type(exc).__name__}: {exc}") from None


class TransportNetwork:
    """Sends through an httpx transport (a local mirror, a caller's own)."""

    def __init__(self, transport: httpx.AsyncBaseTransport, settings: FetchSettings) -> None:
        self._transport = transport
        self._timeouts = httpx.Timeout(
            settings.read_timeout, connect=settings.connect_timeout, pool=settings.total_timeout
        ).as_dict()

    async def send(self, url: str, headers: Mapping[str, str]) -> Reply:
        request = httpx.Request("GET", url, headers=headers, extensions={"timeout": self._timeouts})
        response = await self._transport.handle_async_request(request)
        response.request = request
        return Reply(
            status=response.status_code,
            headers=response.headers,
            charset=response.charset_encoding,
            chunks=response.aiter_bytes(),
            release=response.aclose,
        )

    async def aclose(self) -> None:
        await self._transport.aclose()
