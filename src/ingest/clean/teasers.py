"""Teaser cards: how much of a page's body sits next to a link to another page with its own
headline, as the teasers of a home, section or index page do.

A card is the largest element around a headline link (``min_words`` words or more, to another
address) that holds no headline link to a third page: the teaser's title, image, stamp and
excerpt. An article's body is not in one: its paragraphs sit together in a block far larger
than a teaser, whatever "Baca juga" link it holds::

    found = teaser_cards(tree, cleaned.lines, url=url, min_words=4, max_chars=600)
    found.cards, found.share
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from lxml.html import HtmlElement

__all__ = ["Teasers", "teaser_cards"]

_NON_WORD = re.compile(r"\W+")
_SEPARATOR = "\x00"
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# A teaser's title may follow a category label or a stamp: "Politik | 2 jam lalu".
_TITLE_START = 40


@dataclass(frozen=True, slots=True)
class Teasers:
    """How many distinct teaser cards hold body lines, and the share of the body's characters
    they hold."""

    cards: int
    share: float


def teaser_cards(
    tree: HtmlElement, lines: list[str], *, url: str, min_words: int, max_chars: int
) -> Teasers:
    """The teaser cards (at most ``max_chars`` characters each) that hold lines of the body."""
    total = sum(len(line) for line in lines)
    if not total:
        return Teasers(cards=0, share=0.0)
    cards = _cards(tree, url, min_words, max_chars)
    if not cards:
        return Teasers(cards=0, share=0.0)
    texts = [_norm(card.text_content()) for card in cards]
    joined = _SEPARATOR.join(texts)
    starts = [0]
    for text in texts[:-1]:
        starts.append(starts[-1] + len(text) + 1)
    held: set[int] = set()
    chars = 0
    for line in lines:
        wanted = _norm(line)
        position = joined.find(wanted) if wanted else -1
        if position < 0:
            continue
        held.add(bisect_right(starts, position) - 1)
        chars += len(line)
    return Teasers(cards=len(held), share=chars / total)


def _cards(tree: HtmlElement, url: str, min_words: int, max_chars: int) -> list[HtmlElement]:
    """The card around each headline link to another page, counting the addresses each
    ancestor links to with a headline."""
    page = urldefrag(url)[0]
    targets: dict[HtmlElement, set[str]] = {}
    links: list[HtmlElement] = []
    for link in tree.iter("a"):
        target = _target(link, page, min_words)
        if target is None:
            continue
        links.append(link)
        node: HtmlElement | None = link
        while node is not None:
            targets.setdefault(node, set()).add(target)
            node = node.getparent()
    cards: dict[HtmlElement, None] = {}
    for link in links:
        card = link
        parent = card.getparent()
        while parent is not None and len(targets[parent]) == 1:
            card, parent = parent, parent.getparent()
        if _headed_by(link, card, max_chars):
            cards[card] = None
    return list(cards)


def _headed_by(link: HtmlElement, card: HtmlElement, max_chars: int) -> bool:
    """Whether ``card`` is a teaser small enough whose title is ``link``: a heading, or the
    card's opening words (a "BACA JUGA" link inside an article's paragraphs is neither)."""
    text = card.text_content()
    if len(text) > max_chars:
        return False
    if next(link.iter(_HEADINGS), None) is not None:
        return True
    if next(link.iterancestors(_HEADINGS), None) is not None:
        return True  # a heading above the link is inside its card: the card grew past it
    title = _norm(link.text_content())
    return 0 <= _norm(text).find(title) <= _TITLE_START


def _target(link: HtmlElement, page: str, min_words: int) -> str | None:
    """The address ``link`` leads to with a headline, if it leads to another page."""
    href = (link.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    if len(link.text_content().split()) < min_words:
        return None
    target = urldefrag(urljoin(page, href))[0]
    return None if target == page else target


def _norm(text: str) -> str:
    return _NON_WORD.sub(" ", text).strip().casefold()
