"""Fixtures for fetch tests: a real HTTP server on 127.0.0.1 and settings that may reach it."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pytest_httpserver import HTTPServer

from ingest.config import FetchSettings


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def settings() -> FetchSettings:
    """Fast settings that allow the loopback test server."""
    return FetchSettings(
        allow_private=("127.0.0.1",),
        per_host_delay=0,
        retries=2,
        backoff_base=0.01,
        backoff_max=0.05,
        connect_timeout=2,
        read_timeout=0.5,
        total_timeout=3,
        max_bytes=100_000,
    )


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    """The test server with no robots.txt (404: everything allowed)."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.recv(65536)
        self.server.hits += 1  # type: ignore[attr-defined]
        self.request.sendall(self.server.payload)  # type: ignore[attr-defined]


@contextmanager
def _raw_server(payload: bytes) -> Iterator[tuple[str, socketserver.ThreadingTCPServer]]:
    """Yield (base URL, server); the server's ``hits`` counts connections."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.payload = payload  # type: ignore[attr-defined]
    server.hits = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def raw_server() -> object:
    """A factory: ``with raw_server(b"HTTP/1.1 200 OK...") as (url, server)``; for faults a
    well-behaved HTTP server will not produce (truncated bodies, lying headers)."""
    return _raw_server
