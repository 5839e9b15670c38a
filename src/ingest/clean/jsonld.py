"""What a page's JSON-LD says about it: the schema.org types it declares and the publication
and modification times of the article it describes::

    found = read_linked_data(tree)
    found.types, found.published, found.modified
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from lxml.html import HtmlElement

__all__ = ["ARTICLE_TYPES", "LinkedData", "linked_data_scripts", "read_linked_data"]

logger = logging.getLogger(__name__)

#: schema.org types of a single article (Article and the subtypes news sites use).
ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting",
        "LiveBlogPosting", "Report", "ScholarlyArticle", "TechArticle", "SatiricalArticle",
        "AdvertiserContentArticle",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LinkedData:
    """The types declared in the page's JSON-LD, and the article's times as written."""

    types: frozenset[str] = frozenset()
    published: str | None = None
    modified: str | None = None


def read_linked_data(scripts: list[str]) -> LinkedData:
    """Read the JSON-LD blocks ``scripts`` (the text of each ``<script
    type="application/ld+json">``); blocks that are not JSON are skipped. The times are those
    of the first object of an article type, else of the first object that states one."""
    types: set[str] = set()
    times: list[tuple[bool, str | None, str | None]] = []
    for script in scripts:
        try:
            data = json.loads(script)
        except ValueError as error:
            logger.debug("unreadable JSON-LD block: %s", error)
            continue
        for item in _objects(data):
            kinds = _types(item)
            types.update(kinds)
            published, modified = _text(item.get("datePublished")), _text(item.get("dateModified"))
            if published or modified:
                times.append((bool(kinds & ARTICLE_TYPES), published, modified))
    times.sort(key=lambda found: not found[0])  # article objects first, else in page order
    _, published, modified = times[0] if times else (False, None, None)
    return LinkedData(types=frozenset(types), published=published, modified=modified)


def linked_data_scripts(tree: HtmlElement) -> list[str]:
    """The text of every JSON-LD block of the page."""
    return [
        script.text
        for script in tree.iter("script")
        if script.text and (script.get("type") or "").strip().lower() == "application/ld+json"
    ]


def _objects(data: object) -> Iterator[dict[str, object]]:
    """Every object of a JSON-LD document: top level, in lists and in ``@graph``."""
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"))


def _types(item: dict[str, object]) -> frozenset[str]:
    kind = item.get("@type")
    if isinstance(kind, str):
        return frozenset({kind})
    if isinstance(kind, list):
        return frozenset(k for k in kind if isinstance(k, str))
    return frozenset()


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
