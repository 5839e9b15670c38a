"""Fixtures for fetch tests: a real HTTP server on 127.0.0.1 and settings that may reach it
(``raw_server``, for faults a well-behaved server will not produce, is in tests/conftest.py)."""

from __future__ import annotations

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
