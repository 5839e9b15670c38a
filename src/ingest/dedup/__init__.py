"""Story-level deduplication: exact copies, near-duplicate copies and same-story reports.

    assign(session, document, settings) -> Assignment       one new stored document
    assign_batch(session, documents, settings) -> [Assignment]  several, same result in order
    rebuild(session, settings) -> RebuildSummary             re-cluster the whole store
    assign_pending(session, settings) -> RebuildSummary      documents without a story yet
    explain(session, story_id) -> StoryExplanation           why each member was joined
    format_explanation(explanation) -> str                   the text of ``story ID --why``
    text_fingerprint(text) -> str                            ``Document.text_sha1``

The rules are in :mod:`ingest.dedup.rules`, the canonical choice in
:mod:`ingest.dedup.canonical`, the persisted index in :mod:`ingest.dedup.index`.
"""

from __future__ import annotations

from ingest.dedup.assign import AlreadyAssigned, Assignment, assign, assign_batch
from ingest.dedup.explain import (
    MemberExplanation,
    SharedPassage,
    StoryExplanation,
    explain,
    format_explanation,
)
from ingest.dedup.rebuild import RebuildSummary, assign_pending, rebuild
from ingest.dedup.text import normalise, text_fingerprint

__all__ = [
    "AlreadyAssigned",
    "Assignment",
    "MemberExplanation",
    "RebuildSummary",
    "SharedPassage",
    "StoryExplanation",
    "assign",
    "assign_batch",
    "assign_pending",
    "explain",
    "format_explanation",
    "normalise",
    "rebuild",
    "text_fingerprint",
]
