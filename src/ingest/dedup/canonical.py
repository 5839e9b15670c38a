"""The canonical record of a story: one stated rule, a total order on its members.

``canonical_rule`` (a setting) picks the first member by, in order:

- ``syndication`` and ``official``: a member that another member's syndication footer names as
  the original (``syndicated_from`` equal to its URL or containing its outlet);
- ``official``: a member whose outlet ends with one of ``official_suffixes`` (``.go.id``);
- all rules: the earliest publication (unknown dates last), by day, then a time known to the
  minute before one known only to its day (which never beats a precise time of its day),
  then by time; then the URL, the same on every database.

Days are counted in UTC, so that the choice never depends on a display zone: a time of day D
in WIB, WITA or WIT falls on D or the day before in UTC, so a day-only D never beats it.

The order depends only on the members, never on the order they arrived in, so the canonical
record changes only when a new member beats it and a rebuild picks the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Protocol, TypeVar

from ingest.config import DedupSettings
from ingest.records import publication_key

__all__ = ["CanonicalFacts", "choose_canonical", "named_as_original"]

_UNDATED = (date.max, 0, datetime.max.replace(tzinfo=UTC))


class CanonicalFacts(Protocol):
    """What the rule reads of a member (a ``Document`` or a ``Facts``)."""

    @property
    def id(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def outlet(self) -> str: ...
    @property
    def published_at(self) -> datetime | None: ...
    @property
    def published_precision(self) -> str | None: ...
    @property
    def syndicated_from(self) -> str | None: ...


M = TypeVar("M", bound=CanonicalFacts)


def named_as_original(document: CanonicalFacts, members: Sequence[CanonicalFacts]) -> bool:
    """True when another member's syndication footer names ``document``."""
    outlet = document.outlet.lower().removeprefix("www.")
    for other in members:
        named = (other.syndicated_from or "").strip().lower()
        if other.id == document.id or not named:
            continue
        if named == document.url.lower() or (outlet and outlet in named):
            return True
    return False


def _official(document: CanonicalFacts, settings: DedupSettings) -> bool:
    outlet = document.outlet.lower()
    return any(outlet.endswith(suffix.lower()) for suffix in settings.official_suffixes)


def _published(doc: CanonicalFacts) -> tuple[date, int, datetime]:
    at = doc.published_at
    return _UNDATED if at is None else publication_key(at, doc.published_precision, UTC)


def choose_canonical(members: Sequence[M], settings: DedupSettings) -> M:
    """The canonical member under ``settings.canonical_rule``."""
    if not members:
        raise ValueError("a story without members has no canonical record")
    rule = settings.canonical_rule

    def order(doc: M) -> tuple[bool, bool, tuple[date, int, datetime], str, int]:
        named = rule in ("syndication", "official") and named_as_original(doc, members)
        official = rule == "official" and _official(doc, settings)
        return (not named, not official, _published(doc), doc.url, doc.id)

    return min(members, key=order)
