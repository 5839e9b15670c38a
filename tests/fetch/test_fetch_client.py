"""Fetcher against a real HTTP server on 127.0.0.1, with faults injected."""

from __future__ import annotations

import asyncio
import gzip
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingest.config import FetchSettings
from ingest.errors import (
    BlockedAddress,
    DNSError,
    FetchTimeout,
    HTTPStatusError,
    ProtocolFailure,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    UnsupportedContent,
)
from ingest.fetch import Fetcher

pytestmark = pytest.mark.asyncio

HTML = (
    "<html><body><p>Rapat koordinasi Pilkada di Tenggarong – Kutai Kartanegara.</p></body></html>"
)


def requests_to(server: HTTPServer, path: str) -> int:
    """How many requests the server received for ``path``."""
    return sum(1 for request, _ in server.log if request.path == path)


async def fetch(settings: FetchSettings, url: str, **kwargs: Any) -> Any:
    async with Fetcher(settings) as fetcher:
        return await fetcher.get(url, **kwargs)


async def test_plain_page_sends_user_agent_and_decodes(
    site: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/a", headers={"User-Agent": settings.user_agent}).respond_with_data(
        HTML, content_type="text/html; charset=utf-8", headers={"ETag": '"v1"'}
    )
    page = await fetch(settings, site.url_for("/a"))
    assert page.status_code == 200
    assert page.etag == '"v1"'
    assert "Tenggarong – Kutai" in page.text
    assert not page.not_modified


