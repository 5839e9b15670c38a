"""A fixed list of URLs (``urls = [...]`` in the source)."""

from __future__ import annotations

from datetime import datetime

from ingest.config import SourceConfig
from ingest.fetch import Getter
from ingest.records import Discovery
from ingest.sources._common import Collector

__all__ = ["discover"]


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> Discovery:
    """The configured URLs, canonicalised; one that cannot be requested is rejected."""
    items = Collector(source)
    for url in source.urls or ():
        items.add(url)
    return items.discovery()
