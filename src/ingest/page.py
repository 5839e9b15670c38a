"""One page of a source, start to end: fetch it (a conditional request when its validators are
known), extract and clean its article, and store it with dedup::

    steps = PageSteps(fetcher, writer, in_thread, asyncio.Semaphore(256), store)
    result = await process_page(PageJob(candidate=c, url=url, outlet="kukarkab.go.id",
                                        source="kukarkab", settings=settings.extract), steps)
    result.stored.created  # the StoreOutcome once its batch committed

The same function runs in a small run's own process (extraction in threads, the run's writer)
and in each page worker process of a large run (:mod:`ingest.page_workers`: extraction in the
worker's loop, a writer of its own). It raises for nothing a single page does wrong: a fetch
failure or a rejected page is a :class:`PageResult` the run counts; what it raises (the store
is unreachable, say) fails the source.

A page is stored under the address it declares (rel=canonical, og:url) unless that address
names a page with other content (:func:`~ingest.urls.choose_canonical`); and when a document
with another text is stored there already (a CMS that declares one address for many articles),
the page is stored under its own address instead of counting as unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

from ingest.clean.markup_cost import check_markup, check_size
from ingest.config import ExtractSettings
from ingest.dedup import text_fingerprint
from ingest.errors import FetchError, NotAnArticle
from ingest.extract import clean_document, extract_article
from ingest.fetch import Getter
from ingest.records import Article, Candidate, FetchedPage
from ingest.store import Store
from ingest.store.documents import StoreOutcome, stored_fingerprint
from ingest.store.limits import UNSTORABLE
from ingest.store.writer import BatchWriter
from ingest.urls import canonicalize, choose_canonical

__all__ = ["PageJob", "PageResult", "PageSteps", "Runner", "in_thread", "inline", "process_page"]

log = logging.getLogger(__name__)


class Runner(Protocol):
    """Runs an extraction function somewhere and awaits its article."""

    def __call__(self, func: Callable[..., Article], /, *args: object) -> Awaitable[Article]: ...


async def in_thread(func: Callable[..., Article], /, *args: object) -> Article:
    """A :class:`Runner` for the run's own process: a thread of the event loop's executor."""
    return await asyncio.to_thread(func, *args)


async def inline(func: Callable[..., Article], /, *args: object) -> Article:
    """A :class:`Runner` for a page worker process: in the loop's own thread (its loop has
    nothing better to do meanwhile than wait for sockets)."""
    return func(*args)


@dataclass(frozen=True, slots=True)
class PageSteps:
    """Where a page's steps run: the fetcher, the writer and where extraction goes.
    ``backlog`` bounds the pages of this process being fetched or extracted, or waiting for
    room in the writer: when extraction or the store is the slower stage, fetching waits for
    it instead of holding every page of the run in memory. ``store`` is the writer's, read
    when a page's declared address is taken already."""

    fetcher: Getter
    writer: BatchWriter
    extract: Runner
    backlog: asyncio.Semaphore
    store: Store


@dataclass(frozen=True, slots=True, kw_only=True)
class PageJob:
    """A page to process: its candidate, canonical URL, outlet and the validators stored for
    it (sent as a conditional request)."""

    candidate: Candidate
    url: str
    outlet: str
    source: str
    settings: ExtractSettings
    etag: str | None = None
    last_modified: str | None = None
    max_bytes: int | None = None
    """The size cap of a local candidate's content (``fetch.max_bytes``, as for a fetched page)."""

    @property
    def local(self) -> bool:
        """True for a candidate that carries its content (``html_dir``, ``jsonl``)."""
        return self.candidate.text is not None or self.candidate.html is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class PageResult:
    """What became of a page. ``error`` is the message of a failure or a rejection, for the
    run's log (a worker process logs nothing of its own)."""

    fetched: bool = False
    not_modified: bool = False
    rejected: str | None = None
    failure: str | None = None
    error: str | None = None
    stored: StoreOutcome | None = None


