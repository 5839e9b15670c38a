"""How crawlers reach the articles: RSS 2.0, Atom, news sitemaps and robots.txt."""

from __future__ import annotations

from email.utils import format_datetime
from xml.sax.saxutils import escape

from builder.articles import DemoArticle
from builder.model import Outlet

__all__ = ["atom_feed", "news_sitemap", "robots_txt", "rss_feed", "sitemap_index"]

GENERATOR = {
    "wordpress": "https://wordpress.org/?v=6.4.3",
    "jnews": "https://wordpress.org/?v=6.6.2",
}


def _newest_first(articles: list[DemoArticle]) -> list[DemoArticle]:
    return sorted(articles, key=lambda a: a.spec.published, reverse=True)


def _rss_item(article: DemoArticle) -> str:
    return f"""	<item>
		<title>{escape(article.title)}</title>
		<link>{escape(article.url)}</link>
		<dc:creator><![CDATA[{article.spec.author}]]></dc:creator>
		<pubDate>{format_datetime(article.spec.published)}</pubDate>
		<category><![CDATA[{article.section}]]></category>
		<guid isPermaLink="true">{escape(article.url)}</guid>
		<description><![CDATA[{article.excerpt}]]></description>
	</item>"""


def rss_feed(outlet: Outlet, articles: list[DemoArticle]) -> str:
    """A WordPress-style RSS 2.0 feed of ``articles``, newest first."""
    newest = _newest_first(articles)
    items = "\n".join(_rss_item(a) for a in newest)
    generator = GENERATOR.get(outlet.theme, f"https://{outlet.host}/")
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel>
	<title>{escape(outlet.name)}</title>
	<atom:link href="{escape(outlet.feed_url)}" rel="self" type="application/rss+xml" />
	<link>{escape(outlet.home_url)}</link>
	<description>{escape(outlet.tagline)}</description>
	<lastBuildDate>{format_datetime(newest[0].spec.published)}</lastBuildDate>
	<language>id</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>{escape(generator)}</generator>
{items}
</channel>
</rss>
"""


def _atom_entry(article: DemoArticle, blog_id: str) -> str:
    post_id = _stable_id(article.url)
    published = article.spec.published.isoformat(timespec="milliseconds")
    return f"""<entry><id>tag:blogger.com,1999:blog-{blog_id}.post-{post_id}</id>\
<published>{published}</published><updated>{published}</updated>\
<category scheme="http://www.blogger.com/atom/ns#" term="{escape(article.section)}"/>\
<title type="text">{escape(article.title)}</title>\
<summary type="text">{escape(article.excerpt)}</summary>\
<link rel="alternate" type="text/html" href="{escape(article.url)}" \
title="{escape(article.title)}"/>\
<author><name>{escape(article.spec.author)}</name></author></entry>"""


def _stable_id(text: str) -> int:
    """A stable 19-digit number for ``text`` (Blogger-style ids)."""
    value = 1469598103934665603
    for byte in text.encode():
        value = ((value ^ byte) * 1099511628211) % (1 << 63)
    return value


def atom_feed(outlet: Outlet, articles: list[DemoArticle]) -> str:
    """A Blogger-style Atom 1.0 feed of ``articles``, newest first."""
    newest = _newest_first(articles)
    blog_id = str(_stable_id(outlet.host))
    entries = "".join(_atom_entry(a, blog_id) for a in newest)
    updated = newest[0].spec.published.isoformat(timespec="milliseconds")
    return f"""<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' \
xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'>\
<id>tag:blogger.com,1999:blog-{blog_id}</id><updated>{updated}</updated>\
<title type='text'>{escape(outlet.name)}</title>\
<subtitle type='html'>{escape(outlet.tagline)}</subtitle>\
<link rel='self' type='application/atom+xml' href='{escape(outlet.feed_url)}'/>\
<link rel='alternate' type='text/html' href='{escape(outlet.home_url)}'/>\
<generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>\
<openSearch:totalResults>{len(newest)}</openSearch:totalResults>{entries}</feed>
"""


def _sitemap_url(article: DemoArticle, outlet: Outlet) -> str:
    published = article.spec.published.isoformat()
    return f"""  <url>
    <loc>{escape(article.url)}</loc>
    <lastmod>{published}</lastmod>
    <news:news>
      <news:publication>
        <news:name>{escape(outlet.name)}</news:name>
        <news:language>id</news:language>
      </news:publication>
      <news:publication_date>{published}</news:publication_date>
      <news:title>{escape(article.title)}</news:title>
    </news:news>
  </url>"""


def news_sitemap(outlet: Outlet, articles: list[DemoArticle]) -> str:
    """A Google News sitemap of ``articles`` with ``lastmod``, newest first."""
    urls = "\n".join(_sitemap_url(a, outlet) for a in _newest_first(articles))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>
"""


def sitemap_index(outlet: Outlet, articles: list[DemoArticle]) -> str:
    """A sitemap index that points to the news sitemap."""
    lastmod = _newest_first(articles)[0].spec.published.isoformat()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap>
    <loc>{escape(outlet.feed_url)}</loc>
    <lastmod>{lastmod}</lastmod>
  </sitemap>
</sitemapindex>
"""


def robots_txt(outlet: Outlet, rules: str) -> str:
    """The theme's robots rules, plus the sitemap index for outlets that publish one."""
    text = rules.strip() + "\n"
    if outlet.feed == "sitemap":
        text += f"\nSitemap: https://{outlet.host}/sitemap.xml\n"
    return text
