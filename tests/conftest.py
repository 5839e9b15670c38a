"""Shared fixtures: real SQLite files and a real PostgreSQL database per test session.

PostgreSQL comes from ``INGEST_TEST_POSTGRES_URL`` (default: the local server's ``test``
database). Tests marked ``postgres`` skip, with the reason, only when no server is reachable.
"""

from __future__ import annotations

import os
import socketserver
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from ingest.dedup import warmup
from ingest.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels() -> None:
    """The dedup kernels compiled into numba's cache first, as after a warm-up, so that every
    test process uses them (before it, a process takes the numpy passes: the same values)."""
    subprocess.run([*warmup.COMMAND, "--wait"], check=True, timeout=900)


def _admin_url() -> str:
    return os.environ.get("INGEST_TEST_POSTGRES_URL", DEFAULT_PG)


def _admin_engine() -> Engine:
    admin = make_url(_admin_url())
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any failure to reach the server means: skip, saying why
        if os.environ.get("INGEST_REQUIRE_POSTGRES"):
            pytest.fail(f"INGEST_REQUIRE_POSTGRES is set but PostgreSQL is unreachable: {exc}")
        pytest.skip(f"no PostgreSQL server reachable at {admin.render_as_string()}: {exc}")
    return engine


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped on exit; yields its URL."""
    engine = _admin_engine()
    name = f"ingest_test_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    try:
        yield engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards; yields its URL."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """The session's PostgreSQL database, emptied after each test."""
    yield postgres_server
    engine = create_engine(postgres_server)
    with engine.begin() as conn:
        conn.execute(text("drop schema public cascade; create schema public"))
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ingest.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ingest.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


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