async def test_conditional_get_gives_not_modified(
    site: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/a", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    page = await fetch(settings, site.url_for("/a"), etag='"v1"')
    assert page.not_modified and page.body == b""
    assert page.status_code == 304


async def test_500_is_retried_then_succeeds(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_oneshot_request("/flaky").respond_with_data("oops", status=500)
    site.expect_request("/flaky").respond_with_data(HTML, content_type="text/html")
    page = await fetch(settings, site.url_for("/flaky"))
    assert page.status_code == 200
    assert requests_to(site, "/flaky") == 2


async def test_persistent_500_fails_after_retries(
    site: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/down").respond_with_data("oops", status=503)
    with pytest.raises(HTTPStatusError) as caught:
        await fetch(settings, site.url_for("/down"))
    assert caught.value.status_code == 503
    assert caught.value.error_class == "http"
    assert requests_to(site, "/down") == settings.retries + 1


async def test_404_is_not_retried(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/gone").respond_with_data("", status=404)
    with pytest.raises(HTTPStatusError):
        await fetch(settings, site.url_for("/gone"))
    assert requests_to(site, "/gone") == 1


async def test_429_waits_for_retry_after(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_oneshot_request("/busy").respond_with_data(
        "", status=429, headers={"Retry-After": "1"}
    )
    site.expect_request("/busy").respond_with_data(HTML, content_type="text/html")
    started = time.monotonic()
    page = await fetch(settings, site.url_for("/busy"))
    assert page.status_code == 200
    assert time.monotonic() - started >= 0.95


async def test_retry_after_beyond_limit_fails_at_once(
    site: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/busy").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(HTTPStatusError) as caught:
        await fetch(settings, site.url_for("/busy"))
    assert caught.value.retry_after == 3600
    assert requests_to(site, "/busy") == 1


async def test_read_timeout(site: HTTPServer, settings: FetchSettings) -> None:
    def slow(_: Request) -> Response:
        time.sleep(0.8)
        return Response(HTML, content_type="text/html")

    site.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(FetchTimeout):
        await fetch(settings.model_copy(update={"retries": 0}), site.url_for("/slow"))


async def test_slow_drip_hits_total_timeout(site: HTTPServer, settings: FetchSettings) -> None:
    def drip() -> Any:
        for _ in range(40):
            time.sleep(0.1)
            yield b"<p>a</p>"

    site.expect_request("/drip").respond_with_response(Response(drip(), content_type="text/html"))
    quick = settings.model_copy(update={"retries": 0, "total_timeout": 1.0})
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="total timeout"):
        await fetch(quick, site.url_for("/drip"))
    assert time.monotonic() - started < 2.5


async def test_truncated_body_is_a_protocol_failure(
    raw_server: Any, settings: FetchSettings
) -> None:
    payload = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n"
        b"Connection: close\r\n\r\n<html><body>only part"
    )
    quiet = settings.model_copy(update={"respect_robots": False})
    with raw_server(payload) as (url, server):
        with pytest.raises(ProtocolFailure) as caught:
            await fetch(quiet, url + "/cut")
        assert server.hits == quiet.retries + 1
    assert caught.value.error_class == "protocol"


async def test_huge_body_declared(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/big").respond_with_data("x" * 200_000, content_type="text/html")
    with pytest.raises(TooLarge):
        await fetch(settings, site.url_for("/big"))


async def test_huge_body_streamed_without_length(site: HTTPServer, settings: FetchSettings) -> None:
    def stream() -> Any:
        for _ in range(100):
            yield b"<p>" + b"x" * 10_000 + b"</p>"

    site.expect_request("/big").respond_with_response(Response(stream(), content_type="text/html"))
    with pytest.raises(TooLarge, match="exceeds"):
        await fetch(settings, site.url_for("/big"))


async def test_pdf_is_refused_before_reading(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/doc").respond_with_data(b"%PDF-1.4 ...", content_type="application/pdf")
    with pytest.raises(UnsupportedContent) as caught:
        await fetch(settings, site.url_for("/doc"))
    assert caught.value.error_class == "content_type"


async def test_image_disguised_as_html_is_refused(
    site: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/img").respond_with_data(
        b"\x89PNG\r\n\x1a\n....", content_type="text/html"
    )
    with pytest.raises(UnsupportedContent):
        await fetch(settings, site.url_for("/img"))


@pytest.mark.parametrize(
    ("header", "body", "expected"),
    [
        ("text/html; charset=iso-8859-1", "Kutai – Kartanegara “Kukar”".encode(), "utf-8"),
        ("text/html; charset=utf-8", "Tenggarong café – Kukar".encode("cp1252"), "cp1252"),
        ("text/html", '<meta charset="windows-1252"><p>Rp 5.000 – café'.encode("cp1252"), "cp1252"),
    ],
)
async def test_wrong_charset_header(
    site: HTTPServer, settings: FetchSettings, header: str, body: bytes, expected: str
) -> None:
    site.expect_request("/enc").respond_with_data(body, content_type=header)
    page = await fetch(settings, site.url_for("/enc"))
    assert page.encoding == expected
    assert "–" in page.text and "\ufffd" not in page.text


async def test_redirect_followed(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    site.expect_request("/new").respond_with_data(HTML, content_type="text/html")
    page = await fetch(settings, site.url_for("/old"))
    assert page.url == site.url_for("/old")
    assert page.final_url == site.url_for("/new")


async def test_redirect_loop(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    site.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(TooManyRedirects, match="loop"):
        await fetch(settings, site.url_for("/a"))
    assert requests_to(site, "/a") == 1


async def test_too_many_redirects(site: HTTPServer, settings: FetchSettings) -> None:
    for i in range(10):
        site.expect_request(f"/r{i}").respond_with_data(
            "", status=302, headers={"Location": f"/r{i + 1}"}
        )
    with pytest.raises(TooManyRedirects):
        await fetch(settings.model_copy(update={"max_redirects": 3}), site.url_for("/r0"))
    assert requests_to(site, "/r4") == 0


async def test_robots_disallow_is_honoured_and_cached(
    httpserver: HTTPServer, settings: FetchSettings
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/public").respond_with_data(HTML, content_type="text/html")
    async with Fetcher(settings) as fetcher:
        with pytest.raises(RobotsDisallowed):
            await fetcher.get(httpserver.url_for("/private/x"))
        await fetcher.get(httpserver.url_for("/public"))
        await fetcher.get(httpserver.url_for("/public"))
    assert requests_to(httpserver, "/private/x") == 0
    assert requests_to(httpserver, "/robots.txt") == 1


async def test_robots_5xx_forbids_the_site(httpserver: HTTPServer, settings: FetchSettings) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=500)
    httpserver.expect_request("/page").respond_with_data(HTML, content_type="text/html")
    with pytest.raises(RobotsDisallowed):
        await fetch(settings.model_copy(update={"retries": 0}), httpserver.url_for("/page"))
    assert requests_to(httpserver, "/page") == 0


async def test_loopback_refused_by_default(site: HTTPServer) -> None:
    site.expect_request("/a").respond_with_data(HTML, content_type="text/html")
    with pytest.raises(BlockedAddress) as caught:
        await fetch(FetchSettings(per_host_delay=0), site.url_for("/a"))
    assert caught.value.url == site.url_for("/a")
    assert caught.value.error_class == "blocked"
    assert len(site.log) == 0


async def test_unresolvable_host_is_a_dns_error(settings: FetchSettings) -> None:
    with pytest.raises(DNSError) as caught:
        await fetch(settings, "http://no-such-host.invalid/berita")
    assert caught.value.error_class == "dns"


async def test_per_host_delay_spaces_requests(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/p").respond_with_data(HTML, content_type="text/html")
    polite = settings.model_copy(update={"per_host_delay": 0.2, "per_host_concurrency": 4})
    started = time.monotonic()
    async with Fetcher(polite) as fetcher:
        await asyncio.gather(*(fetcher.get(site.url_for("/p")) for _ in range(4)))
    assert time.monotonic() - started >= 0.6


async def test_gzip_bomb_is_capped_after_decoding(
    site: HTTPServer, settings: FetchSettings
) -> None:
    bomb = gzip.compress(b"<p>" + b"a" * 2_000_000 + b"</p>")
    assert len(bomb) < settings.max_bytes
    site.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(TooLarge):
        await fetch(settings, site.url_for("/bomb"))
