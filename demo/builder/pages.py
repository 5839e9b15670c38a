"""HTML pages: an article in its outlet's theme, and each outlet's home page (not an article)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from html import escape
from urllib.parse import quote

from builder.articles import DemoArticle, Link, link_url, slugify
from builder.content import InlineLink, Paragraph
from builder.dates import indonesian_date
from builder.model import DemoError, Outlet, Theme

__all__ = ["render_article", "render_index"]


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _text(text: str) -> str:
    return escape(text, quote=False)


def _body_html(article: DemoArticle, theme: Theme) -> str:
    pool = iter(article.links)
    lines = []
    for block in article.body.blocks:
        if isinstance(block, Paragraph):
            lines.append(f"<p>{_text(block.text)}</p>")
            continue
        link = _inline_target(article, block, pool)
        label = block.label or theme.parts["inline_label"]
        lines.append(
            theme.parts["inline_link"].format(
                label=_text(label), url=_attr(link.url), title=_text(link.title)
            )
        )
    return "\n".join(lines)


def _inline_target(article: DemoArticle, block: InlineLink, pool: Iterator[Link]) -> Link:
    if block.title is not None:
        url = link_url(article.outlet, block.title, article.spec)
        return Link(block.title, url, article.section)
    try:
        return next(pool)
    except StopIteration:
        raise DemoError(
            f"article {article.spec.id}: more inline links than related titles"
        ) from None


def _breadcrumbs(article: DemoArticle, theme: Theme) -> str:
    names = article.spec.breadcrumbs
    crumbs = []
    for index, name in enumerate(names):
        url = article.outlet.home_url if index == 0 else _section_url(article.outlet, name)
        part = "crumb_last" if index == len(names) - 1 else "crumb"
        crumbs.append(theme.parts[part].format(url=_attr(url), name=_text(name)))
    return theme.parts["crumb_sep"].join(crumbs)


def _section_url(outlet: Outlet, section: str) -> str:
    return f"https://{outlet.host}" + outlet.category_path.format(
        slug=slugify(section), name=section
    )


def _share(article: DemoArticle, theme: Theme) -> str:
    url, title = quote(article.url, safe=""), quote(article.title, safe="")
    targets = (
        ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={url}"),
        ("twitter", "Twitter", f"https://twitter.com/intent/tweet?text={title}&url={url}"),
        ("whatsapp", "WhatsApp", f"https://api.whatsapp.com/send?text={title}%20{url}"),
    )
    return "".join(
        theme.parts["share_item"].format(key=key, label=label, href=_attr(href))
        for key, label, href in targets
    )


def _related(article: DemoArticle, theme: Theme) -> str:
    return "\n".join(
        theme.parts["related_item"].format(
            url=_attr(link.url),
            title=_text(link.title),
            section=_text(link.section),
            section_url=_attr(_section_url(article.outlet, link.section)),
        )
        for link in article.links
    )


def _image(article: DemoArticle) -> str:
    return f"https://{article.outlet.host}/images/{slugify(article.spec.id)}-{article.spec.published:%Y%m%d}.jpg"


def _figure(article: DemoArticle, theme: Theme) -> str:
    if not article.spec.caption:
        return ""
    caption = article.spec.caption
    return theme.parts["figure"].format(
        image=_image(article), alt=_attr(caption), caption=_text(caption)
    )


def _json_ld(article: DemoArticle) -> str:
    outlet, published = article.outlet, article.spec.published.isoformat()
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "url": article.url,
        "headline": article.title,
        "description": article.excerpt,
        "datePublished": published,
        "dateModified": published,
        "inLanguage": "id",
        "articleSection": article.section,
        "author": {"@type": "Person", "name": article.spec.author},
        "publisher": {"@type": "Organization", "name": outlet.name, "url": outlet.home_url},
    }
    return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")


def _dates(outlet: Outlet, article: DemoArticle) -> dict[str, str]:
    published = article.spec.published
    return {
        "published_iso": published.isoformat(),
        "published_text": indonesian_date(published, outlet.date_format, outlet.zone),
        "published_day": indonesian_date(published, "{day}, {d} {month} {yyyy}", outlet.zone),
    }


def _site(outlet: Outlet) -> dict[str, str]:
    return {
        "site_name": _text(outlet.name),
        "tagline": _text(outlet.tagline),
        "host": outlet.host,
        "home_url": outlet.home_url,
        "feed_url": outlet.feed_url,
        "address": _text(outlet.address),
        "copyright": _text(outlet.copyright),
    }


def render_article(article: DemoArticle, theme: Theme) -> str:
    """The article's page: chrome, metadata (canonical, og:, article:published_time, JSON-LD)
    and the body, whose paragraphs are the seed's lines verbatim in ``<p>`` elements."""
    outlet = article.outlet
    return theme.article.substitute(
        _site(outlet),
        **_dates(outlet, article),
        title=_text(article.title),
        title_attr=_attr(article.title),
        url=_attr(article.url),
        description=_attr(article.excerpt),
        author=_text(article.spec.author),
        section=_text(article.section),
        section_url=_attr(_section_url(outlet, article.section)),
        post_id=str(zlib.crc32(article.url.encode()) % 90000 + 10000),
        image=_attr(_image(article)),
        caption=_text(article.spec.caption),
        breadcrumbs=_breadcrumbs(article, theme),
        figure=_figure(article, theme),
        body=_body_html(article, theme),
        share=_share(article, theme),
        related=_related(article, theme),
        jsonld=_json_ld(article),
    )


def render_index(outlet: Outlet, theme: Theme, articles: list[DemoArticle]) -> str:
    """The outlet's home page: a listing of its articles, newest first."""
    newest = sorted(articles, key=lambda a: a.spec.published, reverse=True)
    items = "\n".join(
        theme.parts["index_item"].format(
            url=_attr(a.url),
            title=_text(a.title),
            excerpt=_text(a.excerpt),
            **_dates(outlet, a),
        )
        for a in newest
    )
    return theme.index.substitute(_site(outlet), items=items)
