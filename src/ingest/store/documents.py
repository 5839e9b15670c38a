"""Writing documents: one transaction holds each document, its dedup index entries and its
story membership, so the store and the index can never disagree.

    store_article(store, article, ...)             one document, one transaction
    add_articles(session, articles, ...)           a batch inside the caller's transaction
    stored_urls(session, urls)                     which URLs are stored already
    known_urls(session, urls)                      the above and conditional-GET validators
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingest import dedup
from ingest.config import DedupSettings
from ingest.dedup.assign import assign_stored, batch_features
from ingest.dedup.facts import Facts
from ingest.dedup.features import Features
from ingest.dedup.lookups import documents_at
from ingest.errors import NotAnArticle
from ingest.records import Article
from ingest.store.engine import Store
from ingest.store.limits import fit_article
from ingest.store.models import Document, FetchState, utcnow

__all__ = [
    "DOCUMENTS_LOCK",
    "KnownUrls",
    "StoreOutcome",
    "add_articles",
    "document_exists",
    "hold_documents_lock",
    "known_urls",
    "new_document",
    "store_article",
    "stored_fingerprint",
    "stored_urls",
]

log = logging.getLogger(__name__)

_DOCUMENTS = cast(Table, Document.__table__)

#: URLs per ``IN (...)`` query: well under SQLite's and PostgreSQL's parameter limits.
_LOOKUP_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """``created`` is False when the URL was stored already (by an earlier or concurrent run)
    or when the store refused the document: ``rejected`` then says why, in one line."""

    document_id: int | None
    created: bool
    assignment: dedup.Assignment | None = None
    rejected: str | None = None


def document_exists(session: Session, url: str) -> bool:
    return session.scalar(select(Document.id).where(Document.url == url)) is not None


def stored_fingerprint(session: Session, url: str) -> str | None:
    """The ``text_sha1`` of the document stored at ``url``; None when there is none."""
    return session.scalar(select(Document.text_sha1).where(Document.url == url))


def stored_urls(session: Session, urls: Iterable[str]) -> dict[str, int]:
    """The stored documents among ``urls``, as URL → document id (one query)."""
    return documents_at(session, list(dict.fromkeys(urls)))


@dataclass(frozen=True, slots=True)
class KnownUrls:
    """What the store knows of a source's URLs before fetching them: the stored ones and the
    validators (ETag, Last-Modified) of earlier fetches."""

    stored: frozenset[str]
    validators: dict[str, tuple[str | None, str | None]]


def known_urls(session: Session, urls: Iterable[str]) -> KnownUrls:
    """Stored documents and fetch validators among ``urls``, in one query each per 500 URLs."""
    wanted = list(dict.fromkeys(urls))
    validators: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        query = select(FetchState.url, FetchState.etag, FetchState.last_modified)
        for url, etag, modified in session.execute(query.where(FetchState.url.in_(chunk))):
            validators[url] = (etag, modified)
    return KnownUrls(stored=frozenset(stored_urls(session, wanted)), validators=validators)


def new_document(article: Article, *, run_id: int | None) -> Document:
    """The row for a cleaned article (not yet added to a session)."""
    return Document(**_columns(article, run_id, dedup.text_fingerprint(article.text)))


def _columns(article: Article, run_id: int | None, text_sha1: str) -> dict[str, Any]:
    """The ``documents`` columns of a cleaned article, but its id and creation time."""
    return {
        "url": article.url,
        "source_name": article.source,
        "outlet": article.outlet,
        "title": article.title,
        "author": article.author,
        "published_at": article.published_at,
        "published_precision": article.published_precision,
        "modified_at": article.modified_at,
        "event_date": article.event_date,
        "language": article.language,
        "site_name": article.site_name,
        "dateline": article.dateline,
        "credits": list(article.credits),
        "syndicated_from": article.syndicated_from,
        "text": article.text,
        "short": article.short,
        "text_sha1": text_sha1,
        "run_id": run_id,
    }


#: The PostgreSQL advisory lock that orders the transactions storing documents (any constant
#: key would do: one lock per database).
DOCUMENTS_LOCK = 0x696E67657374  # "ingest"


def hold_documents_lock(session: Session) -> None:
    """Wait for the transactions storing documents before this one, then keep the others
    waiting until this one ends: a batch is placed in stories against every document
    committed before it, by this run's other processes, by parallel Prefect tasks and by other
    runs. On PostgreSQL an advisory lock for the transaction (READ COMMITTED shows each
    statement what was committed when it began); SQLite needs none, as a transaction that
    writes holds the database's write lock from its start."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DOCUMENTS_LOCK})


