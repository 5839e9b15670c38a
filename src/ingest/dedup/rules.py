"""The matching rules: how two documents are related, with the evidence.

Scores are computed on word shingles, after removing the sentences that are boilerplate
(a sentence already present in ``boilerplate_stories`` or more stories):

- ``jaccard``: shared shingles over all shingles of the two texts;
- ``containment``: shared shingles over the shingles of the shorter text (a trimmed copy keeps
  most of its own shingles even when it lost half of the original's);
- passage matches: pairs of sentences (``passage_min_words`` words or more) sharing at least
  ``passage_min_shared`` shingles and ``passage_containment`` of the shorter sentence's.

The rules, first match wins:

1. ``exact``: the same ``text_sha1`` (normalised text). Any dates.
2. Copies need publication dates at most ``copy_max_days`` apart. Then ``near_duplicate``
   when ``jaccard >= near_jaccard``, or (different outlets only) when
   ``containment >= copy_containment`` with at least ``copy_min_shared`` shared shingles.
   An outlet's own articles share its closing paragraph and related-links block, so
   containment alone never joins two texts of one outlet. Event dates are not used here: a
   trimmed copy often loses the sentence that dates the event and its parsed date is then
   another date of the text.
3. ``same_story``: different outlets, publication dates at most ``same_story_max_days`` apart,
   and ``same_story_min_passages`` passage matches when both event dates are known and equal
   or when a matching pair of sentences writes the same day and month ("Selasa (3/9)") on both
   sides; ``same_story_undated_passages`` otherwise (a date missing, or parsed dates differ).

Sentences that end both texts of one outlet in the same order are that outlet's closing
block (standard paragraph, related links) and count as boilerplate for the pair.

Reused text (a speech read again weeks later, a sentence from four years before) fails the
date rules; boilerplate shared by unrelated articles fails the outlet rule or is removed as
boilerplate once it is in several stories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ingest.config import DedupSettings
from ingest.dedup.features import Features
from ingest.records import Precision

__all__ = ["DocView", "PassageMatch", "Verdict", "compare"]

_DAY_MONTH = re.compile(r"\(\s*(?:[A-Za-z']+,?\s*)?(\d{1,2})\s*/\s*(\d{1,2})\b")
RELATION_RANK = {"exact": 3, "near_duplicate": 2, "same_story": 1}


@dataclass(frozen=True, slots=True)
class DocView:
    """The facts about one document that the rules use."""

    id: int
    outlet: str
    published_at: datetime | None
    event_date: date | None
    text_sha1: str
    features: Features
    published_precision: str | None = None


@dataclass(frozen=True, slots=True)
class PassageMatch:
    """Two sentences that share enough shingles."""

    left: str
    right: str
    shared: int
    score: float
    stories: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """How ``left`` relates to ``right``; ``relation`` is None when they are unrelated."""

    relation: str | None
    similarity: float
    rule: str
    scores: dict[str, float]
    passages: tuple[PassageMatch, ...] = ()
    dates: dict[str, Any] = field(default_factory=dict)

    def rank(self) -> tuple[int, float]:
        return (RELATION_RANK.get(self.relation or "", 0), self.similarity)


def _gap_days(left: DocView, right: DocView) -> float | None:
    """Days between two publications; a time known only to its day (00:00 UTC of it) may be
    anywhere in that day (as UTC counts it: dedup never depends on a display zone), and the gap
    is the least the two can be apart."""
    if left.published_at is None or right.published_at is None:
        return None
    (a_start, a_end), (b_start, b_end) = _span(left), _span(right)
    apart = max(a_start - b_end, b_start - a_end, timedelta(0))
    return apart.total_seconds() / 86400.0


def _span(doc: DocView) -> tuple[datetime, datetime]:
    at = doc.published_at
    assert at is not None
    return (at, at + timedelta(days=1)) if doc.published_precision == Precision.DAY else (at, at)


def _body(features: Features, boilerplate: frozenset[int]) -> frozenset[int]:
    """The shingles of the sentences that are not boilerplate."""
    removed = boilerplate.intersection(features.sentence_keys)
    return features.shingles_without(removed) if removed else features.shingles


def _day_months(sentence: str) -> set[tuple[int, int]]:
    """Day/month pairs written like "Selasa (3/9)" or "(20/11/2020)" in a sentence."""
    return {(int(d), int(m)) for d, m in _DAY_MONTH.findall(sentence)}


def _common_tail(left: Features, right: Features) -> frozenset[int]:
    """Sentences ending both texts in the same order: an outlet's closing block."""
    tail: list[int] = []
    for a, b in zip(reversed(left.sentence_keys), reversed(right.sentence_keys), strict=False):
        if a != b:
            break
        tail.append(a)
    if len(tail) in (len(left.sentence_keys), len(right.sentence_keys)):
        return frozenset()  # one text is entirely the other's ending: not a closing block
    return frozenset(tail)


