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

from ingest.errors import BlockedAddress, DNSError

__all__ = ["AddressGuard", "is_public"]

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


class AddressGuard:
    """Resolves host names and refuses non-public addresses unless allowed."""

    def __init__(self, *, allow: Iterable[str] = ()) -> None:
        self._hosts, self._networks = _parse_allow(allow)

    def allowed(self, host: str, address: IPAddress) -> bool:
        """Whether connecting to ``address`` (resolved from ``host``) is allowed."""
        if is_public(address) or host.lower().rstrip(".") in self._hosts:
            return True
        return any(address in network for network in self._networks)

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
