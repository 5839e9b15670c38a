"""A fixed list of URLs (``urls = [...]`` in the source)."""

from __future__ import annotations

from datetime import datetime

from ingest.config import SourceConfig
from ingest.errors import SourceError
from ingest.fetch import Getter
from ingest.records import Candidate
from ingest.sources._common import make_candidate, unique

__all__ = ["discover"]


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> list[Candidate]:
    """The configured URLs, canonicalised; SourceError names any that is not http(s)."""
    candidates = []
    for url in source.urls or ():
        candidate = make_candidate(source, url)
        if candidate is None:
            raise SourceError(source.name, f"not an http(s) URL: {url!r}")
        candidates.append(candidate)
    return unique(candidates)
