"""The pipeline's steps as plain functions: what ``ingest run``, ``ingest import`` and the
Prefect flow call.

    start_run
      └─ ingest_source, per source: discover → fetch → extract → store + dedup
    finish_run

Pages are fetched in the event loop and extracted in threads, or for runs of
``PROCESS_POOL_MIN_PAGES`` pages or more in one process per core. One writer per run
(:class:`~ingest.store.writer.BatchWriter`) stores the articles in arrival order, in batches:
each batch is one transaction holding its documents with their dedup index entries and story
membership, so a crash never leaves half a document. What the store knows of a source's URLs
(stored documents, validators) is read once when the source starts. Running the same job again
skips what is stored (conditional requests, then the URL) and so neither loses nor duplicates
anything.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from ingest.config import ExtractSettings, Settings, SourceConfig
from ingest.errors import (
    ConfigError,
    FetchError,
    IngestError,
    NotAnArticle,
    SourceBusy,
    SourceError,
)
from ingest.extract import clean_document, extract_article
from ingest.fetch import Fetcher
from ingest.progress import NullProgress, ProgressHook
from ingest.records import Article, Candidate, FetchedPage
from ingest.sources import discover
from ingest.store import Store, health, open_store
from ingest.store.documents import KnownUrls, StoreOutcome, known_urls
from ingest.store.runs import create_run, run_trigger, save_run
from ingest.store.writer import BatchWriter
from ingest.summary import RunSummary, SourceSummary
from ingest.urls import canonicalize, choose_canonical, host_of
from ingest.workers import ProcessPool

__all__ = ["finish_run", "import_file", "ingest_source", "run", "select_sources", "start_run"]

log = logging.getLogger(__name__)

#: Below this many pages in all a run extracts in threads; from it, in one process per core.
PROCESS_POOL_MIN_PAGES = 40


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


def _start(store: Store, *, trigger: str, flow_run_id: str | None = None) -> int:
    with store.session() as session:
        return create_run(session, trigger=trigger, flow_run_id=flow_run_id)


def _finish(
    store: Store,
    run_id: int,
    summaries: list[SourceSummary],
    *,
    error: str | None = None,
    duration_s: float = 0.0,
) -> RunSummary:
    failed = error is not None or any(s.error for s in summaries)
    summary = RunSummary(
        run_id=run_id,
        status="failed" if failed else "completed",
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
    with open_store(settings.db_url) as store:
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
    settings: Settings, path: Path, *, progress: ProgressHook | None = None
) -> RunSummary:
    """Ingest a JSONL file of documents (the format of ``ingest import``) through the pipeline."""
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
    with open_store(settings.db_url) as store:
        run_id = _start(store, trigger=trigger)
        try:
            summaries = asyncio.run(
                _sources(
                    settings,
                    store,
                    selected,
                    run_id,
                    since,
                    raise_errors=raise_errors,
                    progress=progress or NullProgress(),
                )
            )
        except IngestError as exc:
            _finish(store, run_id, [], error=str(exc))
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
    pool = _Pool(writer)
    try:
        async with Fetcher(settings.fetch) as fetcher, writer:
            scheduled = await asyncio.to_thread(_is_scheduled, store, run_id)
            run = _Run(
                settings,
                store,
                fetcher,
                pool,
                writer,
                since,
                raise_errors,
                progress,
                run_id,
                scheduled,
            )
            return list(await asyncio.gather(*(_one_source(run, s) for s in sources)))
    finally:
        await pool.close()


@dataclass(frozen=True, slots=True)
class _Run:
    """What every source of one run shares."""

    settings: Settings
    store: Store
    fetcher: Fetcher
    pool: _Pool
    writer: BatchWriter
    since: datetime | None
    raise_errors: bool
    progress: ProgressHook
    run_id: int
    scheduled: bool
    """A scheduled run skips sources resting after failures; a run asked for by hand does not."""


class _Runner(Protocol):
    """Runs an extraction function somewhere and awaits its article."""

    def __call__(self, func: Callable[..., Article], /, *args: object) -> Awaitable[Article]: ...


async def _in_thread(func: Callable[..., Article], /, *args: object) -> Article:
    return await asyncio.to_thread(func, *args)


class _Pool:
    """Where extraction runs: threads while the run is small, one process per core once its
    sources have brought ``PROCESS_POOL_MIN_PAGES`` pages in all (twenty feeds of twenty items
    are a large run too). The writer then moves to a process of its own as well."""

    def __init__(self, writer: BatchWriter) -> None:
        self.writer = writer
        self._pages = 0
        self._processes: ProcessPool | None = None

    def runner(self, pages: int) -> _Runner:
        """Where the extraction of a source of ``pages`` pages runs."""
        self._pages += pages
        if self._pages < PROCESS_POOL_MIN_PAGES:
            return _in_thread
        if self._processes is None:
            # Workers come from a fork server, not a fork of this process: the run has threads
            # (the event loop's executor) that a fork would copy mid-step.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["ingest.extract", "ingest.store.writer"])
            self._processes = ProcessPool(context, size=os.cpu_count() or 1)
            # Storing with dedup is CPU-bound Python: in this process it would hold the
            # interpreter lock the event loop needs to keep the fetches going.
            self.writer.use_process(context)
        return self._processes.call

    async def close(self) -> None:
        if self._processes is not None:
            await self._processes.close()


async def _one_source(run: _Run, source: SourceConfig) -> SourceSummary:
    """One source under its lease: no other run ingests it at the same time."""
    if run.scheduled and not await asyncio.to_thread(_due, run.store, source.name):
        log.info("source %s skipped: resting after failures", source.name)
        return SourceSummary(source=source.name, skipped="resting after failures")
    holder = await asyncio.to_thread(_acquire, run, source.name)
    if holder is not None:
        busy = SourceBusy(source.name, f"already being ingested by run {holder}")
        if run.raise_errors:
            raise busy
        log.warning("%s", busy)
        return SourceSummary(source=source.name, error=str(busy), error_class=busy.error_class)
    try:
        return await _leased_source(run, source)
    finally:
        await asyncio.to_thread(_release, run, source.name)


def _acquire(run: _Run, name: str) -> int | None:
    ttl = timedelta(seconds=run.settings.schedule.source_lease)
    with run.store.session() as session:
        return health.acquire_lease(
            session, name, run_id=run.run_id, now=datetime.now(UTC), ttl=ttl
        )


def _release(run: _Run, name: str) -> None:
    with run.store.session() as session:
        health.release_lease(session, name, run_id=run.run_id)


def _due(store: Store, name: str) -> bool:
    with store.session() as session:
        return health.source_due(session, name, datetime.now(UTC))


def _is_scheduled(store: Store, run_id: int) -> bool:
    with store.session() as session:
        return run_trigger(session, run_id) == "schedule"


async def _leased_source(run: _Run, source: SourceConfig) -> SourceSummary:
    summary = SourceSummary(source=source.name)
    started = time.perf_counter()
    run.progress.discovering(source.name)
    try:
        candidates = await discover(source, run.fetcher, since=run.since)
    except (SourceError, FetchError) as exc:
        await asyncio.to_thread(_record_failure, run.settings, run.store, source, exc, summary)
        summary.duration_s = time.perf_counter() - started
        run.progress.finished(source.name, failed=True)
        if run.raise_errors:
            raise
        return summary
    summary.discovered = len(candidates)
    unique = _unique(candidates)
    run.progress.discovered(source.name, len(unique))
    known = await asyncio.to_thread(_known, run.store, [canonicalize(c.url) for c in unique])
    job = _SourceJob(run.settings, run.fetcher, run.writer, source, summary, known)
    runner = run.pool.runner(len(unique))

    async def one(candidate: Candidate) -> None:
        await job.process(candidate, runner)
        run.progress.page_done(source.name)

    await asyncio.gather(*(one(c) for c in unique))
    await asyncio.to_thread(_record_success, run.store, source)
    summary.duration_s = time.perf_counter() - started
    run.progress.finished(source.name, failed=False)
    log.info("source %s: %s", source.name, summary.to_dict())
    return summary


def _known(store: Store, urls: list[str]) -> KnownUrls:
    with store.session() as session:
        return known_urls(session, urls)


def _record_success(store: Store, source: SourceConfig) -> None:
    with store.session() as session:
        health.record_source_success(
            session,
            source.name,
            kind=source.kind,
            outlet=source.outlet,
            location=_location(source),
            at=datetime.now(UTC),
        )


def _record_failure(
    settings: Settings,
    store: Store,
    source: SourceConfig,
    exc: SourceError | FetchError,
    summary: SourceSummary,
) -> None:
    log.warning("source %s failed: %s", source.name, exc)
    summary.error = str(exc)
    summary.error_class = exc.error_class
    summary.failures[exc.error_class] += 1
    with store.session() as session:
        health.record_source_failure(
            session,
            source.name,
            exc,
            at=datetime.now(UTC),
            backoff_base=settings.fetch.source_backoff_base,
            backoff_max=settings.fetch.source_backoff_max,
        )


def _location(source: SourceConfig) -> str | None:
    if source.url:
        return source.url
    if source.path:
        return str(source.path)
    return f"{len(source.urls or ())} URLs"


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    kept = []
    for candidate in candidates:
        key = canonicalize(candidate.url)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


@dataclass(slots=True)
class _SourceJob:
    """Fetch, extract and store the candidates of one source, counting into its summary.
    ``known`` is what the store knew of the source's URLs when the job started."""

    settings: Settings
    fetcher: Fetcher
    writer: BatchWriter
    source: SourceConfig
    summary: SourceSummary
    known: KnownUrls

    async def process(self, candidate: Candidate, runner: _Runner) -> None:
        try:
            article = await self._article(candidate, runner)
        except NotAnArticle as exc:
            self.summary.rejected[exc.reason] += 1
            log.info("rejected %s", exc)
            return
        except FetchError as exc:
            self.summary.failures[exc.error_class] += 1
            log.warning("fetch failed: %s", exc)
            return
        if article is not None:
            self._count(await self.writer.store(article))

    async def _article(self, candidate: Candidate, runner: _Runner) -> Article | None:
        outlet = candidate.outlet or self.source.outlet or host_of(candidate.url)
        if candidate.text is not None or candidate.html is not None:
            if canonicalize(candidate.url) in self.known.stored:
                self.summary.unchanged += 1
                return None
            return await runner(_extract_local, candidate, outlet, self.settings.extract)
        page = await self._fetch(candidate)
        if page is None:
            return None
        self.summary.fetched += 1
        article = await runner(_extract_page, page, candidate, outlet, self.settings.extract)
        return _with_url(article, canonicalize(choose_canonical(page.final_url, article.page_url)))

    async def _fetch(self, candidate: Candidate) -> FetchedPage | None:
        url = canonicalize(candidate.url)
        etag, modified = self.known.validators.get(url, (None, None))
        if url in self.known.stored and not (etag or modified):
            self.summary.unchanged += 1
            return None
        page = await self.fetcher.get(url, etag=etag, last_modified=modified)
        self.writer.fetched(page, source=self.source.name)
        if page.not_modified:
            self.summary.not_modified += 1
            return None
        return page

    def _count(self, outcome: StoreOutcome) -> None:
        if not outcome.created:
            self.summary.unchanged += 1
            return
        self.summary.new_documents += 1
        assignment = outcome.assignment
        if assignment is None or assignment.new_story:
            self.summary.new_stories += 1
        elif (assignment.matched_as or assignment.relation) == "same_story":
            self.summary.same_story += 1
        else:
            self.summary.copies += 1


def _extract_local(candidate: Candidate, outlet: str, settings: ExtractSettings) -> Article:
    if candidate.html is not None:
        article = extract_article(
            candidate.html,
            url=candidate.url,
            outlet=outlet,
            settings=settings,
            source=candidate.source,
            published_hint=candidate.published_at,
            title_hint=candidate.title,
        )
        return _with_url(article, canonicalize(choose_canonical(candidate.url, article.page_url)))
    article = clean_document(
        candidate.text or "",
        url=candidate.url,
        outlet=outlet,
        settings=settings,
        source=candidate.source,
        title=candidate.title,
        published_at=candidate.published_at,
    )
    return _with_url(article, canonicalize(candidate.url))


def _extract_page(
    page: FetchedPage, candidate: Candidate, outlet: str, settings: ExtractSettings
) -> Article:
    return extract_article(
        page.text,
        url=page.final_url,
        outlet=outlet,
        settings=settings,
        source=candidate.source,
        published_hint=candidate.published_at,
        title_hint=candidate.title,
    )


def _with_url(article: Article, url: str) -> Article:
    return replace(article, url=url)
