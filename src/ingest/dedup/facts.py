"""What matching and the canonical rule read of a document, as a plain value.

Stored documents are read with Core queries (no ORM objects for a batch's neighbours), new
ones are taken from the caller's ``Document`` objects; both become :class:`Facts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table

from ingest.dedup.features import Features
from ingest.dedup.rules import DocView
from ingest.store.models import Document

__all__ = ["FACT_COLUMNS", "Facts", "facts_of", "view"]

_DOCUMENTS = cast(Table, Document.__table__).c

#: The ``documents`` columns a :class:`Facts` is built from, in its field order (Core
#: columns: rows read with them skip the ORM's result processing).
FACT_COLUMNS = (
    _DOCUMENTS.id,
    _DOCUMENTS.url,
    _DOCUMENTS.outlet,
    _DOCUMENTS.published_at,
    _DOCUMENTS.event_date,
    _DOCUMENTS.text_sha1,
    _DOCUMENTS.syndicated_from,
    _DOCUMENTS.published_precision,
)


@dataclass(frozen=True, slots=True)
class Facts:
    """A document's id, URL, outlet, dates, fingerprint, syndication footer and how precisely
    its publication time is known."""

    id: int
    url: str
    outlet: str
    published_at: datetime | None
    event_date: date | None
    text_sha1: str
    syndicated_from: str | None
    published_precision: str | None = None


def facts_of(document: Document) -> Facts:
    return Facts(
        document.id,
        document.url,
        document.outlet,
        document.published_at,
        document.event_date,
        document.text_sha1,
        document.syndicated_from,
        document.published_precision,
    )


def view(facts: Facts, features: Features) -> DocView:
    """The rules' view of a document."""
    return DocView(
        facts.id,
        facts.outlet,
        facts.published_at,
        facts.event_date,
        facts.text_sha1,
        features,
        facts.published_precision,
    )
