"""The network under the fetcher (aiohttp) against real servers on 127.0.0.1: each way a
connection can fail keeps its own error class, connections are reused, no cookies are kept,
and host names that resolve to private addresses are refused like address literals."""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingest.config import FetchSettings
from ingest.errors import BlockedAddress, ConnectFailed, FetchTimeout, ProtocolFailure
from ingest.fetch import Fetcher

pytestmark = pytest.mark.asyncio

HTML = "<html><body><p>Bupati Kutai Kartanegara meresmikan jembatan.</p></body></html>"
RawServer = Callable[[bytes], AbstractContextManager[tuple[str, socketserver.TCPServer]]]


async def fetch(settings: FetchSettings, url: str) -> Any:
    async with Fetcher(settings) as fetcher:
        return await fetcher.get(url)


def no_retries(settings: FetchSettings) -> FetchSettings:
    return settings.model_copy(update={"retries": 0, "respect_robots": False})


async def test_connection_closed_without_answer_is_a_protocol_failure(
    raw_server: RawServer, settings: FetchSettings
) -> None:
    with raw_server(b"") as (url, server), pytest.raises(ProtocolFailure) as caught:
        await fetch(no_retries(settings), f"{url}/berita")
    assert caught.value.error_class == "protocol"
    # aiohttp sends a GET again, once, when its connection drops (a stale keep-alive
    # connection looks the same); no retries of the fetcher's own here.
    assert server.hits in (1, 2)  # type: ignore[attr-defined]


async def test_garbage_status_line_is_a_protocol_failure(
    raw_server: RawServer, settings: FetchSettings
) -> None:
    with raw_server(b"SPAM 200 nonsense\r\n\r\n") as (url, _), pytest.raises(ProtocolFailure):
        await fetch(no_retries(settings), f"{url}/berita")


async def test_closed_port_is_a_connect_failure(settings: FetchSettings) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectFailed) as caught:
        await fetch(no_retries(settings), f"http://127.0.0.1:{port}/berita")
    assert caught.value.error_class == "connect"
    assert caught.value.url == f"http://127.0.0.1:{port}/berita"


async def test_silent_server_is_a_timeout(settings: FetchSettings) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:  # accepts (the kernel does) and never answers
        with pytest.raises(FetchTimeout) as caught:
            await fetch(no_retries(settings), f"http://127.0.0.1:{port}/berita")
    finally:
        listener.close()
    assert caught.value.error_class == "timeout"


class _CountingHandler(socketserver.StreamRequestHandler):
    """Answers every request on a connection (keep-alive) and counts connections."""

    def handle(self) -> None:
        self.server.connections += 1  # type: ignore[attr-defined]
        body = HTML.encode()
        while True:
            line = self.rfile.readline()
            if not line:
                return
            while self.rfile.readline() not in (b"\r\n", b""):
                pass
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )


@pytest.fixture
def keepalive_server() -> Iterator[tuple[str, socketserver.ThreadingTCPServer]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _CountingHandler)
    server.daemon_threads = True
    server.connections = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


async def test_connections_are_reused(
    keepalive_server: tuple[str, socketserver.ThreadingTCPServer], settings: FetchSettings
) -> None:
    url, server = keepalive_server
    one_at_a_time = no_retries(settings).model_copy(update={"per_host_concurrency": 1})
    async with Fetcher(one_at_a_time) as fetcher:
        pages = [await fetcher.get(f"{url}/berita/{i}") for i in range(10)]
    assert all(page.text == HTML for page in pages)
    assert server.connections == 1  # type: ignore[attr-defined]


async def test_cookies_are_not_sent_back(httpserver: HTTPServer, settings: FetchSettings) -> None:
    def set_cookie(request: Request) -> Response:
        response = Response(HTML, content_type="text/html")
        response.set_cookie("session", "abc")
        return response

    httpserver.expect_request("/a").respond_with_handler(set_cookie)
    httpserver.expect_request("/b").respond_with_data(HTML, content_type="text/html")
    async with Fetcher(no_retries(settings)) as fetcher:
        await fetcher.get(httpserver.url_for("/a"))
        await fetcher.get(httpserver.url_for("/b"))
    second = [request for request, _ in httpserver.log if request.path == "/b"]
    assert second and "Cookie" not in second[0].headers


async def test_host_name_resolving_to_loopback_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data(HTML, content_type="text/html")
    url = f"http://localhost:{httpserver.port}/a"
    with pytest.raises(BlockedAddress) as caught:
        await fetch(FetchSettings(per_host_delay=0, respect_robots=False), url)
    assert caught.value.url == url
    assert len(httpserver.log) == 0


async def test_host_name_allowed_by_name_is_fetched(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data(HTML, content_type="text/html")
    settings = FetchSettings(per_host_delay=0, respect_robots=False, allow_private=("localhost",))
    page = await fetch(settings, f"http://localhost:{httpserver.port}/a")
    assert page.text == HTML


async def test_response_aiohttp_refuses_is_read_by_httpx(
    raw_server: RawServer, settings: FetchSettings
) -> None:
    """A repeated Content-Length (allowed when the values agree) is refused by aiohttp's
    parser; the page comes through httpx's transport instead."""
    body = HTML.encode()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with raw_server(head.encode() + body) as (url, server):
        page = await fetch(no_retries(settings), f"{url}/berita")
    assert page.text == HTML
    assert server.hits == 2  # type: ignore[attr-defined]  # aiohttp's try, then httpx's


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for ``localhost`` signed by itself, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_certificate_nobody_vouches_for_is_refused(tmp_path: Path) -> None:
    """TLS certificates are verified: a self-signed one fails the connection ("connect"),
    and no request reaches the server."""
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/a").respond_with_data(HTML, content_type="text/html")
    server.start()
    try:
        settings = FetchSettings(
            per_host_delay=0, respect_robots=False, retries=0, allow_private=("localhost",)
        )
        with pytest.raises(ConnectFailed) as caught:
            await fetch(settings, f"https://localhost:{server.port}/a")
    finally:
        server.stop()
    assert caught.value.error_class == "connect"
    assert "certificate" in str(caught.value).lower()
    assert len(server.log) == 0
