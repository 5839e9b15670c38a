"""Refuse to connect to loopback, private, link-local and metadata addresses.

A feed can point anywhere, so every connection is checked on the addresses the host name
resolves to, and the connection is then made to the checked address itself (a second lookup
could answer differently: DNS rebinding). ``allow`` names hosts or CIDR ranges that are allowed
anyway, for users who crawl their own intranet::

    guard = AddressGuard(allow=("10.0.0.0/8", "intranet.local"))
    await guard.resolve("kukarkab.go.id", 443)   # -> ["103.x.x.x", ...] or BlockedAddress
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from functools import lru_cache

import httpcore

from ingest.errors import BlockedAddress, ConnectFailed, DNSError

__all__ = ["AddressGuard", "GuardedBackend"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_allow(allow: Iterable[str]) -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for item in allow:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            hosts.add(item.strip().lower().rstrip("."))
    return frozenset(hosts), tuple(networks)


def is_public(address: IPAddress) -> bool:
    """True for globally routable unicast addresses (IPv4-mapped IPv6 checked as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


@lru_cache(maxsize=1024)
def _literal(host: str) -> IPAddress | None:
    """The address a host written as an address stands for; None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class AddressGuard:
    """Resolves host names and refuses non-public addresses unless allowed."""

    def __init__(self, *, allow: Iterable[str] = ()) -> None:
        self._hosts, self._networks = _parse_allow(allow)

    def allowed(self, host: str, address: IPAddress) -> bool:
        """Whether connecting to ``address`` (resolved from ``host``) is allowed."""
        if is_public(address) or host.lower().rstrip(".") in self._hosts:
            return True
        return any(address in network for network in self._networks)

    def check_literal(self, host: str) -> None:
        """Raise BlockedAddress for a host written as a non-public address (``127.0.0.1``,
        ``[::1]``) unless allowed: a client that connects to such a host without resolving
        it checks it here first. A host name passes (:meth:`resolve` checks it)."""
        address = _literal(host)
        if address is not None and not self.allowed(host, address):
            raise BlockedAddress(host, f"non-public address {host} (see fetch.allow_private)")

    async def resolve(self, host: str, port: int) -> list[str]:
        """The allowed addresses of ``host``; raises DNSError or BlockedAddress."""
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as exc:
            raise DNSError(host, f"cannot resolve host: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        refused = [a for a in addresses if not self.allowed(host, ipaddress.ip_address(a))]
        if refused:
            raise BlockedAddress(
                host, f"resolves to non-public address {refused[0]} (see fetch.allow_private)"
            )
        return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses the guard accepts."""

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend) -> None:
        self._guard = guard
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._guard.resolve(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last = exc
            except httpcore.ConnectTimeout:
                raise
        raise ConnectFailed(host, f"cannot connect: {last}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise ConnectFailed(path, "unix sockets are not used for fetching")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
