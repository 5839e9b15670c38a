"""``ingest serve``: serve every schedule group as a Prefect deployment from one process.

With ``PREFECT_API_URL`` set (or a Prefect profile that sets it), the deployments are served
against that server. Otherwise a local server is started first (``prefect server start`` on
127.0.0.1 and a free port; its database is in ``PREFECT_HOME``), because the ephemeral server
Prefect starts on its own does not run schedules. Its URL is written to
``$PREFECT_HOME/ingest-serve.json`` so that ``ingest run`` on this machine records its runs there.
The server is told its own API address for its UI (``PREFECT_SERVER_UI_API_URL``): by default
Prefect's UI calls ``http://127.0.0.1:4200/api`` whatever port the server listens on.

A :class:`ServeWatcher` hears when a local server starts and where the UI is once it answers.

On SIGINT or SIGTERM serving stops first (schedules stay active: ``pause_on_shutdown=False``),
then the server it started.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from ingest.config import Settings
from ingest.errors import PrefectServerError
from ingest.runner import configured_api_url, serve_state_path

__all__ = [
    "LocalServer",
    "ServeWatcher",
    "local_server",
    "serve",
    "start_server",
    "stop_server",
    "ui_url",
]

logger = logging.getLogger(__name__)

QUIET_ENV = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


@dataclass(frozen=True, slots=True)
class LocalServer:
    """A ``prefect server start`` subprocess and the API URL it answers on."""

    process: subprocess.Popen[bytes]
    api_url: str
    log_path: Path


class ServeWatcher(Protocol):
    """Told what ``ingest serve`` is doing, for the person watching it."""

    def starting(self, address: str, log_path: Path, timeout: float) -> None:
        """A local Prefect server is starting at ``address``; it logs to ``log_path``."""

    def ready(self, ui_address: str) -> None:
        """The Prefect UI answers at ``ui_address`` (the deployments are not served yet)."""


class _LogWatcher:
    def starting(self, address: str, log_path: Path, timeout: float) -> None:
        logger.info("starting a Prefect server at %s (log: %s)", address, log_path)

    def ready(self, ui_address: str) -> None:
        logger.info("Prefect UI: %s", ui_address)


def ui_url(api_url: str) -> str:
    """The address of the Prefect UI served beside the API at ``api_url``."""
    return api_url.rstrip("/").removesuffix("/api")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def start_server(
    log_path: Path, *, timeout: float = 120.0, watcher: ServeWatcher | None = None
) -> LocalServer:
    """Start ``prefect server start`` on a free local port and wait until it is healthy."""
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    (watcher or _LogWatcher()).starting(ui_url(api_url), log_path, timeout)
    env = {**os.environ, **QUIET_ENV, "PREFECT_SERVER_UI_API_URL": api_url}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    server = LocalServer(process=process, api_url=api_url, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PrefectServerError(f"the Prefect server exited at start-up; see {log_path}")
        if _healthy(api_url):
            logger.info("Prefect server ready at %s", api_url)
            return server
        time.sleep(0.5)
    stop_server(server)
    raise PrefectServerError(
        f"the Prefect server was not ready after {timeout:.0f} s "
        f"(schedule.prefect_startup_timeout); see {log_path}"
    )


def stop_server(server: LocalServer, *, timeout: float = 30.0) -> None:
    """Stop the server and its children: SIGTERM to its process group, SIGKILL if it lingers."""
    if server.process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.process.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            logger.warning("Prefect server did not stop after %s; killing it", sig.name)


@contextmanager
def local_server(
    state_path: Path, *, timeout: float = 120.0, watcher: ServeWatcher | None = None
) -> Iterator[str]:
    """A local Prefect server for the duration of the block; yields its API URL."""
    log_path = state_path.with_name("ingest-server.log")
    server = start_server(log_path, timeout=timeout, watcher=watcher)
    state_path.write_text(json.dumps({"api_url": server.api_url, "pid": server.process.pid}))
    try:
        yield server.api_url
    finally:
        state_path.unlink(missing_ok=True)
        logger.info("stopping the Prefect server")
        stop_server(server)


def _serve_against(settings: Settings, api_url: str) -> None:
    # Runs are executed in subprocesses that inherit this environment; the database URL goes
    # there rather than into deployment parameters, so that no password is stored in Prefect.
    os.environ.update({"PREFECT_API_URL": api_url, "INGEST_DB_URL": settings.db_url})
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployments import build_deployments

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        deployments = build_deployments(settings)
        logger.info("serving %d deployments against %s", len(deployments), api_url)
        prefect_serve(*deployments, pause_on_shutdown=False, limit=settings.schedule.serve_limit)


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def serve(settings: Settings, *, watcher: ServeWatcher | None = None) -> None:
    """Serve every schedule group until interrupted; start a local server if none is set (and
    wait ``schedule.prefect_startup_timeout`` for it)."""
    watcher = watcher or _LogWatcher()
    # Until Prefect's runner installs its own handler, SIGTERM must still unwind to the
    # ``finally`` that stops the server.
    signal.signal(signal.SIGTERM, _interrupt)
    api_url = os.environ.get("PREFECT_API_URL") or configured_api_url()
    if api_url:
        watcher.ready(ui_url(api_url))
        _serve_against(settings, api_url)
        return
    state_path = serve_state_path()
    state_path.parent.mkdir(parents=True, exist_ok=True)
    timeout = settings.schedule.prefect_startup_timeout
    with local_server(state_path, timeout=timeout, watcher=watcher) as url:
        watcher.ready(ui_url(url))
        _serve_against(settings, url)