def add_articles(
    session: Session,
    articles: Sequence[Article],
    *,
    dedup_settings: DedupSettings,
    run_id: int | None,
    features: Sequence[Features | None] | None = None,
) -> list[StoreOutcome]:
    """Add ``articles`` in order, each placed in a story, inside the caller's transaction; one
    outcome per article. A URL stored already (or earlier in the batch) is left alone.
    ``features`` are the articles' dedup features if computed already (one per article,
    ``None`` for those to compute here).

    Raises :class:`~sqlalchemy.exc.IntegrityError` when another run inserts one of the URLs
    meanwhile: the caller's transaction then holds nothing of the batch.
    """
    hold_documents_lock(session)
    given: Sequence[Features | None] = features or [None] * len(articles)
    fitted, refused = _fit(articles)
    known = stored_urls(session, (a.url for a in fitted if a is not None))
    fresh: dict[str, tuple[Article, Features | None]] = {}
    for article, article_features in zip(fitted, given, strict=True):
        if article is not None and article.url not in known and article.url not in fresh:
            fresh[article.url] = (article, article_features)
    new = [article for article, _ in fresh.values()]
    texts = [article.text for article in new]
    computed, fingerprints = _features(texts, [f for _, f in fresh.values()], dedup_settings)
    facts = _insert_documents(session, new, fingerprints, run_id)
    assigned = assign_stored(session, facts, texts, dedup_settings, computed)
    assignments = dict(zip(fresh, zip(facts, assigned, strict=True), strict=True))
    outcomes = []
    for article, refusal in zip(fitted, refused, strict=True):
        if article is None:
            outcomes.append(StoreOutcome(None, created=False, rejected=refusal))
            continue
        existing = known.get(article.url)
        if existing is not None:
            outcomes.append(StoreOutcome(existing, created=False))
            continue
        document, assignment = assignments[article.url]
        known[article.url] = document.id
        outcomes.append(StoreOutcome(document.id, created=True, assignment=assignment))
    return outcomes


def _fit(articles: Sequence[Article]) -> tuple[list[Article | None], list[str | None]]:
    """Each article as the store can hold it (:func:`fit_article`), or None and the reason
    it cannot be stored."""
    fitted: list[Article | None] = []
    refused: list[str | None] = []
    for article in articles:
        try:
            fitted.append(fit_article(article))
            refused.append(None)
        except NotAnArticle as exc:
            log.warning("not stored: %s", exc)
            fitted.append(None)
            refused.append(str(exc))
    return fitted, refused


def _features(
    texts: Sequence[str], handed: Sequence[Features | None], settings: DedupSettings
) -> tuple[list[Features], list[str]]:
    """The dedup features of each text (those handed over, the rest computed) and its
    ``text_sha1``: read from the features computed here, computed from the text for the
    handed ones (nothing checks that they belong to it)."""
    features = batch_features(texts, handed, settings)
    fingerprints = [
        dedup.text_fingerprint(text) if given is not None else computed.fingerprint
        for text, given, computed in zip(texts, handed, features, strict=True)
    ]
    return features, fingerprints


def _insert_documents(
    session: Session, articles: Sequence[Article], fingerprints: Sequence[str], run_id: int | None
) -> list[Facts]:
    """Insert the documents of ``articles`` with one Core statement (each row comes back with
    its unique URL) and return what dedup reads of them. No ORM objects: nothing for the
    session to track."""
    if not articles:
        return []
    session.flush()
    now = utcnow()
    rows = [
        {**_columns(a, run_id, sha1), "created_at": now}
        for a, sha1 in zip(articles, fingerprints, strict=True)
    ]
    returning = insert(_DOCUMENTS).returning(_DOCUMENTS.c.url, _DOCUMENTS.c.id)
    ids = dict(session.execute(returning, rows).tuples().all())
    return [
        Facts(
            ids[a.url],
            a.url,
            a.outlet,
            a.published_at,
            a.event_date,
            row["text_sha1"],
            a.syndicated_from,
            a.published_precision,
        )
        for a, row in zip(articles, rows, strict=True)
    ]


def store_article(
    store: Store,
    article: Article,
    *,
    dedup_settings: DedupSettings,
    run_id: int | None,
    features: Features | None = None,
) -> StoreOutcome:
    """Store ``article`` and place it in a story, atomically; a stored URL is left alone.
    ``features`` are its dedup features if computed already."""
    try:
        with store.session() as session:
            return add_articles(
                session,
                [article],
                dedup_settings=dedup_settings,
                run_id=run_id,
                features=[features],
            )[0]
    except IntegrityError:
        # Another run stored the same URL between our check and our insert.
        log.info("already stored by a concurrent run: %s", article.url)
        return StoreOutcome(None, created=False)
