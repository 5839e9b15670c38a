"""Politeness across hosts, robots Crawl-delay, and the guard on redirects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from ingest.config import FetchSettings
from ingest.errors import BlockedAddress, UnsupportedContent
from ingest.fetch import Fetcher

pytestmark = pytest.mark.asyncio

HTML = "<html><body><p>Berita</p></body></html>"


@pytest.fixture
def second_host() -> Iterator[HTTPServer]:
    """Another server on 127.0.0.2: a different host to the limiter."""
    server = HTTPServer(host="127.0.0.2", port=0)
    server.start()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    yield server
    server.clear()
    server.stop()


async def test_waiting_on_a_slow_host_does_not_block_others(
    site: HTTPServer, second_host: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/a").respond_with_data(HTML, content_type="text/html")
    second_host.expect_request("/b").respond_with_data(HTML, content_type="text/html")
    polite = settings.model_copy(
        update={"per_host_delay": 0.4, "max_concurrency": 2, "allow_private": ("127.0.0.0/8",)}
    )
    done: dict[str, float] = {}

    async def get(fetcher: Fetcher, name: str, url: str) -> None:
        await fetcher.get(url)
        done[name] = time.monotonic()

    async with Fetcher(polite) as fetcher:
        await fetcher.get(site.url_for("/a"))  # robots.txt of both hosts out of the way
        await fetcher.get(second_host.url_for("/b"))
        await asyncio.sleep(0.45)
        started = time.monotonic()
        await asyncio.gather(
            *(get(fetcher, f"a{i}", site.url_for("/a")) for i in range(3)),
            get(fetcher, "b", second_host.url_for("/b")),
        )
    assert done["b"] - started < 0.3  # not queued behind host a's delay
    assert done["a2"] - started >= 0.75  # host a: three starts 0.4 s apart


async def test_crawl_delay_raises_the_host_delay(site: HTTPServer, settings: FetchSettings) -> None:
    site.clear()
    site.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 1\nDisallow:\n", content_type="text/plain"
    )
    site.expect_request("/p").respond_with_data(HTML, content_type="text/html")
    started = time.monotonic()
    async with Fetcher(settings) as fetcher:
        for _ in range(2):
            await fetcher.get(site.url_for("/p"))
    assert time.monotonic() - started >= 0.95


async def test_redirect_to_private_address_is_blocked(
    site: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with pytest.raises(BlockedAddress) as caught:
        async with Fetcher(settings.model_copy(update={"respect_robots": False})) as fetcher:
            await fetcher.get(site.url_for("/go"))
    assert caught.value.url == site.url_for("/go")
    assert "169.254.169.254" in str(caught.value)


@pytest.mark.parametrize(
    "content_type", ["application/rss+xml", "text/xml", "application/x-gzip", "text/html"]
)
async def test_feed_content_types_accepted(
    site: HTTPServer, settings: FetchSettings, content_type: str
) -> None:
    site.expect_request("/feed").respond_with_data("<rss/>", content_type=content_type)
    async with Fetcher(settings) as fetcher:
        page = await fetcher.get(site.url_for("/feed"), kind="feed")
    assert page.body == b"<rss/>"


async def test_feed_refuses_images(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/feed").respond_with_data(b"GIF89a", content_type="image/gif")
    with pytest.raises(UnsupportedContent):
        async with Fetcher(settings) as fetcher:
            await fetcher.get(site.url_for("/feed"), kind="feed")


async def test_a_fetcher_taking_over_hosts_keeps_their_delay(
    site: HTTPServer, settings: FetchSettings
) -> None:
    """A large run's page worker takes over the hosts its run fetched from until then
    (discovery): its first request to such a host waits out that host's delay, raised by a
    Crawl-delay, though the worker itself never asked that host anything."""
    site.clear()
    site.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 1\nDisallow:\n", content_type="text/plain"
    )
    site.expect_request("/p").respond_with_data(HTML, content_type="text/html")
    async with Fetcher(settings) as discovery:
        await discovery.get(site.url_for("/p"))
        handed = discovery.host_times()
    asked = time.monotonic()
    async with Fetcher(settings) as worker:
        worker.take_over_hosts(handed)
        await worker.get(site.url_for("/p"))
        first = time.monotonic()
        await worker.get(site.url_for("/p"))
        second = time.monotonic()
    assert first - asked >= 0.9  # the discovery request's delay, kept
    assert second - first >= 0.95  # and the Crawl-delay with it
