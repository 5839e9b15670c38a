"""Shared pieces of the dedup benchmarks: stores, documents, event dates, metrics."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import date, datetime

from ingest.dedup import text_fingerprint
from ingest.store.models import Document

try:  # the project's own event-date parser, when present
    from ingest.clean.dates import parse_event_date
except ImportError:  # pragma: no cover
    parse_event_date = None

_DATE = re.compile(r"\((?:\w+,\s*)?(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?\)")


def event_date(text: str, published: datetime) -> date | None:
    if parse_event_date is not None:
        return parse_event_date(text, published)
    match = _DATE.search(text)
    if not match:
        return None
    day, month, year = match.groups()
    try:
        return date(int(year) if year else published.year, int(month), int(day))
    except ValueError:
        return None


def make_document(url: str, text: str, outlet: str, published: datetime) -> Document:
    return Document(
        url=url,
        outlet=outlet,
        title=text.splitlines()[0][:200],
        text=text,
        text_sha1=text_fingerprint(text),
        published_at=published,
        event_date=event_date(text, published),
        credits=[],
    )


def pairs(clusters: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for members in clusters:
        out.update(itertools.combinations(sorted(members), 2))
    return out


def prf(gold: set[tuple[str, str]], pred: set[tuple[str, str]]) -> tuple[float, float, float]:
    tp = len(gold & pred)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f
