"""Story ids that last through a rebuild.

A story keeps the id of the story its canonical document was in before. When several new
stories' canonical documents were in one old story (it split), the one whose canonical
document was that story's canonical record keeps the id, else the one with the lowest
canonical document id; the others, and stories whose canonical document was in none, get
ids above every id used before, so an id never comes to name another story. When stories
merge, the merged story keeps the id of its canonical document's story; the others' ids are
left unused::

    before = stories_before(session)
    ...                                    # clear and assign every document again
    renumber_stories(session, lasting_ids(before, canonicals(session)))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.store.models import Story, StoryMember

__all__ = ["StoriesBefore", "canonicals", "lasting_ids", "stories_before"]


@dataclass(frozen=True, slots=True)
class StoriesBefore:
    """The stories as they were: each document's story, each story's canonical document."""

    story_of: Mapping[int, int]
    canonical_of: Mapping[int, int | None]


def stories_before(session: Session) -> StoriesBefore:
    members = session.execute(select(StoryMember.document_id, StoryMember.story_id)).tuples()
    stories = session.execute(select(Story.id, Story.canonical_document_id)).tuples()
    return StoriesBefore(dict(members.all()), dict(stories.all()))


def canonicals(session: Session) -> dict[int, int]:
    """Each story's canonical document (stories with none left out)."""
    rows = select(Story.id, Story.canonical_document_id).where(
        Story.canonical_document_id.is_not(None)
    )
    return {story: document for story, document in session.execute(rows).tuples() if document}


def lasting_ids(before: StoriesBefore, current: Mapping[int, int]) -> dict[int, int]:
    """For each story of ``current`` (story id -> canonical document), the id it keeps."""
    claims: dict[int, list[int]] = defaultdict(list)
    for story, canonical in current.items():
        old = before.story_of.get(canonical)
        if old is not None:
            claims[old].append(story)
    final: dict[int, int] = {}
    for old, stories in claims.items():
        was_canonical = before.canonical_of.get(old)
        winner = min(stories, key=lambda s: (current[s] != was_canonical, current[s]))
        final[winner] = old
    used = {*before.canonical_of, *before.story_of.values()}
    fresh = max((*used, *current), default=0) + 1
    for story in sorted(current):
        if story in final:
            continue
        if story in used:
            final[story], fresh = fresh, fresh + 1
        else:
            final[story] = story
    return final
