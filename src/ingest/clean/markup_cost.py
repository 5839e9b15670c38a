"""What a page's markup would cost to parse, checked before any parser sees it.

libxml2's HTML parser, under lxml, trafilatura and htmldate alike, takes time quadratic in the
number of attributes of one element and linear in the number of elements, in one C call that
nothing in the process can interrupt: a 280 KB page whose one ``<div>`` carries 20,000
attributes cost 5 s of CPU to extract (each of the page's several parses pays for it again),
60,000 attributes 131 s. So the markup is measured first, with one linear scan, and a page
past either bound is rejected (``too_complex``) without being parsed::

    check_markup(html, url, max_elements=50_000, max_attributes=1_000)  # NotAnArticle or None

The scan counts start tags and, in each tag long enough to hold more than ``max_attributes``
attributes, the attribute names outside quoted values (a quoted ``>`` does not end a tag, as
for the parser). The 68 real pages under ``tests/fixtures`` and the shared Indonesian set have
at most 2,153 elements and 136 attributes on one element (``bench/extraction/README.md``).
"""

from __future__ import annotations

import re

from ingest.errors import NotAnArticle

__all__ = ["TOO_COMPLEX", "TOO_LARGE", "check_markup", "check_size"]

#: The rejection reason of a page whose markup is past the bounds.
TOO_COMPLEX = "too_complex"

#: The rejection reason of a local page larger than a fetched page may be.
TOO_LARGE = "too_large"

#: A start tag: its name, then anything but ``>`` outside quoted values (possessive: linear).
_START_TAG = re.compile(r"""<[A-Za-z][^\s/>]*+(?:[^>"']++|"[^"]*+"|'[^']*+')*+""")

#: A quoted attribute value, removed before the names are counted.
_QUOTED = re.compile(r""""[^"]*+"|'[^']*+'""")

#: One attribute: its name and, if any, ``=`` and an unquoted value.
_ATTRIBUTE = re.compile(r"[^\s=/]++\s*+(?:=\s*+[^\s]*+)?+")


def _attributes(tag: str) -> int:
    """The attributes of a start tag (its name not counted)."""
    return max(len(_ATTRIBUTE.findall(_QUOTED.sub("v", tag))) - 1, 0)


def check_markup(html: str, url: str, *, max_elements: int, max_attributes: int) -> None:
    """NotAnArticle (``too_complex``) when ``html`` has more than ``max_elements`` start tags
    or an element with more than ``max_attributes`` attributes (0: no bound)."""
    if not max_elements and not max_attributes:
        return
    for elements, match in enumerate(_START_TAG.finditer(html), start=1):
        if max_elements and elements > max_elements:
            raise NotAnArticle(url, TOO_COMPLEX, f"over {max_elements:,} elements")
        tag = match.group()
        if max_attributes and len(tag) > 2 * max_attributes:
            count = _attributes(tag)
            if count > max_attributes:
                detail = f"an element with {count:,} attributes (at most {max_attributes:,})"
                raise NotAnArticle(url, TOO_COMPLEX, detail)


def check_size(size: int, where: str, *, max_bytes: int | None) -> None:
    """NotAnArticle (``too_large``) when a local page of ``size`` bytes is over ``max_bytes``
    (``fetch.max_bytes``, the cap of a fetched page; None: no cap)."""
    if max_bytes is not None and size > max_bytes:
        detail = f"{size:,} bytes, over the cap of {max_bytes:,} (fetch.max_bytes)"
        raise NotAnArticle(where, TOO_LARGE, detail)
