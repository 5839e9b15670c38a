"""One source of a run, start to end: its lease, discovery, then each page fetched, extracted
and handed to the run's writer, counted into the source's summary.

What the store knows of the source's URLs (stored documents, validators) is read once when the
source starts. A page stored already is skipped (conditional request first, then the URL), so a
source run again neither loses nor duplicates anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from ingest.config import ExtractSettings, Settings, SourceConfig
from ingest.errors import FetchError, NotAnArticle, SourceBusy, SourceError
from ingest.extract import clean_document, extract_article
from ingest.fetch import Fetcher
from ingest.pool import ExtractionPool, Runner
from ingest.progress import ProgressHook
from ingest.records import Article, Candidate, FetchedPage
from ingest.sources import discover
from ingest.store import Store, health
from ingest.store.documents import KnownUrls, StoreOutcome, known_urls
from ingest.store.writer import BatchWriter
from ingest.summary import SourceSummary
from ingest.urls import canonicalize, choose_canonical, host_of

__all__ = ["RunContext", "ingest_one"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunContext:
    """What every source of one run shares."""

    settings: Settings
    store: Store
    fetcher: Fetcher
    pool: ExtractionPool
    writer: BatchWriter
    since: datetime | None
    raise_errors: bool
    progress: ProgressHook
    run_id: int
    scheduled: bool
    """A scheduled run skips sources resting after failures; a run asked for by hand does not."""


async def ingest_one(run: RunContext, source: SourceConfig) -> SourceSummary:
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


def _acquire(run: RunContext, name: str) -> int | None:
    ttl = timedelta(seconds=run.settings.schedule.source_lease)
    with run.store.session() as session:
        return health.acquire_lease(
            session, name, run_id=run.run_id, now=datetime.now(UTC), ttl=ttl
        )


def _release(run: RunContext, name: str) -> None:
    with run.store.session() as session:
        health.release_lease(session, name, run_id=run.run_id)


def _due(store: Store, name: str) -> bool:
    with store.read_session() as session:
        return health.source_due(session, name, datetime.now(UTC))


async def _leased_source(run: RunContext, source: SourceConfig) -> SourceSummary:
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
    job = _SourceJob(
        run.settings, run.fetcher, run.writer, source, summary, known, run.pool.backlog
    )
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
    with store.read_session() as session:
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
    backlog: asyncio.Semaphore
    """Shared by the run: bounds the pages fetched but not yet extracted, or extracted but
    waiting for room in the writer (memory)."""

    async def process(self, candidate: Candidate, runner: Runner) -> None:
        try:
            async with self.backlog:
                article = await self._article(candidate, runner)
                if article is not None:  # the page's slot is kept until the writer has room
                    await self.writer.room()
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

    async def _article(self, candidate: Candidate, runner: Runner) -> Article | None:
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
        return _with_url(article, choose_canonical(page.final_url, article.page_url))

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
        article = _extract_html(candidate.html, candidate.url, candidate, outlet, settings)
        return _with_url(article, choose_canonical(candidate.url, article.page_url))
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
    return _extract_html(page.text, page.final_url, candidate, outlet, settings)


def _extract_html(
    html: str, url: str, candidate: Candidate, outlet: str, settings: ExtractSettings
) -> Article:
    """A page's article, with what its source said of it as hints."""
    return extract_article(
        html,
        url=url,
        outlet=outlet,
        settings=settings,
        source=candidate.source,
        published_hint=candidate.published_at,
        title_hint=candidate.title,
    )


def _with_url(article: Article, url: str) -> Article:
    return replace(article, url=url)
