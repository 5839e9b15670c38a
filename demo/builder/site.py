"""The whole demo: every outlet's files under ``web/<host>/`` and the seeds as a JSONL import."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from builder.articles import DemoArticle, build_articles
from builder.feeds import atom_feed, news_sitemap, robots_txt, rss_feed, sitemap_index
from builder.model import Outlet, Theme, load_articles, load_outlets, load_theme
from builder.pages import render_article, render_index

__all__ = ["build_site", "site_files"]

Feed = Callable[[Outlet, list[DemoArticle]], str]
FEEDS: dict[str, Feed] = {"rss": rss_feed, "atom": atom_feed, "sitemap": news_sitemap}


def _file_path(host: str, url_path: str) -> str:
    """``/feed/`` -> ``<host>/feed/index.html``: the layout the fetcher's snapshot mode reads."""
    path = url_path.lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return f"web/{host}/{path}"


def _outlet_files(outlet: Outlet, theme: Theme, articles: list[DemoArticle]) -> dict[str, str]:
    files = {
        _file_path(outlet.host, "/robots.txt"): robots_txt(outlet, theme.parts["robots"]),
        _file_path(outlet.host, "/"): render_index(outlet, theme, articles),
        _file_path(outlet.host, outlet.feed_path): FEEDS[outlet.feed](outlet, articles),
    }
    if outlet.feed == "sitemap":
        files[_file_path(outlet.host, "/sitemap.xml")] = sitemap_index(outlet, articles)
    for article in articles:
        files[_file_path(outlet.host, article.spec.path)] = render_article(article, theme)
    return files


def _seeds_jsonl(articles: list[DemoArticle], seeds_dir: Path) -> str:
    """The seed articles in the import format: the seed text as saved, minus a leading title."""
    lines = []
    for article in articles:
        if article.spec.seed is None:
            continue
        (seed_file,) = seeds_dir.glob(f"{article.spec.seed}_*.txt")
        text = seed_file.read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        record = {
            "url": article.url,
            "title": article.title,
            "outlet": article.outlet.host,
            "published_at": article.spec.published.isoformat(),
            "text": rest if first == article.title else text,
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


def site_files(demo_dir: Path) -> dict[str, str]:
    """Every generated file, by path relative to the output folder, with its text."""
    outlets = load_outlets(demo_dir / "outlets.toml")
    themes = {
        name: load_theme(demo_dir / "themes" / name) for name in {o.theme for o in outlets.values()}
    }
    specs = load_articles(demo_dir / "articles.toml", outlets)
    articles = build_articles(specs, outlets, demo_dir / "seeds")
    files: dict[str, str] = {}
    for host, outlet in outlets.items():
        own = [a for a in articles if a.spec.host == host]
        files.update(_outlet_files(outlet, themes[outlet.theme], own))
    files["seeds.jsonl"] = _seeds_jsonl(articles, demo_dir / "seeds")
    return files


def build_site(demo_dir: Path, out_dir: Path) -> list[Path]:
    """Write the demo into ``out_dir`` (``web/`` is replaced whole); return the files written."""
    files = site_files(demo_dir)
    shutil.rmtree(out_dir / "web", ignore_errors=True)
    written = []
    for relative, text in sorted(files.items()):
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        written.append(target)
    return written
