"""Indonesian cleaning of extracted article text, one small function per rule.

:func:`clean_text` applies the rules in order and returns the body with what was split off::

    cleaned = clean_text(raw, title="Rakor Lintas Sektoral")
    cleaned.text, cleaned.dateline, cleaned.credits, cleaned.syndicated_from
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ingest.clean.chrome import (
    drop_breadcrumbs,
    drop_embedded_posts,
    drop_inline_related,
    drop_leading_headlines,
    drop_share_bars,
    drop_stamp_lines,
    drop_trailing_related,
    strip_ad_markers,
)
from ingest.clean.credits import split_credits, split_syndication
from ingest.clean.dateline import split_dateline
from ingest.clean.dates import parse_event_date, parse_indonesian_datetime, parse_stamp
from ingest.clean.unicode import repair_mojibake, split_paragraphs
from ingest.records import Precision

__all__ = ["CleanedText", "clean_text", "parse_event_date", "parse_indonesian_datetime"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanedText:
    """A cleaned body (paragraphs joined by ``"\\n"``) and what was split off it.

    ``stamped_at`` is the first date stamp removed from the text ("Senin, 18 November 2024 -
    19:15 WIB"), usually the publication time printed above the article, and
    ``stamped_precision`` says whether it gave a time of day.
    """

    text: str
    dateline: str | None = None
    credits: tuple[str, ...] = ()
    syndicated_from: str | None = None
    stamped_at: datetime | None = None
    stamped_precision: Precision | None = None

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n") if self.text else []


def clean_text(text: str, *, title: str | None = None) -> CleanedText:
    """Apply every cleaning rule to ``text``: Unicode and whitespace, chrome (related links,
    breadcrumbs, share bars, date stamps, headlines, trailing related lists), syndication
    footer, credits and dateline."""
    lines = split_paragraphs(repair_mojibake(text))
    lines = strip_ad_markers(drop_inline_related(drop_embedded_posts(lines)))
    lines = drop_share_bars(drop_breadcrumbs(lines))
    lines, stamps = drop_stamp_lines(lines)
    lines = drop_leading_headlines(lines, title)
    syndication = split_syndication(lines)
    footer = split_credits(drop_trailing_related(syndication.lines))
    lines = drop_trailing_related(footer.lines)
    dateline = split_dateline(lines)
    stamped = next((found for s in stamps if (found := parse_stamp(s)) is not None), None)
    return CleanedText(
        text="\n".join(dateline.lines),
        dateline=dateline.dateline,
        credits=footer.credits,
        syndicated_from=syndication.syndicated_from,
        stamped_at=stamped[0] if stamped else None,
        stamped_precision=stamped[1] if stamped else None,
    )