def passage_matches(
    left: Features, right: Features, settings: DedupSettings, counts: dict[int, int]
) -> list[PassageMatch]:
    """Sentence pairs sharing enough shingles, skipping short and boilerplate sentences."""
    found: list[PassageMatch] = []
    for i, ls in enumerate(left.sentence_shingles):
        if left.sentence_words[i] < settings.passage_min_words:
            continue
        for j, rs in enumerate(right.sentence_shingles):
            if right.sentence_words[j] < settings.passage_min_words:
                continue
            shared = len(ls & rs)
            if shared < settings.passage_min_shared:
                continue
            score = shared / min(len(ls), len(rs))
            stories = max(
                counts.get(left.sentence_keys[i], 0), counts.get(right.sentence_keys[j], 0)
            )
            if score >= settings.passage_containment and stories < settings.boilerplate_stories:
                found.append(
                    PassageMatch(
                        left.sentences[i], right.sentences[j], shared, round(score, 4), stories
                    )
                )
    found.sort(key=lambda m: (-m.score, -m.shared))
    return found


def _shingle_scores(
    left: DocView, right: DocView, settings: DedupSettings, counts: dict[int, int]
) -> dict[str, float]:
    """Jaccard, containment and shared shingles after removing boilerplate sentences."""
    boilerplate = frozenset(k for k, n in counts.items() if n >= settings.boilerplate_stories)
    if left.outlet == right.outlet:
        boilerplate |= _common_tail(left.features, right.features)
    a, b = _body(left.features, boilerplate), _body(right.features, boilerplate)
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return {
        "jaccard": round(shared / union, 4) if union else 0.0,
        "containment": round(shared / min(len(a), len(b)), 4) if a and b else 0.0,
        "shared_shingles": float(shared),
    }


def _dates(left: DocView, right: DocView) -> dict[str, Any]:
    gap = _gap_days(left, right)
    return {
        "published": [_published(left), _published(right)],
        "gap_days": None if gap is None else round(gap, 3),
        "event_date": [_iso(left.event_date), _iso(right.event_date)],
    }


def _copy_rule(
    left: DocView, right: DocView, settings: DedupSettings, scores: dict[str, float]
) -> tuple[float, str] | None:
    """Rule 2: (similarity, rule name) when the pair is a near-duplicate copy."""
    if scores["jaccard"] >= settings.near_jaccard:
        return scores["jaccard"], "jaccard"
    if (
        left.outlet != right.outlet
        and scores["containment"] >= settings.copy_containment
        and scores["shared_shingles"] >= settings.copy_min_shared
    ):
        return scores["containment"], "containment"
    return None


def compare(
    left: DocView, right: DocView, settings: DedupSettings, counts: dict[int, int]
) -> Verdict:
    """Apply the rules to a pair. ``counts`` maps sentence keys to the number of stories
    holding them (missing: 0)."""
    scores, dates = _shingle_scores(left, right, settings, counts), _dates(left, right)
    if left.text_sha1 == right.text_sha1:
        return Verdict("exact", 1.0, "same normalised text", scores, (), dates)
    gap: float | None = dates["gap_days"]
    copy = (
        _copy_rule(left, right, settings, scores)
        if (gap is None or gap <= settings.copy_max_days)
        else None
    )
    if copy is not None:
        return Verdict("near_duplicate", copy[0], copy[1], scores, (), dates)
    best = max(scores["jaccard"], scores["containment"])
    if left.outlet == right.outlet or gap is None or gap > settings.same_story_max_days:
        return Verdict(None, best, "no rule", scores, (), dates)
    matches = tuple(passage_matches(left.features, right.features, settings, counts))
    dated_match = any(_day_months(m.left) & _day_months(m.right) for m in matches)
    scores["passages"], scores["dated_passage"] = float(len(matches)), float(dated_match)
    same_event = left.event_date is not None and left.event_date == right.event_date
    needed = (
        settings.same_story_min_passages
        if same_event or dated_match
        else settings.same_story_undated_passages
    )
    if len(matches) >= needed:
        return Verdict("same_story", matches[0].score, "shared passages", scores, matches, dates)
    return Verdict(None, best, "too few shared passages", scores, matches, dates)


def _published(doc: DocView) -> str | None:
    """The publication time as the evidence keeps it: ISO 8601, the date alone for a day."""
    at = doc.published_at
    return at.date().isoformat() if at and doc.published_precision == Precision.DAY else _iso(at)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()
