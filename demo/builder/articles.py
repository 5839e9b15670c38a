"""The demo's articles, assembled: each spec with its outlet, body and the links around it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.content import Body, copy_body, seed_body, with_inline_links
from builder.model import ArticleSpec, DemoError, Outlet

__all__ = ["DemoArticle", "Link", "build_articles", "link_url", "slugify"]

EXCERPT_CHARS = 160


@dataclass(frozen=True, slots=True)
class Link:
    """A link to another article of the same site, as related lists and inline links show it."""

    title: str
    url: str
    section: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoArticle:
    """An article page of the demo. ``links`` are the other titles its page links to."""

    spec: ArticleSpec
    outlet: Outlet
    body: Body
    links: tuple[Link, ...]

    @property
    def url(self) -> str:
        return self.spec.url

    @property
    def title(self) -> str:
        return self.body.title

    @property
    def section(self) -> str:
        return self.spec.breadcrumbs[-1]

    @property
    def excerpt(self) -> str:
        """The start of the first paragraph, cut at a word, as feeds and home pages show it."""
        text = self.body.paragraphs[0]
        if len(text) <= EXCERPT_CHARS:
            return text
        return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " […]"


def slugify(title: str) -> str:
    """``"Rakor Lintas Sektoral, Sekda: Sinergi"`` -> ``"rakor-lintas-sektoral-sekda-sinergi"``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def link_url(outlet: Outlet, title: str, spec: ArticleSpec) -> str:
    """Where ``outlet`` would publish an article called ``title`` near ``spec``'s date."""
    path = outlet.link_path.format(
        slug=slugify(title), yyyy=spec.published.year, mm=f"{spec.published.month:02d}"
    )
    return f"https://{outlet.host}{path}"


def _bodies(specs: list[ArticleSpec], seeds_dir: Path) -> dict[str, Body]:
    bodies: dict[str, Body] = {}
    for spec in specs:
        if spec.seed is not None:
            matches = sorted(seeds_dir.glob(f"{spec.seed}_*.txt"))
            if len(matches) != 1:
                raise DemoError(f"article {spec.id}: expected one seeds/{spec.seed}_*.txt")
            bodies[spec.id] = seed_body(matches[0].read_text(encoding="utf-8"), spec)
        elif spec.copy_of in bodies:
            bodies[spec.id] = copy_body(bodies[spec.copy_of], spec)
        else:
            raise DemoError(f"article {spec.id}: copy_of {spec.copy_of!r} must come earlier")
    return bodies


def _links(spec: ArticleSpec, outlet: Outlet, siblings: Iterable[DemoArticle]) -> tuple[Link, ...]:
    own = [Link(a.title, a.url, a.section) for a in siblings if a.spec.id != spec.id]
    other = [
        Link(title, link_url(outlet, title, spec), section) for section, title in outlet.related
    ]
    return (*own, *other)


def build_articles(
    specs: list[ArticleSpec], outlets: dict[str, Outlet], seeds_dir: Path
) -> list[DemoArticle]:
    """Every article of ``specs`` with its body (inline links in place) and related links."""
    bodies = _bodies(specs, seeds_dir)
    bare = [DemoArticle(spec=s, outlet=outlets[s.host], body=bodies[s.id], links=()) for s in specs]
    articles = []
    for article in bare:
        siblings = [a for a in bare if a.spec.host == article.spec.host]
        articles.append(
            DemoArticle(
                spec=article.spec,
                outlet=article.outlet,
                body=with_inline_links(article.body, article.spec.inline_after),
                links=_links(article.spec, article.outlet, siblings),
            )
        )
    return articles
