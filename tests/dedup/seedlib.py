"""Shared pieces of the dedup tests: seed metadata, an event-date parser, a document factory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ingest.dedup import text_fingerprint
from ingest.store.models import Document

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"

_DATE = re.compile(r"\((\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?\)")


def event_date(text: str, published: datetime) -> date | None:
    """A simple stand-in for the cleaning module's parser: the first "(d/m[/yyyy])"."""
    match = _DATE.search(text)
    if not match:
        return None
    day, month, year = match.groups()
    return date(int(year) if year else published.year, int(month), int(day))


@dataclass(frozen=True)
class Seed:
    name: str
    outlet: str
    published_at: datetime
    event_date: date | None
    text: str


SEED_META = {
    "000": ("mediaetam.com", datetime(2020, 11, 20, 3, tzinfo=UTC), date(2020, 11, 20)),
    "001": ("kukarkab.go.id", datetime(2024, 11, 9, 5, tzinfo=UTC), date(2024, 11, 9)),
    "002": ("eksposisi.com", datetime(2024, 11, 18, 12, 15, tzinfo=UTC), None),
    "003": ("amanahummat.com", datetime(2024, 9, 3, 9, tzinfo=UTC), date(2024, 9, 3)),
    "004": ("kukarkab.go.id", datetime(2024, 9, 3, 6, tzinfo=UTC), date(2024, 9, 3)),
}


def add_document(
    session: Session,
    url: str,
    text: str,
    outlet: str,
    published_at: datetime | None,
    event: date | None = None,
    syndicated_from: str | None = None,
) -> Document:
    """Store and flush one document the way the pipeline does."""
    doc = Document(
        url=url,
        outlet=outlet,
        title=text.splitlines()[0][:200],
        text=text,
        text_sha1=text_fingerprint(text),
        published_at=published_at,
        event_date=event,
        syndicated_from=syndicated_from,
        credits=[],
    )
    session.add(doc)
    session.flush()
    return doc
