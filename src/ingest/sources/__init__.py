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

from ingest.config import SourceConfig
from ingest.errors import SourceError
from ingest.fetch import Getter
from ingest.records import Candidate, Discovery
from ingest.sources import html_dir, jsonl, listing, rss, sitemap, url_list

__all__ = ["discover"]

Discover = Callable[..., Awaitable[Discovery]]


def _local(kind: Callable[..., Awaitable[list[Candidate]]]) -> Discover:
    """A local kind, which checks its whole input before giving any candidate."""

    async def discover(
        source: SourceConfig, fetcher: Getter, *, since: datetime | None
    ) -> Discovery:
        return Discovery(await kind(source, fetcher, since=since))

    return discover


_KINDS: dict[str, Discover] = {
    "rss": rss.discover,
    "sitemap": sitemap.discover,
    "listing": listing.discover,
    "urls": url_list.discover,
    "html_dir": _local(html_dir.discover),
    "jsonl": _local(jsonl.discover),
}


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> Discovery:
    """The candidates ``source`` offers now (entries dated before ``since`` left out) and the
    items it rejected; SourceError when it offered items and every one was rejected."""
    found = await _KINDS[source.kind](source, fetcher, since=since)
    if found.rejected and not found.candidates:
        first = found.rejected[0]
        raise SourceError(
            source.name, f"all {len(found.rejected)} items rejected, the first: {first.message}"
        )
    return found
