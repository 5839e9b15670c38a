"""The demo's data: outlets, themes and article specifications, read from TOML.

Each record is a frozen dataclass; loading checks the keys so a typo fails with the file and key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from string import Template
from typing import Any

__all__ = [
    "ArticleSpec",
    "DemoError",
    "Outlet",
    "Theme",
    "load_articles",
    "load_outlets",
    "load_theme",
]

FEED_KINDS = ("rss", "atom", "sitemap")


class DemoError(Exception):
    """The demo's data files are inconsistent; the message names the file and the key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Outlet:
    """A news site of the demo. Paths are URL paths on ``host``."""

    host: str
    name: str
    theme: str
    feed: str
    feed_path: str
    tagline: str
    zone: str
    date_format: str
    link_path: str
    category_path: str
    address: str
    copyright: str
    related: tuple[tuple[str, str], ...]
    """(section, title) of articles the site links to that are not part of the demo."""

    @property
    def home_url(self) -> str:
        return f"https://{self.host}/"

    @property
    def feed_url(self) -> str:
        return f"https://{self.host}{self.feed_path}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    """A site's markup: the article and home page templates and the small parts between."""

    name: str
    article: Template
    index: Template
    parts: dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleSpec:
    """One article of the demo: a seed text on its outlet, or an edited copy of another article."""

    id: str
    host: str
    path: str
    published: datetime
    author: str
    breadcrumbs: tuple[str, ...]
    seed: str | None = None
    copy_of: str | None = None
    title: str | None = None
    caption: str = ""
    body_from: str | None = None
    body_to: str | None = None
    inline_after: tuple[int, ...] = ()
    replace: tuple[tuple[str, str], ...] = ()
    drop: tuple[int, ...] = ()
    trim: tuple[tuple[int, int], ...] = ()
    append: tuple[str, ...] = field(default_factory=tuple)

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"


def _read(path: Path, key: str) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        entries = tomllib.load(handle).get(key, [])
    if not isinstance(entries, list) or not entries:
        raise DemoError(f"{path}: expected a non-empty [[{key}]] list")
    return entries


def _check_keys(path: Path, entry: dict[str, Any], cls: type[Any]) -> None:
    unknown = set(entry) - {f.name for f in fields(cls)}
    if unknown:
        raise DemoError(f"{path}: unknown keys {sorted(unknown)} in {entry.get('id', entry)!r}")


def _tuples(value: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(item) for item in value)


def load_outlets(path: Path) -> dict[str, Outlet]:
    """The outlets of ``outlets.toml`` by host."""
    outlets: dict[str, Outlet] = {}
    for entry in _read(path, "outlets"):
        _check_keys(path, entry, Outlet)
        if entry.get("feed") not in FEED_KINDS:
            raise DemoError(f"{path}: {entry.get('host')}: feed must be one of {FEED_KINDS}")
        outlet = Outlet(**{**entry, "related": _tuples(entry.get("related", []))})
        outlets[outlet.host] = outlet
    return outlets


def load_theme(folder: Path) -> Theme:
    """The theme in ``folder``: ``article.html``, ``index.html`` and ``parts.toml``."""
    with (folder / "parts.toml").open("rb") as handle:
        parts = {key: str(value) for key, value in tomllib.load(handle).items()}
    return Theme(
        name=folder.name,
        article=Template((folder / "article.html").read_text(encoding="utf-8")),
        index=Template((folder / "index.html").read_text(encoding="utf-8")),
        parts=parts,
    )


def load_articles(path: Path, outlets: dict[str, Outlet]) -> list[ArticleSpec]:
    """The article specifications of ``articles.toml``, in file order."""
    specs: list[ArticleSpec] = []
    for entry in _read(path, "articles"):
        _check_keys(path, entry, ArticleSpec)
        if entry.get("host") not in outlets:
            raise DemoError(f"{path}: {entry.get('id')}: unknown host {entry.get('host')!r}")
        if (entry.get("seed") is None) == (entry.get("copy_of") is None):
            raise DemoError(f"{path}: {entry.get('id')}: give exactly one of seed, copy_of")
        values = {
            **entry,
            "published": datetime.fromisoformat(entry["published"]),
            "breadcrumbs": tuple(entry["breadcrumbs"]),
            "inline_after": tuple(entry.get("inline_after", ())),
            "replace": _tuples(entry.get("replace", [])),
            "drop": tuple(entry.get("drop", ())),
            "trim": _tuples(entry.get("trim", [])),
            "append": tuple(entry.get("append", ())),
        }
        specs.append(ArticleSpec(**values))
    return specs
