"""Writing documents: one transaction holds the document, its dedup index entries and its
story membership, so the store and the index can never disagree."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingest import dedup
from ingest.config import DedupSettings
from ingest.records import Article
from ingest.store.engine import Store
from ingest.store.models import Document

__all__ = ["StoreOutcome", "document_exists", "new_document", "store_article"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """``created`` is False when the URL was stored already (by an earlier or concurrent run)."""

    document_id: int | None
    created: bool
    assignment: dedup.Assignment | None = None


def document_exists(session: Session, url: str) -> bool:
    return session.scalar(select(Document.id).where(Document.url == url)) is not None


def new_document(article: Article, *, run_id: int | None) -> Document:
    """The row for a cleaned article (not yet added to a session)."""
    return Document(
        url=article.url,
        source_name=article.source,
        outlet=article.outlet,
        title=article.title,
        author=article.author,
        published_at=article.published_at,
        modified_at=article.modified_at,
        event_date=article.event_date,
        language=article.language,
        site_name=article.site_name,
        dateline=article.dateline,
        credits=list(article.credits),
        syndicated_from=article.syndicated_from,
        text=article.text,
        text_sha1=dedup.text_fingerprint(article.text),
        run_id=run_id,
    )


def store_article(
    store: Store, article: Article, *, dedup_settings: DedupSettings, run_id: int | None
) -> StoreOutcome:
    """Store ``article`` and place it in a story, atomically; a stored URL is left alone."""
    try:
        with store.session() as session:
            existing = session.scalar(select(Document.id).where(Document.url == article.url))
            if existing is not None:
                return StoreOutcome(existing, created=False)
            document = new_document(article, run_id=run_id)
            session.add(document)
            session.flush()
            assignment = dedup.assign(session, document, dedup_settings)
            return StoreOutcome(document.id, created=True, assignment=assignment)
    except IntegrityError:
        # Another run stored the same URL between our check and our insert.
        log.info("already stored by a concurrent run: %s", article.url)
        return StoreOutcome(None, created=False)
