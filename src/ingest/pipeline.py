"""The pipeline's steps as plain functions: what ``ingest run``, ``ingest import`` and the
Prefect flow call.

    start_run
      └─ ingest_source, per source: discover → fetch → extract → store + dedup
    finish_run

Pages are fetched in the event loop, extracted in threads and stored by the run's writer
(:class:`~ingest.store.writer.BatchWriter`); in runs of ``PROCESS_POOL_MIN_PAGES`` pages or
more, one page worker process per core fetches, extracts and stores the pages of its own hosts
(:mod:`ingest.pool`). Each source's work is in :mod:`ingest.source_run`. Articles are stored
in batches, one at a time across the run's writers: each batch is one transaction holding its
documents with their dedup index entries and story membership, so a crash never leaves half a
document. What the store knows of a source's URLs
(stored documents, validators) is read once when the source starts. Running the same job again
skips what is stored (conditional requests, then the URL) and so neither loses nor duplicates
anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ingest.config import Settings, SourceConfig
from ingest.errors import ConfigError, IngestError, Interrupted
from ingest.fetch import Fetcher
from ingest.interrupts import StopSignals
from ingest.pool import PROCESS_POOL_MIN_PAGES, PagePool
from ingest.progress import NullProgress, ProgressHook
from ingest.source_run import RunContext, ingest_all
from ingest.store import Store, open_store
from ingest.store.liveness import keep_alive
from ingest.store.runs import create_run, run_trigger, save_run
from ingest.store.writer import BatchWriter
from ingest.summary import RunSummary, SourceSummary

__all__ = [
    "PROCESS_POOL_MIN_PAGES",
    "finish_run",
    "import_file",
    "ingest_source",
    "run",
    "select_sources",
    "start_run",
]

log = logging.getLogger(__name__)


def select_sources(settings: Settings, names: Sequence[str] | None) -> list[SourceConfig]:
    """:meth:`Settings.select_sources`; having none enabled is a ConfigError here."""
    selected = settings.select_sources(names)
    if not selected:
        raise ConfigError(f"{settings.config_dir}/sources.toml: no enabled sources")
    return selected


def start_run(settings: Settings, *, trigger: str, flow_run_id: str | None = None) -> int:
    """Record the start of a run; returns its id."""
    with open_store(settings.db_url) as store:
        return _start(store, trigger=trigger, flow_run_id=flow_run_id)


def finish_run(
    settings: Settings,
    run_id: int,
    summaries: list[SourceSummary],
    *,
    error: str | None = None,
    duration_s: float = 0.0,
) -> RunSummary:
    """Store the summary of a run; the run failed when a source failed or ``error`` is set."""
    with open_store(settings.db_url) as store:
        return _finish(store, run_id, summaries, error=error, duration_s=duration_s)


def _ended(exc: BaseException) -> tuple[str, str]:
    """The status and reason of a run that ``exc`` ended."""
    if isinstance(exc, Interrupted | KeyboardInterrupt):
        return "interrupted", str(exc) or "interrupted"
    if isinstance(exc, IngestError):
        return "failed", str(exc)
    return "failed", f"{type(exc).__name__}: {exc}"


def _start(store: Store, *, trigger: str, flow_run_id: str | None = None) -> int:
    with store.session() as session:
        return create_run(session, trigger=trigger, flow_run_id=flow_run_id)


def _finish(
    store: Store,
    run_id: int,
    summaries: list[SourceSummary],
    *,
    error: str | None = None,
    status: str | None = None,
    duration_s: float = 0.0,
) -> RunSummary:
    failed = error is not None or any(s.error for s in summaries)
    summary = RunSummary(
        run_id=run_id,
        status=status or ("failed" if failed else "completed"),
        sources=summaries,
        duration_s=duration_s or sum(s.duration_s for s in summaries),
    )
    with store.session() as session:
        save_run(session, summary, error=error)
    return summary


def ingest_source(
    settings: Settings, source_name: str, *, run_id: int, since: datetime | None = None
) -> SourceSummary:
    """One source, start to end. Raises when the source as a whole fails (a retry may help)."""
    source = settings.source(source_name)
    with (
        open_store(settings.db_url) as store,
        keep_alive(store, run_id, ttl=settings.schedule.source_lease),
    ):
        summaries = asyncio.run(
            _sources(
                settings, store, [source], run_id, since, raise_errors=True, progress=NullProgress()
            )
        )
    return summaries[0]


def run(
    settings: Settings,
    *,
    sources: Sequence[str] | None = None,
    trigger: str = "manual",
    since: datetime | None = None,
    progress: ProgressHook | None = None,
) -> RunSummary:
    """Run the selected sources now, in this process; one failing source never stops the rest.
    ``progress`` hears of each source and page as they are done."""
    selected = select_sources(settings, sources)
    return _run_selected(settings, selected, trigger=trigger, since=since, progress=progress)


def import_file(
    settings: Settings,
    path: Path,
    *,
    progress: ProgressHook | None = None,
    keep_going: bool | None = None,
) -> RunSummary:
    """Ingest a JSONL file of documents (the format of ``ingest import``) through the pipeline.
    Every line is checked before any is stored: InputError at the first bad one, unless
    ``keep_going`` (default: the ``imports.keep_going`` setting) stores the good lines and
    counts the bad ones as rejected ``bad_line``, each logged with its number."""
    if keep_going is not None:
        imports = settings.imports.model_copy(update={"keep_going": keep_going})
        settings = settings.model_copy(update={"imports": imports})
    source = SourceConfig(name=f"import:{Path(path).name}", kind="jsonl", path=Path(path))
    return _run_selected(
        settings, [source], trigger="import", since=None, raise_errors=True, progress=progress
    )


def _run_selected(
    settings: Settings,
    selected: list[SourceConfig],
    *,
    trigger: str,
    since: datetime | None,
    raise_errors: bool = False,
    progress: ProgressHook | None = None,
) -> RunSummary:
    started = time.perf_counter()
    signals = StopSignals()
    with open_store(settings.db_url) as store:
        run_id = _start(store, trigger=trigger)
        try:
            with keep_alive(store, run_id, ttl=settings.schedule.source_lease):
                work = _sources(
                    settings,
                    store,
                    selected,
                    run_id,
                    since,
                    raise_errors=raise_errors,
                    progress=progress or NullProgress(),
                )
                summaries = asyncio.run(signals.around(work))
        except BaseException as exc:  # recorded whatever it is; a run is never left running
            status, reason = _ended(exc)
            _finish(store, run_id, [], error=reason, status=status)
            raise
        return _finish(store, run_id, summaries, duration_s=time.perf_counter() - started)


async def _sources(
    settings: Settings,
    store: Store,
    sources: list[SourceConfig],
    run_id: int,
    since: datetime | None,
    *,
    raise_errors: bool,
    progress: ProgressHook,
) -> list[SourceSummary]:
    writer = BatchWriter(store, dedup_settings=settings.dedup, run_id=run_id)
    async with Fetcher(settings.fetch) as fetcher, writer:
        pool = PagePool(settings, store, fetcher, writer, run_id=run_id)
        done = False
        try:
            scheduled = await asyncio.to_thread(_is_scheduled, store, run_id)
            run = RunContext(
                settings, store, pool, since, raise_errors, progress, run_id, scheduled
            )
            summaries = await ingest_all(run, sources)
            done = True
            return summaries
        finally:
            await pool.close(abort=not done)


def _is_scheduled(store: Store, run_id: int) -> bool:
    with store.session() as session:
        return run_trigger(session, run_id) == "schedule"
