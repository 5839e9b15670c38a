"""Sources: how each kind of site offers its articles.

::

    async with Fetcher(settings.fetch) as fetcher:
        candidates = await discover(settings.source("kukarkab"), fetcher, since=last_run)

One module per kind: ``rss``, ``sitemap``, ``listing``, ``url_list`` (kind ``urls``),
``html_dir`` and ``jsonl``. Remote kinds raise FetchError when the feed, sitemap or listing URL
itself cannot be fetched and SourceError when what comes back is unusable; the local kinds
raise SourceError (html_dir) or InputError (jsonl).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from ingest.config import SourceConfig
from ingest.fetch import Getter
from ingest.records import Candidate
from ingest.sources import html_dir, jsonl, listing, rss, sitemap, url_list

__all__ = ["discover"]

Discover = Callable[..., Awaitable[list[Candidate]]]

_KINDS: dict[str, Discover] = {
    "rss": rss.discover,
    "sitemap": sitemap.discover,
    "listing": listing.discover,
    "urls": url_list.discover,
    "html_dir": html_dir.discover,
    "jsonl": jsonl.discover,
}


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> list[Candidate]:
    """The candidates ``source`` offers now (entries dated before ``since`` left out)."""
    return await _KINDS[source.kind](source, fetcher, since=since)
