"""What the ``documents`` table accepts, enforced before the database so that SQLite (which
stores a 600-character ``varchar(500)`` silently) and PostgreSQL (which refuses it) keep the
same data::

    fitted = fit_article(article)   # metadata cut to its column, NULs and lone surrogates gone
    fitted.author                   # at most 500 characters; the cut is logged

A bounded metadata column (``author``, ``outlet``, ``site_name``, ``language``, ``dateline``,
``source_name``) is cut to its length with a note in the log; ``syndicated_from`` is dropped
instead (half a URL names nothing). A URL longer than its column cannot be cut without
becoming another document's: :func:`fit_article` raises :class:`~ingest.errors.NotAnArticle`
with reason ``unstorable``. NUL characters (refused by PostgreSQL text columns) are removed and
lone surrogates (which no database can encode) replaced by U+FFFD, in every text field.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import String, Table

from ingest.errors import NotAnArticle
from ingest.records import Article, FetchedPage
from ingest.store.models import Document, FetchState

__all__ = ["UNSTORABLE", "column_limits", "fit_article", "fit_fetch_state"]

log = logging.getLogger(__name__)

#: The rejection reason of an article the store cannot hold as it is.
UNSTORABLE = "unstorable"

#: Article fields stored in a column of another name.
_COLUMN_OF = {"source": "source_name"}

#: Fields whose value means nothing once cut: dropped when too long.
_DROPPED_WHEN_LONG = frozenset({"syndicated_from"})

_TEXT_FIELDS = (
    "url",
    "outlet",
    "title",
    "text",
    "source",
    "author",
    "language",
    "site_name",
    "dateline",
    "syndicated_from",
    "page_url",
)


def column_limits(model: type[Document] | type[FetchState]) -> dict[str, int]:
    """The length of each bounded string column of ``model``'s table, by column name."""
    table = cast(Table, model.__table__)
    return {
        column.name: column.type.length
        for column in table.columns
        if isinstance(column.type, String) and column.type.length is not None
    }


_LIMITS = column_limits(Document)
_STATE_LIMITS = column_limits(FetchState)

#: The bounded metadata fields of an article: cut (or dropped) to fit their column.
_BOUNDED = ("outlet", "author", "language", "site_name", "dateline", "source", "syndicated_from")

_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: str) -> str:
    """``value`` without NULs, its lone surrogates replaced."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", value)


def _cleaned(article: Article) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = getattr(article, name)
        cleaned = _clean(value) if isinstance(value, str) else value
        if cleaned != value:
            changes[name] = cleaned
    credits = tuple(_clean(c) for c in article.credits)
    if credits != article.credits:
        changes["credits"] = credits
    return changes


def fit_article(article: Article) -> Article:
    """``article`` as the store can hold it (see the module's docstring); NotAnArticle with
    reason ``unstorable`` when its URL is longer than the column."""
    changes = _cleaned(article)
    url: str = changes.get("url", article.url)
    if len(url) > _LIMITS["url"]:
        limit = _LIMITS["url"]
        raise NotAnArticle(
            url[:200] + "...", UNSTORABLE, f"URL of {len(url)} characters (at most {limit})"
        )
    for name in _BOUNDED:
        value = changes.get(name, getattr(article, name))
        limit = _LIMITS[_COLUMN_OF.get(name, name)]
        if value is None or len(value) <= limit:
            continue
        changes[name] = None if name in _DROPPED_WHEN_LONG else value[:limit]
        log.info(
            "%s: %s of %d characters %s (the store keeps %d)",
            url,
            name,
            len(value),
            "dropped" if name in _DROPPED_WHEN_LONG else "cut",
            limit,
        )
    return replace(article, **changes) if changes else article


def fit_fetch_state(page: FetchedPage) -> FetchedPage | None:
    """``page`` as its fetch state can be kept: a validator longer than its column is dropped
    (the next request is then unconditional); None when its URL is too long to keep any."""
    if max(len(page.url), len(page.final_url)) > _STATE_LIMITS["url"]:
        log.info("%s...: URL too long to keep its fetch state", page.url[:200])
        return None
    etag, modified = page.etag, page.last_modified
    if etag is not None and len(etag) > _STATE_LIMITS["etag"]:
        etag = None
    if modified is not None and len(modified) > _STATE_LIMITS["last_modified"]:
        modified = None
    if (etag, modified) == (page.etag, page.last_modified):
        return page
    log.info("%s: over-long validator dropped", page.url)
    return replace(page, etag=etag, last_modified=modified)
