"""The decision, after cleaning, whether a page is an article, a listing or a photo page.

Raises :class:`~ingest.errors.NotAnArticle` with the reason key (``listing``, ``gallery``,
``no_text``, ``too_short``); a photo page kept (``reject_galleries = false``) comes back with
its captions as the body::

    cleaned = check_page(url, tree, cleaned, settings)
"""

from __future__ import annotations

import logging
from dataclasses import replace

from lxml.html import HtmlElement

from ingest.clean import CleanedText, clean_text, pagekind
from ingest.clean.caption import gallery_caption
from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle

__all__ = ["check_page"]

logger = logging.getLogger(__name__)


def check_page(
    url: str, tree: HtmlElement, cleaned: CleanedText, settings: ExtractSettings
) -> CleanedText:
    """Reject photo pages (unless kept), listings recognised from the text or the page's
    structure, and empty or too short bodies; return the body to store."""
    if len(cleaned.text) < settings.min_chars and pagekind.looks_like_gallery_url(url):
        if settings.reject_galleries:
            raise NotAnArticle(url, "gallery", f"{len(cleaned.text)} characters of captions")
        return _captions(url, tree, cleaned)
    reason = pagekind.listing_reason_from_text(cleaned.lines) or pagekind.listing_reason_from_tree(
        tree,
        cleaned.text,
        max_block_chars=settings.listing_max_block_chars,
        min_chars=settings.min_chars,
    )
    if reason:
        raise NotAnArticle(url, reason, "the body reads like a list of teasers")
    if not cleaned.text:
        raise NotAnArticle(url, "no_text")
    if len(cleaned.text) < settings.min_chars:
        raise NotAnArticle(url, "too_short", f"{len(cleaned.text)} < {settings.min_chars}")
    return cleaned


def _captions(url: str, tree: HtmlElement, cleaned: CleanedText) -> CleanedText:
    caption = clean_text(gallery_caption(tree, cleaned.text)).text
    if not caption:
        raise NotAnArticle(url, "no_text", "a photo page without captions")
    logger.debug("photo page %s kept with %d characters of captions", url, len(caption))
    return replace(cleaned, text=caption)
