"""How stories look to people at a terminal: the rows of ``ingest stories`` and the
report of ``ingest story ID --why``."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ingest import query
from ingest.output import json_value
from ingest.records import Precision

if TYPE_CHECKING:
    from ingest.dedup.explain import StoryExplanation

__all__ = ["document_row", "jsonable", "print_why", "shown", "story_row"]


def shown(at: datetime | None, precision: str | None) -> str:
    """A publication time (already in the zone shown) for people: its date when known only to
    the day, else to the minute with the zone's offset."""
    if at is None:
        return "?"
    if precision == Precision.DAY:
        return at.date().isoformat()
    return at.isoformat(sep=" ", timespec="minutes")


def story_row(record: query.StoryRecord) -> dict[str, Any]:
    outlets = sorted({m.outlet for m in record.members})
    return {
        "story_id": record.story_id,
        "published_at": record.published_at.date().isoformat() if record.published_at else "",
        "members": len(record.members),
        "outlets": ", ".join(outlets),
        "title": record.title,
    }


def document_row(record: query.DocumentRecord) -> dict[str, Any]:
    """A row of ``ingest documents`` as a table: the day alone for a day-only date."""
    return {
        **record.to_dict(),
        "published_at": shown(record.published_at, record.published_precision),
    }


def jsonable(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` with datetimes as ISO strings and tuples as lists, as JSON would give it."""
    result: dict[str, Any] = json.loads(json.dumps(value, default=json_value))
    return result


RULES = {
    "official": "the original named in a syndication footer, then an official outlet, "
    "then the earliest published",
    "syndication": "the original named in a syndication footer, then the earliest published",
    "earliest": "the earliest published",
}


def print_why(
    record: query.StoryRecord, explanation: StoryExplanation, rule: str, tz: tzinfo
) -> None:
    """``story --why`` for people: each member (with its document id), the rule that joined
    it, what it shares; times in ``tz``, as the explanation was made."""
    out = Console(highlight=False)
    out.print(f"[bold]Story {record.story_id}[/bold]: {record.title}", markup=True)
    out.print(f"{explanation.canonical_rule}; rule {rule!r}: {RULES.get(rule, rule)}", markup=False)
    for m in explanation.members:
        published = shown(m.published_at, m.published_precision)
        event = m.event_date.isoformat() if m.event_date else "none found"
        out.print(
            f"\n[bold]{m.relation}[/bold] {m.similarity:.3f}  document {m.document_id}  "
            f"{m.outlet}  {m.url}",
            markup=True,
        )
        out.print(f"  published {published}, event date {event}", markup=False)
        if m.matched_document_id is not None:
            scores = ", ".join(f"{k} {v:.3g}" for k, v in m.scores.items())
            out.print(
                f"  matched document {m.matched_document_id} by {m.rule}: {scores}", markup=False
            )
        dates = ", ".join(f"{k} {_in_zone(v, tz)}" for k, v in m.dates.items() if v is not None)
        if dates:
            out.print(f"  dates: {dates}", markup=False)
        for passage in m.shared_passages[:3]:
            out.print(
                f"  shares ({passage.score:.2f}): \u201c{snippet(passage.text)}\u201d",
                markup=False,
            )


def _in_zone(value: Any, tz: tzinfo) -> Any:
    """The times (ISO strings, UTC as the evidence keeps them) in a value of the evidence's
    dates, shown in ``tz``; anything else as it is."""
    if isinstance(value, list):
        return "[" + ", ".join(str(_in_zone(v, tz)) for v in value) + "]"
    if isinstance(value, str) and "T" in value:
        try:
            return (
                datetime.fromisoformat(value).astimezone(tz).isoformat(sep=" ", timespec="minutes")
            )
        except ValueError:
            return value
    return value


def snippet(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
