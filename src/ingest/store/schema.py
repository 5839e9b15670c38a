"""The full metadata: every module that declares tables is imported here."""

from __future__ import annotations

from ingest.store import (
    dedup_models,  # noqa: F401
    models,
)

__all__ = ["metadata"]

metadata = models.Base.metadata
