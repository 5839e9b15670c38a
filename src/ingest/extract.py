"""Pages and plain texts to cleaned :class:`~ingest.records.Article` records.

The only module that imports trafilatura. One ``bare_extraction`` call per page gives the text
and the metadata (title, author, date, site name); the page's own declarations (rel=canonical,
og:url, article:published_time, ``lang``) are read from the same parsed tree. Then the
Indonesian cleaning rules (:mod:`ingest.clean`) and the event date::

    article = extract_article(html, url=url, outlet="kukarkab.go.id", settings=settings.extract)
    article.text, article.event_date, article.dateline, article.credits

Pages that are not articles raise :class:`~ingest.errors.NotAnArticle` with a reason key:
``listing``, ``tag``, ``gallery``, ``error_page``, ``anti_bot``, ``no_text``, ``too_short``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from ingest.clean import (
    CleanedText,
    clean_text,
    pagekind,
    parse_event_date,
    parse_indonesian_datetime,
)
from ingest.clean.language import detect_language
from ingest.clean.markup import wrap_loose_text
from ingest.clean.pagecheck import check_page
from ingest.clean.title import clean_title
from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.records import Article

__all__ = ["clean_document", "extract_article"]

logger = logging.getLogger(__name__)

_PUBLISHED_XPATH = (
    '//meta[@property="article:published_time" or @name="article:published_time" or '
    '@itemprop="datePublished" or @name="publishdate" or @name="pubdate"]/@content'
)
_MODIFIED_XPATH = (
    '//meta[@property="article:modified_time" or @property="og:updated_time" or '
    '@itemprop="dateModified" or @name="lastmod"]/@content'
)


@dataclass(frozen=True, slots=True)
class _PageSignals:
    """What the page declares about itself, read before extraction."""

    page_url: str | None
    head_title: str | None
    headings: tuple[str, ...]
    declared_language: str | None
    published: datetime | None
    modified: datetime | None


def extract_article(
    html: str | bytes,
    *,
    url: str,
    outlet: str,
    settings: ExtractSettings,
    source: str | None = None,
    published_hint: datetime | None = None,
    title_hint: str | None = None,
) -> Article:
    """Extract, clean and date one page. ``published_hint`` (from a feed or sitemap) and
    ``title_hint`` are used when the page states no date or title.

    Raises :class:`~ingest.errors.NotAnArticle` for pages that are not articles.
    """
    tree = load_html(html)
    if tree is None:
        raise NotAnArticle(url, "no_text", "the page could not be parsed as HTML")
    signals = _read_signals(tree, url)
    _reject_by_address(url, signals, settings)
    if settings.wrap_loose_text:
        wrap_loose_text(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        favor_precision=settings.favor_precision,
        include_comments=settings.include_comments,
        include_tables=settings.include_tables,
        include_links=False,
        include_images=False,
    )
    raw_text = getattr(document, "text", None) or ""
    raw_title = getattr(document, "title", None) or signals.head_title or title_hint
    site_name = getattr(document, "sitename", None)
    title = clean_title(raw_title, url=url, site_name=site_name, headings=signals.headings)
    reason = pagekind.blocked_reason(raw_title, raw_text)
    if reason:
        raise NotAnArticle(url, reason)
    cleaned = clean_text(raw_text, title=title)
    cleaned = check_page(url, tree, cleaned, settings)
    zone = ZoneInfo(settings.default_timezone)
    published = _published_at(signals, getattr(document, "date", None), published_hint, zone)
    return _article(
        cleaned,
        url=url,
        outlet=outlet,
        source=source,
        title=title or title_hint,
        published_at=published or _aware(cleaned.stamped_at, zone),
        modified_at=_aware(signals.modified, zone),
        author=getattr(document, "author", None),
        site_name=site_name,
        language=detect_language(cleaned.text, declared=signals.declared_language),
        page_url=signals.page_url,
    )


def clean_document(
    text: str,
    *,
    url: str,
    outlet: str,
    settings: ExtractSettings,
    source: str | None = None,
    title: str | None = None,
    published_at: datetime | None = None,
) -> Article:
    """Clean a plain-text document (the JSONL import's ``text``) with the same rules and date it.
    A publication stamp printed above the text is used when ``published_at`` is not given.

    Raises :class:`~ingest.errors.NotAnArticle` only for empty or too short text.
    """
    cleaned = clean_text(text, title=title)
    _reject_short(url, cleaned, settings)
    zone = ZoneInfo(settings.default_timezone)
    return _article(
        cleaned,
        url=url,
        outlet=outlet,
        source=source,
        title=title,
        published_at=_aware(published_at or cleaned.stamped_at, zone),
        language=detect_language(cleaned.text),
    )


def _article(
    cleaned: CleanedText, *, url: str, outlet: str, published_at: datetime | None, **fields: object
) -> Article:
    return Article(
        url=url,
        outlet=outlet,
        text=cleaned.text,
        published_at=published_at,
        event_date=parse_event_date(cleaned.text, published_at),
        dateline=cleaned.dateline,
        credits=cleaned.credits,
        syndicated_from=cleaned.syndicated_from,
        **fields,  # type: ignore[arg-type]
    )


def _read_signals(tree: HtmlElement, url: str) -> _PageSignals:
    declared = _first(tree, '//link[@rel="canonical"]/@href') or _first(
        tree, '//meta[@property="og:url"]/@content'
    )
    headings = tuple(" ".join(h.text_content().split()) for h in tree.iter("h1"))
    return _PageSignals(
        page_url=urljoin(url, declared) if declared else None,
        head_title=_first(tree, "//head/title/text()"),
        headings=tuple(h for h in headings if h),
        declared_language=_first(tree, "/html/@lang"),
        published=_parse_stamp(_first(tree, _PUBLISHED_XPATH)),
        modified=_parse_stamp(_first(tree, _MODIFIED_XPATH)),
    )


def _first(tree: HtmlElement, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        text = str(value).strip()
        if text:
            return text
    return None


def _parse_stamp(value: str | None) -> datetime | None:
    return parse_indonesian_datetime(value) if value else None


def _reject_by_address(url: str, signals: _PageSignals, settings: ExtractSettings) -> None:
    reason = pagekind.listing_reason_from_title(signals.head_title)
    if settings.reject_listing_urls:
        reason = pagekind.listing_reason_from_url(url) or reason
    if reason:
        raise NotAnArticle(url, reason, signals.head_title or "")


def _reject_short(url: str, cleaned: CleanedText, settings: ExtractSettings) -> None:
    if not cleaned.text:
        raise NotAnArticle(url, "no_text")
    if len(cleaned.text) < settings.min_chars:
        raise NotAnArticle(url, "too_short", f"{len(cleaned.text)} < {settings.min_chars}")


def _published_at(
    signals: _PageSignals, extracted: str | None, hint: datetime | None, zone: ZoneInfo
) -> datetime | None:
    """The page's declared time when it agrees with the extracted date, else the extracted
    date at midnight, else the hint."""
    day = _iso_day(extracted)
    declared = _aware(signals.published, zone)
    if declared is not None and (day is None or declared.astimezone(zone).date() == day):
        return declared
    if day is not None:
        return datetime.combine(day, time(), tzinfo=zone)
    return _aware(hint, zone)


def _iso_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _aware(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone)
