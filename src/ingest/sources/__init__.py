"""Sources: how each kind of site offers its articles.

::

    async with Fetcher(settings.fetch) as fetcher:
        found = await discover(settings.source("kukarkab"), fetcher, since=last_run)
        found.candidates, found.rejected   # what to fetch; the items rejected, with why

One module per kind: ``rss``, ``sitemap``, ``listing``, ``url_list`` (kind ``urls``),
``html_dir`` and ``jsonl``. Remote kinds raise FetchError when the feed, sitemap or listing URL
itself cannot be fetched and SourceError when what comes back is unusable; the local kinds
raise SourceError (html_dir) or InputError (jsonl). An item that cannot be used (an entry whose
link is no URL) is rejected alone, in :attr:`Discovery.rejected`; a source whose every item
is rejected raises SourceError.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from ingest.config import Settings, SourceConfig
from ingest.errors import SourceError
from ingest.fetch import Getter
from ingest.records import Discovery
from ingest.sources import html_dir, jsonl, listing, rss, sitemap, url_list

__all__ = ["discover"]

Discover = Callable[..., Awaitable[Discovery]]


async def _html_dir(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None, settings: Settings | None
) -> Discovery:
    """A folder of pages, every one read before any is given; those past the size cap of a
    fetched page or the markup bounds rejected."""
    if settings is None:
        return await html_dir.discover(source, fetcher, since=since)
    return await html_dir.discover(
        source, fetcher, since=since, max_bytes=settings.fetch.max_bytes, extract=settings.extract
    )


async def _jsonl(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None, settings: Settings | None
) -> Discovery:
    """A JSONL file, every line checked before any is given, then read again lazily; with
    ``imports.keep_going`` its bad lines are rejected items."""
    imports = settings.imports if settings is not None else None
    documents = await jsonl.discover(source, fetcher, since=since, settings=imports)
    return Discovery(documents, documents.rejected)


_LOCAL: dict[str, Discover] = {"html_dir": _html_dir, "jsonl": _jsonl}

_KINDS: dict[str, Discover] = {
    "rss": rss.discover,
    "sitemap": sitemap.discover,
    "listing": listing.discover,
    "urls": url_list.discover,
}


async def discover(
    source: SourceConfig,
    fetcher: Getter,
    *,
    since: datetime | None = None,
    settings: Settings | None = None,
) -> Discovery:
    """The candidates ``source`` offers now (entries dated before ``since`` left out) and the
    items it rejected; SourceError when it offered items and every one was rejected.
    ``settings`` bound what the local kinds read (``imports``, ``fetch.max_bytes``)."""
    if source.kind in _LOCAL:
        found = await _LOCAL[source.kind](source, fetcher, since=since, settings=settings)
    else:
        found = await _KINDS[source.kind](source, fetcher, since=since)
    if found.rejected and not len(found.candidates):
        first = found.rejected[0]
        raise SourceError(
            source.name, f"all {len(found.rejected)} items rejected, the first: {first.message}"
        )
    return found
