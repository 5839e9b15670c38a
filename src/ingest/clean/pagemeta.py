"""A page's title, author and site name, as trafilatura's ``extract_metadata`` reads them.

The same sources in the same order: ``<meta>`` elements of ``<head>`` (OpenGraph first), JSON-LD,
then headings and ``<title>`` for the title, the page's bylines for the author, ``<title>`` and
the address for the site name. Left out: what the project does not use (description, image,
categories, tags, licence, date) and the byline search over the whole page when no element
can name an author::

    metadata = read_metadata(tree, url)
    metadata.title, metadata.author, metadata.site_name
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import unescape

from courlan import is_valid_url
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    HTMLTITLE_REGEX,
    META_URL,
    METANAME_AUTHOR,
    METANAME_DESCRIPTION,
    METANAME_IMAGE,
    METANAME_PUBLISHER,
    METANAME_TITLE,
    OG_AUTHOR,
    OG_PROPERTIES,
    PROPERTY_AUTHOR,
    TWITTER_ATTRS,
    extract_author,
    extract_meta_json,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import HTML_STRIP_TAGS, line_processing, trim

__all__ = ["PageMetadata", "read_metadata"]

logger = logging.getLogger(__name__)

#: Every attribute value that trafilatura's byline search (AUTHOR_XPATHS) matches contains one
#: of these (its patterns are case-sensitive); the elements it matches by name are <author> and
#: <rel>.
_AUTHOR_MARKS = (
    "uthor", "yline", "byl", "BBL", "username", "screenname", "writer", "zuozhe", "bian",
    "channel-name", "ed-by", "journalist-name",
)  # fmt: skip
# Whether extract_meta_json has anything to read (it compiles its query at every call).
_HAS_JSON_LD = XPath(
    'boolean(.//script[@type="application/ld+json" or @type="application/settings+json"])'
)
_AUTHOR_ATTRIBUTES = XPath(
    "//@class|//@id|//@itemprop|//@rel|//@data-testid|//@data-component", smart_strings=False
)


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """A page's title, author and site name (``None`` when it names none)."""

    title: str | None
    author: str | None
    site_name: str | None


def read_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """The title, author and site name of the page parsed into ``tree``, found at ``url``."""
    found = _head_metadata(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = extract_meta_json(tree, found) if _HAS_JSON_LD(tree) else found
    except Exception as error:  # trafilatura's own guard: its JSON-LD reader can fail
        logger.debug("JSON-LD metadata of %s unreadable: %s", url, error)
    author = found.author
    if not author and _may_name_author(tree):
        author = extract_author(tree)
    return PageMetadata(
        title=_trimmed(found.title or extract_title(tree)),
        author=_trimmed(author),
        site_name=_trimmed(_site_name(tree, found, url)),
    )


def _head_metadata(tree: HtmlElement) -> Document:
    """What trafilatura's ``examine_meta`` finds for the title, author, site name and URL: the
    OpenGraph elements first, then the other ``<meta>`` elements of ``<head>`` in page order."""
    found = Document()
    others: list[HtmlElement] = []
    for meta in tree.iter("meta"):
        parent = meta.getparent()
        if parent is None or parent.tag != "head":
            continue
        if meta.get("property", "").startswith("og:"):
            _read_opengraph(meta, found)
        if "content" in meta.attrib:
            others.append(meta)
    backup_site = None
    for meta in others:
        content = HTML_STRIP_TAGS.sub("", meta.get("content", "")).strip()
        if content:
            backup_site = _read_meta(meta, content, found) or backup_site
    found.sitename = found.sitename or backup_site
    return found


def _read_opengraph(meta: HtmlElement, found: Document) -> None:
    """One OpenGraph element, as ``extract_opengraph`` reads it (the last one of a kind wins)."""
    name, content = meta.get("property"), meta.get("content")
    if not content or content.isspace():
        return
    field = OG_PROPERTIES.get(name or "")
    if field == "title":
        found.title = content
    elif field == "sitename":
        found.sitename = content
    elif field is None and name == "og:url" and is_valid_url(content):
        found.url = content
    elif field is None and name in OG_AUTHOR:
        found.author = normalize_authors(None, content)


def _read_meta(meta: HtmlElement, content: str, found: Document) -> str | None:
    """One other ``<meta>`` element, as ``examine_meta`` reads it; returns a fallback site name
    (twitter:site, application-name) if the element gives one."""
    if "property" in meta.attrib:
        kind = meta.get("property", "").lower()
        if kind in PROPERTY_AUTHOR:
            found.author = normalize_authors(found.author, content)
        elif kind == "article:publisher":
            found.sitename = found.sitename or content
    elif "name" in meta.attrib:
        return _read_named(meta.get("name", "").lower(), content, found)
    elif "itemprop" in meta.attrib:
        kind = meta.get("itemprop", "").lower()
        if kind == "author":
            found.author = normalize_authors(found.author, content)
        elif kind == "headline":
            found.title = found.title or content
    return None


def _read_named(name: str, content: str, found: Document) -> str | None:
    if name in METANAME_AUTHOR:
        found.author = normalize_authors(found.author, content)
    elif name in METANAME_TITLE:
        found.title = found.title or content
    elif name in METANAME_DESCRIPTION:
        pass
    elif name in METANAME_PUBLISHER:
        found.sitename = found.sitename or content
    elif name in METANAME_IMAGE:
        pass
    elif name in TWITTER_ATTRS or "twitter:app:name" in name:
        return content
    elif name == "twitter:url" and not found.url and is_valid_url(content):
        found.url = content
    return None


def _site_name(tree: HtmlElement, found: Document, url: str) -> str | None:
    """The declared site name, else the one in ``<title>``, else the host of the page."""
    name = found.sitename or _title_site(tree)
    if name:
        name = name.lstrip("@")
        return name.title() if name and "." not in name and not name[0].isupper() else name
    match = META_URL.match(found.url or extract_url(tree, url) or "")
    return match[1] if match else None


def _title_site(tree: HtmlElement) -> str | None:
    """``extract_sitename``: of the first ``<title>`` in ``<head>`` split at a separator ("...
    - Kompas.com"), the part that holds a dot."""
    for head in tree.iter("head"):
        for title in head.iter("title"):
            match = HTMLTITLE_REGEX.match(trim(title.text_content()))
            parts = (match[1], match[2]) if match else ()
            return next((part for part in parts if part and "." in part), None)
    return None


def _may_name_author(tree: HtmlElement) -> bool:
    """Whether trafilatura's byline search can find anything: an element it matches by name, or
    an attribute it reads holding one of the marks."""
    if next(tree.iter("author", "rel"), None) is not None:
        return True
    values = " ".join(_AUTHOR_ATTRIBUTES(tree))  # marks have no space: none spans two values
    return any(mark in values for mark in _AUTHOR_MARKS)


def _trimmed(value: str | None) -> str | None:
    """As trafilatura trims metadata: entities decoded, spaces collapsed, 10,000 characters."""
    if not value:
        return value
    if len(value) > 10000:
        value = value[:9999] + "…"
    return line_processing(unescape(value))
