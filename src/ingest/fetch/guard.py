"""Refuse to connect to loopback, private, link-local and metadata addresses.

An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
``::a.b.c.d``, ``::ffff:0:a.b.c.d``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``, 6to4
``2002::/16``) is judged by the IPv4 address it carries: on a NAT64 network
``64:ff9b::10.0.0.1`` reaches 10.0.0.1. Deprecated site-local ``fec0::/10`` is private. A host
written as an IPv4 address in a legacy form (``2130706433``, ``0177.0.0.1``, ``127.1``,
``0x7f000001``) is read as the address it stands for.

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
import re
import socket
from collections.abc import Iterable
from functools import lru_cache

import httpcore

from ingest.errors import BlockedAddress, ConnectFailed, DNSError

__all__ = ["AddressGuard", "GuardedBackend", "embedded_ipv4", "is_public"]

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


#: IPv6 ranges whose last 32 bits are an IPv4 address: IPv4-compatible, SIIT
#: (``::ffff:0:a.b.c.d``), NAT64 well-known and local-use prefixes. (IPv4-mapped and 6to4
#: have properties of their own.)
_LOW_32_BITS_IPV4 = tuple(
    ipaddress.IPv6Network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
)
#: A host name made only of numbers, which resolvers read as an IPv4 address in decimal,
#: octal or hexadecimal parts (``inet_aton``).
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (see the module's docstring), if any."""
    carried = address.ipv4_mapped or address.sixtofour
    if carried is not None:
        return carried
    if any(address in network for network in _LOW_32_BITS_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """True for globally routable unicast addresses; an IPv6 address that carries an IPv4
    one is judged by the IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:
            return False
        carried = embedded_ipv4(address)
        if carried is not None:
            return is_public(carried)
    return address.is_global and not address.is_multicast


@lru_cache(maxsize=1024)
def _literal(host: str) -> IPAddress | None:
    """The address a host written as an address stands for (legacy IPv4 forms included);
    None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if not _NUMERIC_HOST.match(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:  # a part out of range: no address at all
        return None


class AddressGuard:
    """Resolves host names and refuses non-public addresses unless allowed."""

    def __init__(self, *, allow: Iterable[str] = ()) -> None:
        self._hosts, self._networks = _parse_allow(allow)

    def allowed(self, host: str, address: IPAddress) -> bool:
        """Whether connecting to ``address`` (resolved from ``host``) is allowed."""
        if is_public(address) or host.lower().rstrip(".") in self._hosts:
            return True
        carried = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
        return any(a in n for n in self._networks for a in (address, carried) if a is not None)

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
