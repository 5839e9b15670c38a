"""The demo's sites: entry points reach every article, pages carry the metadata real ones do."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from lxml import html

from ingest.config import load_settings
from tests.demo.conftest import REPO, WEB, entry_points, snapshot_file

MONTHS = (
    *("Januari", "Februari", "Maret", "April", "Mei", "Juni"),
    *("Juli", "Agustus", "September", "Oktober", "November", "Desember"),
)
ARTICLE_COUNT = 7  # five seeds and two republished copies (demo/README.md)


def _page(url: str) -> html.HtmlElement:
    return html.fromstring(snapshot_file(url).read_bytes())


def _meta(page: html.HtmlElement, prop: str) -> str:
    (value,) = page.xpath(f"//meta[@property='{prop}' or @name='{prop}']/@content")
    return str(value)


def _json_ld(page: html.HtmlElement) -> dict[str, str]:
    (script,) = page.xpath("//script[@type='application/ld+json']/text()")
    data: dict[str, str] = json.loads(script)
    return data


def test_default_config_serves_the_demo_without_network() -> None:
    settings = load_settings(REPO / "config", environ={})
    assert settings.fetch.snapshot_dir == WEB.resolve()
    assert settings.fetch.per_host_delay == 0
    hosts = {urlsplit(s.url or "").hostname for s in settings.sources}
    assert hosts == {p.name for p in WEB.iterdir() if p.is_dir()}


def test_every_entry_point_exists_and_offers_only_articles(source_urls: list[str]) -> None:
    for url in source_urls:
        assert snapshot_file(url).is_file(), url
        entries = entry_points(url)
        assert entries, f"{url} offers nothing"
        for link, published in entries:
            assert snapshot_file(link).is_file(), f"{url} points to missing {link}"
            assert published, f"{url}: {link} has no date"


def test_the_demo_offers_seven_distinct_articles(article_urls: list[str]) -> None:
    assert len(article_urls) == ARTICLE_COUNT
    assert len(set(article_urls)) == ARTICLE_COUNT


def test_kukarkab_sitemap_index_reaches_the_news_sitemap() -> None:
    via_index = entry_points("https://kukarkab.go.id/sitemap.xml")
    direct = entry_points("https://kukarkab.go.id/sitemap-news.xml")
    assert via_index == direct and len(direct) == 2
    for _, lastmod in direct:
        assert lastmod is not None and datetime.fromisoformat(lastmod).utcoffset() is not None


def test_article_pages_carry_title_time_and_canonical(article_urls: list[str]) -> None:
    for url in article_urls:
        page = _page(url)
        assert page.xpath("//link[@rel='canonical']/@href") == [url]
        assert _meta(page, "og:url") == url
        title = _meta(page, "og:title")
        assert title and title in page.findtext(".//title")
        assert [h.text_content() for h in page.xpath("//h1")] == [title]
        published = datetime.fromisoformat(_meta(page, "article:published_time"))
        assert published.utcoffset() is not None
        ld = _json_ld(page)
        assert ld["@type"] == "NewsArticle" and ld["headline"] == title
        assert datetime.fromisoformat(ld["datePublished"]) == published
        assert any(form in page.text_content() for form in _written_dates(published)), url


def test_article_pages_have_the_chrome_real_sites_have(article_urls: list[str]) -> None:
    for url in article_urls:
        page = _page(url)
        text = page.text_content()
        assert "Share :" in text, url
        for network in ("facebook.com/sharer", "twitter.com/intent", "api.whatsapp.com"):
            assert page.xpath(f"//a[contains(@href, '{network}')]"), (url, network)
        assert len(page.xpath("//nav//a | //ul[contains(@class, 'menu')]//a")) >= 5, url
        assert any(_in_footer(e) for e in page.xpath("//*[contains(text(), '©')]")), url
        inline = [p for p in page.xpath("//p | //div | //aside") if _is_inline_link(p)]
        assert inline, f"{url}: no inline related link"
        own_site = "https://" + urlsplit(url).netloc
        assert len({a for a in page.xpath("//a/@href") if a.startswith(own_site)}) >= 4, url


def _written_dates(moment: datetime) -> tuple[str, ...]:
    """The ways Indonesian sites write a date: "3 September 2024", "03 September 2024",
    "03/09/2024"."""
    month = MONTHS[moment.month - 1]
    return (
        f"{moment.day} {month} {moment.year}",
        f"{moment.day:02d} {month} {moment.year}",
        f"{moment.day:02d}/{moment.month:02d}/{moment.year}",
    )


def _in_footer(element: html.HtmlElement) -> bool:
    return any(a.tag == "footer" or "footer" in a.get("class", "") for a in element.iterancestors())


def _is_inline_link(element: html.HtmlElement) -> bool:
    label = (element.text_content() or "").strip().lower()
    return label.startswith(("baca juga", "bacajuga", "simak juga")) and bool(element.xpath(".//a"))


@pytest.mark.parametrize("host", sorted(p.name for p in WEB.iterdir() if p.is_dir()))
def test_home_page_is_a_listing_not_an_article(host: str, article_urls: list[str]) -> None:
    page = _page(f"https://{host}/")
    assert _meta(page, "og:type") == "website"
    assert not page.xpath("//meta[@property='article:published_time']")
    own = [u for u in article_urls if urlsplit(u).hostname == host]
    links = set(page.xpath("//a/@href"))
    assert own and set(own) <= links


@pytest.mark.parametrize("host", sorted(p.name for p in WEB.iterdir() if p.is_dir()))
def test_robots_allows_the_articles_and_feeds(host: str, source_urls: list[str]) -> None:
    robots = RobotFileParser()
    robots.parse((WEB / host / "robots.txt").read_text(encoding="utf-8").splitlines())
    user_agent = load_settings(REPO / "config", environ={}).fetch.user_agent
    urls = [u for u in source_urls if urlsplit(u).hostname == host]
    urls += [link for u in urls for link, _ in entry_points(u)]
    assert urls
    for url in urls:
        assert robots.can_fetch(user_agent, url), url
    lines = (WEB / host / "robots.txt").read_text(encoding="utf-8").splitlines()
    blocked = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow:")]
    assert any(p and not robots.can_fetch(user_agent, f"https://{host}{p}") for p in blocked)


def test_feed_files_are_where_the_snapshot_serves_them() -> None:
    # /feed/ is served from feed/index.html, as on a WordPress site behind a static mirror.
    for url in ("https://mediaetam.com/feed/", "https://eksposisi.com/feed/"):
        assert snapshot_file(url) == WEB / urlsplit(url).netloc / "feed" / "index.html"
        assert snapshot_file(url).read_bytes().startswith(b"<?xml")


def test_pages_are_utf8_without_replacement_characters() -> None:
    for path in WEB.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8")
            assert "\ufffd" not in text, path
