"""One source of a run, start to end: its lease, discovery, then each page sent to where the
run processes its pages (:mod:`ingest.pool`: fetched, extracted and stored), counted into the
source's summary.

What the store knows of the source's URLs (stored documents, validators) is read once when the
source starts. A page stored already is skipped (conditional request first, then the URL), so a
source run again neither loses nor duplicates anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ingest.config import Settings, SourceConfig
from ingest.errors import FetchError, SourceBusy, SourceError
from ingest.page import PageJob, PageResult
from ingest.pool import PagePool, Place
from ingest.progress import ProgressHook
from ingest.records import Candidate, Candidates, Rejection
from ingest.sources import discover
from ingest.store import Store, health, liveness
from ingest.store.documents import KnownUrls, StoreOutcome, known_urls
from ingest.summary import SourceSummary
from ingest.urls import canonicalize, host_of

__all__ = ["Claim", "RunContext", "ingest_all", "ingest_one"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunContext:
    """What every source of one run shares."""

    settings: Settings
    store: Store
    pool: PagePool
    since: datetime | None
    raise_errors: bool
    progress: ProgressHook
    run_id: int
    scheduled: bool
    """A scheduled run skips sources resting after failures; a run asked for by hand does not."""


async def ingest_all(run: RunContext, sources: list[SourceConfig]) -> list[SourceSummary]:
    """Every source at once, each under its lease: no other run ingests it at the same time.
    The leases are taken in one transaction (twenty sources: one write, not twenty queued on
    the store's write lock before the first page can go)."""
    claims = await asyncio.to_thread(_claim, run, [s.name for s in sources])
    return list(await asyncio.gather(*(ingest_one(run, s, claims[s.name]) for s in sources)))


@dataclass(frozen=True, slots=True)
class Claim:
    """What the run's claim on a source came to: leased to it, resting after failures (a
    scheduled run leaves it), or held by another run."""

    resting: bool = False
    holder: int | None = None


async def ingest_one(run: RunContext, source: SourceConfig, claim: Claim) -> SourceSummary:
    """One source, once :func:`ingest_all` has claimed it; its lease is given back at the end."""
    if claim.resting:
        log.info("source %s skipped: resting after failures", source.name)
        return SourceSummary(source=source.name, skipped="resting after failures")
    if claim.holder is not None:
        busy = SourceBusy(source.name, f"already being ingested by run {claim.holder}")
        if run.raise_errors:
            raise busy
        log.warning("%s", busy)
        return SourceSummary(source=source.name, error=str(busy), error_class=busy.error_class)
    try:
        return await _leased_source(run, source)
    finally:
        await asyncio.to_thread(_release, run, source.name)


def _claim(run: RunContext, names: list[str]) -> dict[str, Claim]:
    """Lease each source that is due (every one, in a run asked for by hand), once the runs
    found dead have been marked interrupted and their sources freed."""
    ttl = run.settings.schedule.source_lease
    claims: dict[str, Claim] = {}
    with run.store.session() as session:
        liveness.reap_dead_runs(session, ttl=ttl)
        now = liveness.db_now(session)
        for name in names:
            if run.scheduled and not health.source_due(session, name, now):
                claims[name] = Claim(resting=True)
                continue
            holder = health.acquire_lease(
                session, name, run_id=run.run_id, now=now, ttl=timedelta(seconds=ttl)
            )
            claims[name] = Claim(holder=holder)
    return claims


def _release(run: RunContext, name: str) -> None:
    with run.store.session() as session:
        health.release_lease(session, name, run_id=run.run_id)


async def _leased_source(run: RunContext, source: SourceConfig) -> SourceSummary:
    summary = SourceSummary(source=source.name)
    started = time.perf_counter()
    run.progress.discovering(source.name)
    try:
        found = await discover(source, run.pool, since=run.since, settings=run.settings)
    except (SourceError, FetchError) as exc:
        await asyncio.to_thread(_record_failure, run.settings, run.store, source, exc, summary)
        summary.duration_s = time.perf_counter() - started
        run.progress.finished(source.name, failed=True)
        if run.raise_errors:
            raise
        return summary
    summary.discovered = len(found.candidates) + len(found.rejected)
    _count_rejected(summary, found.rejected)
    await _process(run, source, summary, found.candidates)
    await asyncio.to_thread(_record_success, run.store, source)
    summary.duration_s = time.perf_counter() - started
    run.progress.finished(source.name, failed=False)
    log.info("source %s: %s", source.name, summary.to_dict())
    return summary


def _count_rejected(summary: SourceSummary, rejected: list[Rejection]) -> None:
    """Count the items discovery rejected, by reason, each logged."""
    for rejection in rejected:
        summary.rejected[rejection.reason] += 1
        log.info("source %s: item rejected: %s", summary.source, rejection.message)


async def _process(
    run: RunContext,
    source: SourceConfig,
    summary: SourceSummary,
    candidates: list[Candidate] | Candidates,
) -> None:
    """Each candidate sent to its place, a chunk at a time (:func:`_chunks`), with what the
    store knows of the chunk's URLs read first."""
    unique = _unique(candidates) if isinstance(candidates, list) else candidates
    run.progress.discovered(source.name, len(unique))
    place = run.pool.place(len(unique))  # may start the page workers: first
    job = _SourceJob(run.settings, source, summary, KnownUrls(frozenset(), {}))

    async def one(candidate: Candidate) -> None:
        await job.process(candidate, place)
        run.progress.page_done(source.name)

    chunks, done = _chunks(unique), list[Candidate]()
    while chunk := await asyncio.to_thread(next, chunks, done):  # a file is read in a thread
        urls = [canonicalize(c.url) for c in chunk]
        job.known = await asyncio.to_thread(_known, run.store, urls)
        await asyncio.gather(*(one(c) for c in chunk))


#: Documents of a file read into memory at a time, at most, and their characters.
CHUNK_DOCUMENTS = 1_000
CHUNK_CHARS = 32_000_000


def _chunks(candidates: list[Candidate] | Candidates) -> Iterator[list[Candidate]]:
    """A list whole; the documents of a file ``CHUNK_DOCUMENTS`` or ``CHUNK_CHARS`` at a
    time, so that a file of any size is never held in memory."""
    if isinstance(candidates, list):
        yield candidates
        return
    chunk: list[Candidate] = []
    chars = 0
    for candidate in candidates:
        chunk.append(candidate)
        chars += len(candidate.html or candidate.text or "")
        if len(chunk) >= CHUNK_DOCUMENTS or chars >= CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


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
    """Send each candidate of one source to its place (:mod:`ingest.pool`) and count what
    became of it into the source's summary. ``known`` is what the store knew of the source's
    URLs when the job started."""

    settings: Settings
    source: SourceConfig
    summary: SourceSummary
    known: KnownUrls

    async def process(self, candidate: Candidate, place: Place) -> None:
        job = self._job(candidate)
        if job is None:
            self.summary.unchanged += 1
            return
        self._count(await place(job))

    def _job(self, candidate: Candidate) -> PageJob | None:
        """The page's job; None for a page stored already that no request can tell changed
        (a local document, or a page stored without validators)."""
        url = canonicalize(candidate.url)
        etag, modified = self.known.validators.get(url, (None, None))
        outlet = candidate.outlet or self.source.outlet or host_of(candidate.url)
        job = PageJob(
            candidate=candidate,
            url=url,
            outlet=outlet,
            source=self.source.name,
            settings=self.settings.extract,
            etag=etag,
            last_modified=modified,
            max_bytes=self.settings.fetch.max_bytes,
        )
        if url in self.known.stored and (job.local or not (etag or modified)):
            return None
        return job

    def _count(self, result: PageResult) -> None:
        summary = self.summary
        summary.fetched += result.fetched
        summary.not_modified += result.not_modified
        if result.rejected is not None:
            summary.rejected[result.rejected] += 1
            log.info("rejected %s", result.error)
        if result.failure is not None:
            summary.failures[result.failure] += 1
            log.warning("fetch failed: %s", result.error)
        if result.stored is not None:
            self._count_stored(result.stored)

    def _count_stored(self, outcome: StoreOutcome) -> None:
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
