"""Pages and plain texts to cleaned :class:`~ingest.records.Article` records.

With :mod:`ingest.clean.pagemeta`, the only module that imports trafilatura. The page is parsed
once; trafilatura's main extractor gives the text (its readability and jusText fallbacks only
when that text is short), its metadata rules give the title, author and site name
(:mod:`ingest.clean.pagemeta`), and the page's own declarations (rel=canonical, og:url,
article:published_time, ``lang``) are read from the same tree (:mod:`ingest.clean.signals`);
htmldate dates pages that declare no publication time. Then the Indonesian cleaning rules
(:mod:`ingest.clean`) and the event date::

    article = extract_article(html, url=url, outlet="kukarkab.go.id", settings=settings.extract)
    article.text, article.event_date, article.dateline, article.credits

Pages that are not articles raise :class:`~ingest.errors.NotAnArticle` with a reason key:
``listing``, ``tag``, ``gallery``, ``error_page``, ``anti_bot``, ``no_text``, ``too_short``
(:mod:`ingest.clean.pagecheck` tells them from articles). A short article (a brief) is kept and
marked ``short``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from functools import cache
from typing import TypeAlias
from zoneinfo import ZoneInfo

import trafilatura
from htmldate import find_date
from lxml.etree import ElementDefaultClassLookup
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.settings import Extractor
from trafilatura.utils import decode_file, is_dubious_html, repair_faulty_html

from ingest.clean import (
    CleanedText,
    clean_text,
    pagekind,
    parse_event_date,
)
from ingest.clean.boxes import join_around_boxes
from ingest.clean.language import detect_language
from ingest.clean.markup import wrap_loose_text
from ingest.clean.pagecheck import PageClues, check_page
from ingest.clean.pagemeta import read_metadata
from ingest.clean.signals import PageSignals, read_signals
from ingest.clean.title import clean_title
from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.records import Article, Precision

#: A publication time and how precisely it is known.
Dated: TypeAlias = tuple[datetime, Precision]

__all__ = ["clean_document", "extract_article"]

logger = logging.getLogger(__name__)

#: trafilatura's parser settings, with one class (lxml's HtmlElement) for every element: the
#: lookup of lxml.html picks a class per element in Python (form fields get their own, which
#: nothing here uses), a tenth of the cost of extracting a page.
_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
_PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)
#: A quick extraction (trafilatura's main extractor alone) shorter than this is redone with
#: trafilatura's full cascade (readability and jusText compared). On 3,463 IndoSum pages and
#: the 34 saved pages the cascade changed no text this long but one (by one character), and
#: no extracted article with the limit at 300, 500 or 1,000; 500 keeps a margin over the 250
#: characters under which the cascade's jusText rescue engages.
_THOROUGH_BELOW = 500


def extract_article(
    html: str | bytes,
    *,
    url: str,
    outlet: str,
    settings: ExtractSettings,
    source: str | None = None,
    published_hint: datetime | None = None,
    title_hint: str | None = None,
    hint_precision: Precision | None = None,
) -> Article:
    """Extract, clean and date one page. ``published_hint`` (from a feed or sitemap, known to
    ``hint_precision``) and ``title_hint`` are used when the page states no date or title.

    Raises :class:`~ingest.errors.NotAnArticle` for pages that are not articles.
    """
    tree = _parse(html)
    if tree is None:
        raise NotAnArticle(url, "no_text", "the page could not be parsed as HTML")
    signals = read_signals(tree, url)
    _reject_by_address(url, signals, settings)
    join_around_boxes(tree)
    if settings.wrap_loose_text:
        wrap_loose_text(tree)
    metadata = read_metadata(tree, url)
    raw_text = _main_text(tree, url, settings)
    raw_title = metadata.title or signals.head_title or title_hint
    site_name = metadata.site_name
    title = clean_title(raw_title, url=url, site_name=site_name, headings=signals.headings)
    reason = pagekind.blocked_reason(raw_title, raw_text)
    if reason:
        raise NotAnArticle(url, reason)
    cleaned = clean_text(raw_text, title=title)
    signed = bool(metadata.author) or signals.published is not None
    clues = PageClues(declared=signals.declared_kind, signed=signed)
    cleaned = check_page(url, tree, cleaned, settings, clues)
    zone = ZoneInfo(settings.default_timezone)
    hint = _dated(published_hint, hint_precision)
    published = _published_at(tree, url, signals, hint, zone)
    published = _refined(_refined(published, _stamped(cleaned, zone)), hint)
    return _article(
        cleaned,
        url=url,
        outlet=outlet,
        source=source,
        title=title or title_hint,
        published=published,
        modified_at=_aware(signals.modified, zone),
        author=metadata.author,
        site_name=site_name,
        language=detect_language(cleaned.text, declared=signals.declared_language),
        page_url=signals.page_url,
        short=len(cleaned.text) < settings.short_chars,
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
    published_precision: Precision | None = None,
) -> Article:
    """Clean a plain-text document (the JSONL import's ``text``) with the same rules and date it.
    A publication stamp printed above the text is used when ``published_at`` is not given.

    Raises :class:`~ingest.errors.NotAnArticle` only for empty or too short text (under
    ``min_chars``); a text under ``short_chars`` is a short article.
    """
    cleaned = clean_text(text, title=title)
    _reject_short(url, cleaned, settings)
    zone = ZoneInfo(settings.default_timezone)
    given = _dated(_aware(published_at, zone), published_precision)
    return _article(
        cleaned,
        url=url,
        outlet=outlet,
        source=source,
        title=title,
        published=given or _stamped(cleaned, zone),
        language=detect_language(cleaned.text),
        short=len(cleaned.text) < settings.short_chars,
    )


def _article(
    cleaned: CleanedText, *, url: str, outlet: str, published: Dated | None, **fields: object
) -> Article:
    published_at, precision = published or (None, None)
    return Article(
        url=url,
        outlet=outlet,
        text=cleaned.text,
        published_at=published_at,
        published_precision=precision,
        event_date=parse_event_date(cleaned.text, published_at),
        dateline=cleaned.dateline,
        credits=cleaned.credits,
        syndicated_from=cleaned.syndicated_from,
        **fields,  # type: ignore[arg-type]
    )


def _parse(html: str | bytes) -> HtmlElement | None:
    """The page's tree as trafilatura's ``load_html`` builds it (decoding, repairs, a second
    try from bytes, no tree for a page that is not HTML), with :data:`_PARSER`."""
    text = decode_file(html)
    beginning = text[:50].lower()
    text = repair_faulty_html(text, beginning)
    retried = False
    try:
        tree = fromstring(text, parser=_PARSER)
    except ValueError:  # a Unicode string that declares its encoding
        tree, retried = _parse_bytes(text), True
    except Exception as error:  # as load_html: whatever lxml raises means no tree
        logger.debug("lxml could not parse the page: %s", error)
        tree = None
    if (tree is None or len(tree) < 1) and not retried:
        tree = _parse_bytes(text)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def _parse_bytes(text: str) -> HtmlElement | None:
    try:
        return fromstring(text.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception as error:  # as trafilatura's fromstring_bytes
        logger.debug("lxml could not parse the page's bytes: %s", error)
        return None


def _main_text(tree: HtmlElement, url: str, settings: ExtractSettings) -> str:
    """The page's main text by trafilatura's main extractor; when that is short, by its full
    cascade, which compares readability's and jusText's answers."""
    flags = (settings.favor_precision, settings.include_comments, settings.include_tables)
    text = _bare_text(tree, url, _extractor(*flags, fast=True))
    if len(text) < _THOROUGH_BELOW:
        text = _bare_text(tree, url, _extractor(*flags, fast=False))
    return text


@cache
def _extractor(precision: bool, comments: bool, tables: bool, *, fast: bool) -> Extractor:
    """trafilatura's options, built once per settings (reading its configuration is not free).
    Metadata are read apart (:mod:`ingest.clean.pagemeta`), so its date settings go unused."""
    return Extractor(
        output_format="python",
        fast=fast,
        precision=precision,
        comments=comments,
        tables=tables,
        links=False,
        images=False,
    )


def _bare_text(tree: HtmlElement, url: str, base: Extractor) -> str:
    options = Extractor.__new__(Extractor)  # copy.copy takes the slow reduce protocol
    for name in Extractor.__slots__:
        setattr(options, name, getattr(base, name))
    options.url = options.source = url
    document = trafilatura.bare_extraction(tree, options=options)
    return getattr(document, "text", None) or ""


def _reject_by_address(url: str, signals: PageSignals, settings: ExtractSettings) -> None:
    reason = pagekind.listing_reason_from_url(url) if settings.reject_listing_urls else None
    if reason:
        raise NotAnArticle(url, reason, signals.head_title or "")


def _reject_short(url: str, cleaned: CleanedText, settings: ExtractSettings) -> None:
    if not cleaned.text:
        raise NotAnArticle(url, "no_text")
    if len(cleaned.text) < settings.min_chars:
        raise NotAnArticle(url, "too_short", f"{len(cleaned.text)} < {settings.min_chars}")


def _published_at(
    tree: HtmlElement, url: str, signals: PageSignals, hint: Dated | None, zone: ZoneInfo
) -> Dated | None:
    """The page's declared publication time, else the date htmldate finds (a day), else the
    hint."""
    if signals.published is not None:
        precision = signals.published_precision or Precision.MINUTE
        return _in_zone(signals.published, zone), precision
    day = _iso_day(_page_date(tree, signals.page_url or url))
    if day is not None:
        return datetime.combine(day, time(), tzinfo=zone), Precision.DAY
    return hint if hint is None else (_in_zone(hint[0], zone), hint[1])


def _stamped(cleaned: CleanedText, zone: ZoneInfo) -> Dated | None:
    """The publication stamp printed above the text, if any."""
    return _dated(_aware(cleaned.stamped_at, zone), cleaned.stamped_precision)


def _refined(published: Dated | None, stamped: Dated | None) -> Dated | None:
    """The publication time, or a more precise one (the stamp printed above the text, the
    feed's or sitemap's time) when there is none or it gives the time of the same day."""
    if published is None or stamped is None:
        return published or stamped
    (at, precision), (stamp, stamp_precision) = published, stamped
    same_day = at.date() == stamp.astimezone(at.tzinfo).date()
    if precision is Precision.DAY and stamp_precision is Precision.MINUTE and same_day:
        return stamped
    return published


def _dated(value: datetime | None, precision: Precision | None) -> Dated | None:
    """A time with its precision (to the minute unless known to be a day); None without one."""
    return None if value is None else (value, precision or Precision.MINUTE)


def _page_date(tree: HtmlElement, url: str) -> str | None:
    """The publication date htmldate finds, with trafilatura's settings for it."""
    today = datetime.now().astimezone().strftime("%Y-%m-%d")
    return find_date(tree, url=url, original_date=True, extensive_search=True, max_date=today)


def _iso_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _aware(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if value is None else _in_zone(value, zone)


def _in_zone(value: datetime, zone: ZoneInfo) -> datetime:
    """``value``, in ``zone`` when it names none."""
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
