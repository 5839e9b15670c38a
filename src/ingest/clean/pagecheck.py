"""The decision, after cleaning, whether a page is an article, a listing or a photo page.

A page is judged by what it is, not by how long its paragraphs are or what its title says: a
listing's body sits in teaser cards, each a headline link to another page with a little text
(:mod:`ingest.clean.teasers`); an article's does not. A page that calls itself an article
(og:type, JSON-LD, article:published_time) must hold several teasers to be a listing, any
other page one. A body of stamped or truncated teaser lines is a listing on a page that does
not call itself an article or that holds teasers (a schedule article's lines carry times
too). A short body (a brief, a breaking item) is an article when the page shows it is one: it
calls itself an article, or has a dateline, an author or a stated publication time.

Raises :class:`~ingest.errors.NotAnArticle` with the reason key (``listing``, ``gallery``,
``no_text``, ``too_short``); a photo page kept (``reject_galleries = false``) comes back with
its captions as the body::

    cleaned = check_page(url, tree, cleaned, settings, clues=PageClues(declared="article"))
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from lxml.html import HtmlElement

from ingest.clean import CleanedText, clean_text, pagekind
from ingest.clean.caption import gallery_caption
from ingest.clean.teasers import teaser_cards
from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle

__all__ = ["PageClues", "check_page"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PageClues:
    """What the page says of itself beyond its body: ``declared`` is ``article``,
    ``listing`` or ``None`` (og:type, JSON-LD); ``signed`` whether it names an author or states
    its publication time."""

    declared: str | None = None
    signed: bool = False


def check_page(
    url: str, tree: HtmlElement, cleaned: CleanedText, settings: ExtractSettings, clues: PageClues
) -> CleanedText:
    """Reject photo pages (unless kept), listings recognised from the text or the teaser
    cards that hold it, empty bodies, and short ones on pages that do not show they are
    articles; return the body to store."""
    if len(cleaned.text) < settings.short_chars and pagekind.looks_like_gallery_url(url):
        if settings.reject_galleries:
            raise NotAnArticle(url, "gallery", f"{len(cleaned.text)} characters of captions")
        return _captions(url, tree, cleaned)
    teasers = teaser_cards(
        tree,
        cleaned.lines,
        url=url,
        min_words=settings.teaser_min_words,
        max_chars=settings.teaser_max_chars,
    )
    stamped = pagekind.listing_reason_from_text(
        cleaned.lines, min_stamps=settings.listing_min_stamps
    )
    if stamped and (clues.declared != "article" or teasers.cards):
        raise NotAnArticle(url, "listing", "the body reads like a list of teasers")
    needed = settings.listing_min_teasers if clues.declared == "article" else 1
    if teasers.cards >= needed and teasers.share >= settings.listing_teaser_share:
        detail = f"{teasers.cards} teaser cards hold {teasers.share:.0%} of the body"
        raise NotAnArticle(url, "listing", detail)
    if not cleaned.text:
        raise NotAnArticle(url, "no_text")
    size = len(cleaned.text)
    if size < settings.min_chars:
        raise NotAnArticle(url, "too_short", f"{size} < {settings.min_chars}")
    if size < settings.short_chars and not _shows_an_article(cleaned, clues):
        detail = f"{size} < {settings.short_chars} and no article metadata, dateline or byline"
        raise NotAnArticle(url, "too_short", detail)
    return cleaned


def _shows_an_article(cleaned: CleanedText, clues: PageClues) -> bool:
    return clues.declared == "article" or clues.signed or cleaned.dateline is not None


def _captions(url: str, tree: HtmlElement, cleaned: CleanedText) -> CleanedText:
    caption = clean_text(gallery_caption(tree, cleaned.text)).text
    if not caption:
        raise NotAnArticle(url, "no_text", "a photo page without captions")
    logger.debug("photo page %s kept with %d characters of captions", url, len(caption))
    return replace(cleaned, text=caption)
