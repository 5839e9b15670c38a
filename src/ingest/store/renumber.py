"""Giving stories other ids, with everything that names them (memberships, story sentences).

A rebuild makes its stories anew; :func:`renumber_stories` then gives each the id it is to
keep. Each story is moved twice, first to an id above every id in use, then to its own, so
that a story may take an id another story is leaving (ids that swap)::

    renumber_stories(session, {1: 2, 2: 1, 7: 12})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from ingest.store.dedup_models import DedupStoryPassage
from ingest.store.models import Story, StoryMember

__all__ = ["renumber_stories"]

_STORIES = cast(Table, Story.__table__)
_NAMING = (cast(Table, StoryMember.__table__), cast(Table, DedupStoryPassage.__table__))


def renumber_stories(session: Session, moves: Mapping[int, int]) -> None:
    """Give each story ``old`` of ``moves`` the id ``new``. Every ``new`` must be free once
    the moves are done (unused, or the id of a story that moves away); on PostgreSQL the id
    sequence is then set past every id in use."""
    moves = {old: new for old, new in moves.items() if old != new}
    if not moves:
        return
    top = max(session.scalar(select(func.max(_STORIES.c.id))) or 0, *moves.values())
    parked = {old: top + n for n, old in enumerate(sorted(moves), start=1)}
    _move(session, parked)
    _move(session, {parked[old]: new for old, new in moves.items()})
    if session.get_bind().dialect.name == "postgresql":
        _advance_sequence(session)


def _move(session: Session, pairs: Mapping[int, int]) -> None:
    """Copy each story ``old`` to a new row ``new``, point what names it there, drop ``old``."""
    rows = [{"b_old": old, "b_new": new} for old, new in pairs.items()]
    stories = _STORIES.c
    copy = select(
        bindparam("b_new"), stories.canonical_document_id, stories.created_at, stories.updated_at
    ).where(stories.id == bindparam("b_old"))
    columns = ["id", "canonical_document_id", "created_at", "updated_at"]
    session.execute(insert(_STORIES).from_select(columns, copy), rows)
    for table in _NAMING:
        where = table.c.story_id == bindparam("b_old")
        session.execute(update(table).where(where).values(story_id=bindparam("b_new")), rows)
    session.execute(_STORIES.delete().where(stories.id == bindparam("b_old")), rows)


def _advance_sequence(session: Session) -> None:
    """Set the stories' id sequence past the largest id, never back (ids explicitly given
    do not move it)."""
    sequence = session.scalar(text("select pg_get_serial_sequence('stories', 'id')"))
    if sequence is None:
        return
    session.execute(
        text(
            "select setval(cast(:sequence as regclass), greatest("
            "(select coalesce(max(id), 1) from stories), "
            "coalesce(pg_sequence_last_value(cast(:sequence as regclass)), 1)))"
        ),
        {"sequence": sequence},
    )
