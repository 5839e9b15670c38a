"""How ``ingest run`` executes: in-process without Prefect, or as a Prefect flow run.

Starting Prefect is what makes a manual run slow, not the work: importing Prefect costs about
2 s and a flow called without a Prefect server starts an ephemeral one (10-24 s on a small
machine). So ``mode="auto"`` decides:

- a Prefect server is configured (``PREFECT_API_URL`` in the environment or the active Prefect
  profile, or a server started by ``ingest serve`` on this machine): run the ``ingest`` flow
  in-process against it (about 2.5 s of overhead), so the run is recorded by Prefect like a
  scheduled one;
- no server: call :func:`ingest.pipeline.run` directly. Prefect is never imported, and the run is
  still recorded in the store (``ingest runs``).

``mode="prefect"`` forces the flow (with an ephemeral server when none is configured) and
``mode="direct"`` forces the plain call; the default is ``[schedule] run_mode``
(``INGEST_SCHEDULE__RUN_MODE``). Figures are in ``bench/startup/README.md``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

from ingest.config import Settings
from ingest.errors import ConfigError, FetchError, IngestError, PrefectServerError, SourceError
from ingest.progress import ProgressHook
from ingest.summary import RunSummary, SourceSummary

__all__ = [
    "Mode",
    "RunFailed",
    "configured_api_url",
    "failed_source_summary",
    "is_transient",
    "parse_since",
    "prefect_home",
    "run_now",
    "serve_state_path",
    "start_temporary_server",
]

logger = logging.getLogger(__name__)

Mode = Literal["auto", "direct", "prefect"]


class RunFailed(IngestError):
    """A run finished but at least one source failed as a whole; ``summary`` says which.

    The flow raises it so that Prefect marks the flow run failed; :func:`run_now` returns the
    summary instead."""

    def __init__(self, summary: RunSummary) -> None:
        names = ", ".join(summary.failed_sources) or "unknown"
        super().__init__(f"run {summary.run_id}: sources failed: {names}")
        self.summary = summary

    def __reduce__(self) -> tuple[Any, ...]:
        return (RunFailed, (self.summary,))


def is_transient(exc: BaseException) -> bool:
    """True when retrying the whole source can help: discovery or fetch failed."""
    return isinstance(exc, SourceError | FetchError)


def failed_source_summary(source: str, exc: BaseException) -> SourceSummary:
    """The summary of a source that failed as a whole with ``exc``."""
    error_class = getattr(exc, "error_class", None) or type(exc).__name__
    return SourceSummary(source=source, error=str(exc), error_class=str(error_class))


def parse_since(text: str | None, timezone: str) -> datetime | None:
    """``2024-09-01`` or an ISO datetime; a date or naive time is in ``timezone``."""
    if not text:
        return None
    from ingest.schedules import zone

    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"since: {text!r} is not an ISO date (2024-09-01)") from None
    if len(text) <= 10:
        parsed = datetime.combine(date.fromisoformat(text), time())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(timezone))


def prefect_home(environ: Mapping[str, str] | None = None) -> Path:
    """Prefect's home folder: ``PREFECT_HOME`` or ``~/.prefect``."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()


def serve_state_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where ``ingest serve`` records the URL of the server it started."""
    return prefect_home(environ) / "ingest-serve.json"


def _profile_api_url(environ: Mapping[str, str]) -> str | None:
    path = prefect_home(environ) / "profiles.toml"
    try:
        profiles = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    url = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(url) if url else None


def _served_api_url(environ: Mapping[str, str]) -> str | None:
    try:
        state = json.loads(serve_state_path(environ).read_text())
        os.kill(int(state["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(state["api_url"])


def configured_api_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The Prefect API to record runs in, without importing Prefect; None when there is none."""
    environ = os.environ if environ is None else environ
    return environ.get("PREFECT_API_URL") or _profile_api_url(environ) or _served_api_url(environ)


def start_temporary_server(timeout: float) -> None:
    """Start the ephemeral Prefect server that a flow run uses when no server is configured,
    waiting at most ``timeout`` seconds; raise :class:`PrefectServerError` in one line if it
    does not answer (Prefect's own start would wait its 20 s default, then raise a traceback)."""
    import httpx
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one instance Prefect's clients use
    try:
        server.start(timeout=math.ceil(timeout))
    except (RuntimeError, httpx.HTTPError) as exc:
        process = server.server_process
        status = process.poll() if process else None
        ended = f"; it exited with status {status}" if status is not None else ""
        server.stop()
        raise PrefectServerError(
            f"the temporary Prefect server did not answer within {timeout:.0f} s "
            f"(schedule.prefect_startup_timeout{ended}); set PREFECT_API_URL to a running "
            "server, or start one with `ingest serve`"
        ) from exc


def _run_flow(settings: Settings, api_url: str | None, **params: Any) -> RunSummary:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.ingest_flow import run_flow

    if api_url is None:
        start_temporary_server(settings.schedule.prefect_startup_timeout)
        return run_flow(settings, **params)
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        return run_flow(settings, **params)


def run_now(
    settings: Settings,
    *,
    sources: Sequence[str] | None = None,
    since: datetime | None = None,
    trigger: str = "manual",
    mode: Mode | None = None,
    progress: ProgressHook | None = None,
) -> RunSummary:
    """Run the pipeline now and return its summary (``status`` is ``failed`` if a source failed).
    ``progress`` is told of each source and page on the in-process path (Prefect shows its own).

    >>> run_now(load_settings(Path("config")), sources=["kukarkab"])  # doctest: +SKIP
    """
    mode = mode or settings.schedule.run_mode
    names = [s.name for s in settings.select_sources(sources)]
    api_url = configured_api_url() if mode != "direct" else None
    if mode == "prefect" or api_url:
        logger.info("running the ingest flow (Prefect API: %s)", api_url or "ephemeral")
        return _run_flow(settings, api_url, sources=names, since=since, trigger=trigger)
    from ingest import pipeline

    logger.info("running in-process without Prefect (no Prefect server configured)")
    return pipeline.run(settings, sources=names, trigger=trigger, since=since, progress=progress)
