"""ingest: scheduled ingestion and story-level deduplication of regional Indonesian news."""

from __future__ import annotations

import logging

from ingest.errors import IngestError

__all__ = ["IngestError"]
__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
