from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from ingest.store import Store
from ingest.store.models import Document


def test_datetimes_come_back_aware_and_in_utc(store: Store) -> None:
    wita = timezone(timedelta(hours=8))
    with store.session() as session:
        session.add(
            Document(
                url="https://example.org/a",
                outlet="example.org",
                text="x",
                text_sha1="0" * 40,
                published_at=datetime(2024, 9, 3, 10, 0, tzinfo=wita),
            )
        )
    with store.session() as session:
        doc = session.scalars(select(Document)).one()
        assert doc.published_at == datetime(2024, 9, 3, 2, 0, tzinfo=UTC)
        assert doc.published_at.tzinfo is not None
