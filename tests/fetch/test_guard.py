"""The address guard's table: every way of writing an address it must refuse or let through,
IPv6 forms that carry an IPv4 address and legacy IPv4 spellings included."""

from __future__ import annotations

import ipaddress

import pytest

from ingest.config import FetchSettings
from ingest.errors import BlockedAddress
from ingest.fetch import AddressGuard, Fetcher

BLOCKED = [
    # IPv4 ranges
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.5",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    # IPv6 ranges
    "::",
    "::1",
    "fe80::1",
    "fd00:ec2::254",
    "fc00::1",
    "fec0::1",  # deprecated site-local
    "ff02::1",
    "2001:db8::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    # IPv6 carrying a private IPv4 address
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible
    "::10.0.0.1",
    "::ffff:0:127.0.0.1",  # SIIT
    "::ffff:0:169.254.169.254",
    "64:ff9b::10.0.0.1",  # NAT64 well-known prefix
    "64:ff9b::169.254.169.254",
    "64:ff9b::127.0.0.1",
    "64:ff9b:1::192.168.0.1",  # NAT64 local-use prefix
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
]
ALLOWED = [
    "103.10.20.30",
    "8.8.8.8",
    "2001:4860:4860::8888",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::8.8.8.8",  # what DNS64 answers for a public IPv4-only host
    "2002:808:808::1",
]
# Host names a resolver reads as IPv4 addresses (inet_aton): decimal, octal, hex, short forms.
LEGACY_BLOCKED = [
    "2130706433",
    "0177.0.0.1",
    "127.1",
    "0x7f000001",
    "0x7f.1",
    "017700000001",
    "10.1",
]


@pytest.mark.parametrize("address", BLOCKED)
def test_guard_refuses_non_public(address: str) -> None:
    assert not AddressGuard().allowed("example.id", ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_guard_allows_public(address: str) -> None:
    assert AddressGuard().allowed("example.id", ipaddress.ip_address(address))


@pytest.mark.parametrize("host", [*BLOCKED, *LEGACY_BLOCKED])
def test_literal_hosts_are_blocked(host: str) -> None:
    written = f"[{host}]" if ":" in host else host
    with pytest.raises(BlockedAddress):
        AddressGuard().check_literal(written)


@pytest.mark.parametrize(
    "host", ["kukarkab.go.id", "2024.example.id", "1.2.3.4.example", "0x.example"]
)
def test_names_are_left_to_the_resolver(host: str) -> None:
    AddressGuard().check_literal(host)  # no error: resolve() checks what a name resolves to


@pytest.mark.parametrize(
    ("allow", "address", "allowed"),
    [
        (("10.0.0.0/8",), "10.9.9.9", True),
        (("10.0.0.0/8",), "192.168.0.1", False),
        (("10.0.0.0/8",), "64:ff9b::10.9.9.9", True),  # the allowed range, through NAT64
        (("10.0.0.0/8",), "2002:c0a8:1::", False),
        (("fd00::/8",), "fd00::1", True),
    ],
)
def test_guard_allow_list_by_range(allow: tuple[str, ...], address: str, allowed: bool) -> None:
    assert AddressGuard(allow=allow).allowed("x", ipaddress.ip_address(address)) is allowed


def test_guard_allow_list_by_host() -> None:
    guard = AddressGuard(allow=("intranet.kukar",))
    assert guard.allowed("intranet.kukar", ipaddress.ip_address("192.168.0.1"))
    assert not guard.allowed("other.kukar", ipaddress.ip_address("192.168.0.1"))


@pytest.mark.asyncio
async def test_guard_resolves_then_checks() -> None:
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1"):
        await AddressGuard().resolve("127.0.0.1", 80)
    assert await AddressGuard(allow=("127.0.0.0/8",)).resolve("127.0.0.1", 80) == ["127.0.0.1"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "host", [*LEGACY_BLOCKED, "[64:ff9b::7f00:1]", "[::127.0.0.1]", "[2002:7f00:1::]"]
)
async def test_fetcher_reports_encoded_private_hosts_as_blocked(host: str) -> None:
    settings = FetchSettings(retries=0, per_host_delay=0, respect_robots=False)
    async with Fetcher(settings) as fetcher:
        with pytest.raises(BlockedAddress) as caught:
            await fetcher.get(f"http://{host}/berita/1")
    assert caught.value.error_class == "blocked"
