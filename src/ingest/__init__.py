"""ingest: scheduled ingestion and story-level deduplication of regional Indonesian news.

The Python API mirrors the command line::

    import ingest

    settings = ingest.load_settings("config")          # or load_settings(db_url="sqlite:///x.db")
    summary = ingest.run(settings)                      # like `ingest run`
    with ingest.open_store(settings.db_url) as store, store.read_session() as session:
        for story in ingest.stories(session, ingest.Filters(outlet="kukarkab.go.id")):
            print(story.story_id, story.title, [m.url for m in story.members])

Heavy parts (extraction, fetching) are imported on first use, so ``import ingest`` stays cheap.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from ingest.config import Settings, SourceConfig, load_settings
from ingest.errors import (
    ConfigError,
    FetchError,
    IngestError,
    InputError,
    NotAnArticle,
    NotFound,
    SourceError,
    StoreError,
)
from ingest.query import (
    DocumentRecord,
    Filters,
    MemberRecord,
    StoryRecord,
    documents,
    stories,
    story,
)
from ingest.records import Precision
from ingest.store import Store, open_store
from ingest.summary import RunSummary, SourceSummary

__all__ = [
    "ConfigError",
    "DocumentRecord",
    "FetchError",
    "Filters",
    "IngestError",
    "InputError",
    "MemberRecord",
    "NotAnArticle",
    "NotFound",
    "Precision",
    "RunSummary",
    "Settings",
    "SourceConfig",
    "SourceError",
    "SourceSummary",
    "Store",
    "StoreError",
    "StoryRecord",
    "documents",
    "import_file",
    "load_settings",
    "open_store",
    "run",
    "stories",
    "story",
]
__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

_LAZY = {"run": "ingest.pipeline", "import_file": "ingest.pipeline"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")