async def process_page(job: PageJob, steps: PageSteps) -> PageResult:
    """Fetch, extract and store one page; see the module's docstring."""
    async with steps.backlog:  # the slot is kept until the writer has room for the article
        result = await _article(job, steps)
        if isinstance(result, PageResult):
            return result
        await steps.writer.room()
    article, own_url = result
    stored = await steps.writer.store(article)
    if not stored.created and article.url != own_url and await _taken(steps.store, article):
        stored = await steps.writer.store(replace(article, url=own_url))
    if stored.rejected is not None:  # the store refused what the document holds
        return PageResult(fetched=not job.local, rejected=UNSTORABLE, error=stored.rejected)
    return PageResult(fetched=not job.local, stored=stored)


async def _taken(store: Store, article: Article) -> bool:
    """Whether the address ``article`` declares holds a document with another text."""
    stored = await asyncio.to_thread(_fingerprint_at, store, article.url)
    return stored is not None and stored != text_fingerprint(article.text)


def _fingerprint_at(store: Store, url: str) -> str | None:
    with store.read_session() as session:
        return stored_fingerprint(session, url)


async def _article(job: PageJob, steps: PageSteps) -> tuple[Article, str] | PageResult:
    """The page's article and the page's own address, or the result of a page that has
    none."""
    try:
        if job.local:
            return await steps.extract(_extract_local, job), job.candidate.url
        try:
            page = await steps.fetcher.get(job.url, etag=job.etag, last_modified=job.last_modified)
        except FetchError as exc:
            return PageResult(failure=exc.error_class, error=str(exc))
        if page.not_modified:
            steps.writer.fetched(page, source=job.source, outcome=None)
            return PageResult(not_modified=True)
        outcome = "fetched"
        try:
            article = await steps.extract(_extract_page, page, job)
        except NotAnArticle as exc:  # the page's state says why it is not stored
            outcome = f"rejected:{exc.reason}"
            raise
        finally:
            steps.writer.fetched(page, source=job.source, outcome=outcome)
        return article, canonicalize(page.final_url)
    except NotAnArticle as exc:
        return PageResult(fetched=not job.local, rejected=exc.reason, error=str(exc))


def _extract_local(job: PageJob) -> Article:
    candidate = job.candidate
    size = len((candidate.html or candidate.text or "").encode("utf-8", "surrogatepass"))
    check_size(size, candidate.url, max_bytes=job.max_bytes)
    if candidate.html is not None:
        article = _extract_html(candidate.html, candidate.url, job)
        return _with_url(article, choose_canonical(candidate.url, article.page_url))
    article = clean_document(
        candidate.text or "",
        url=candidate.url,
        outlet=job.outlet,
        settings=job.settings,
        source=candidate.source,
        title=candidate.title,
        published_at=candidate.published_at,
        published_precision=candidate.published_precision,
    )
    return _with_url(article, canonicalize(candidate.url))


def _extract_page(page: FetchedPage, job: PageJob) -> Article:
    article = _extract_html(page.text, page.final_url, job)
    return _with_url(article, choose_canonical(page.final_url, article.page_url))


def _extract_html(html: str, url: str, job: PageJob) -> Article:
    """A page's article, with what its source said of it as hints; a page whose markup would
    cost too much to parse is rejected first (:func:`~ingest.clean.markup_cost.check_markup`)."""
    candidate = job.candidate
    settings = job.settings
    check_markup(
        html, url, max_elements=settings.max_elements, max_attributes=settings.max_attributes
    )
    return extract_article(
        html,
        url=url,
        outlet=job.outlet,
        settings=job.settings,
        source=candidate.source,
        published_hint=candidate.published_at,
        title_hint=candidate.title,
        hint_precision=candidate.published_precision,
    )


def _with_url(article: Article, url: str) -> Article:
    return replace(article, url=url)
