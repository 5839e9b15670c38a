"""Deterministic article pages for the fetch benchmark, built from IndoSum texts.

Each page wraps one real article (CC BY-SA 4.0, see README.md) in typical news-site chrome:
navigation, breadcrumbs, a "Baca Juga" box, related links and a footer, so extraction does
real work.
"""

from __future__ import annotations

import gzip
import html
import json
from pathlib import Path

TEMPLATE = """<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{title} - {outlet}</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{url}"></head>
<body><header><nav><a href="/">Beranda</a> <a href="/kategori/politik">Politik</a>
<a href="/kategori/daerah">Daerah</a> <a href="/kategori/olahraga">Olahraga</a></nav></header>
<div class="breadcrumb">Home / Berita / Daerah</div>
<main><article><h1>{title}</h1><div class="meta">Penulis: Redaksi | {published}</div>
<div class="content">{body}</div></article>
<aside><h3>Berita Terkait</h3><ul>{related}</ul></aside></main>
<footer><p>&copy; 2024 {outlet}. Hak cipta dilindungi.</p>
<a href="/redaksi">Redaksi</a> <a href="/pedoman-media-siber">Pedoman Media Siber</a></footer>
</body></html>"""


def _title(text: str) -> str:
    first = text.strip().split("\n", 1)[0]
    return " ".join(first.split()[:12])


def _body(text: str) -> str:
    paragraphs = [p.replace("\n", " ").strip() for p in text.split("\n\n") if p.strip()]
    parts = [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    if len(parts) > 2:
        parts.insert(
            2, '<p class="baca"><strong>Baca Juga:</strong> <a href="/x">Berita lain</a></p>'
        )
    return "\n".join(parts)


def build_pages(
    articles: Path, count: int, hosts: list[str], port: int
) -> dict[tuple[str, str], bytes]:
    """``count`` pages from the IndoSum ``articles_flat.jsonl.gz`` file ``articles``, spread
    round-robin over ``hosts``: {(host, path): body}."""
    pages: dict[tuple[str, str], bytes] = {}
    with gzip.open(articles, "rt", encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= count:
                break
            record = json.loads(line)
            host = hosts[i % len(hosts)]
            path = f"/berita/{i:05d}.html"
            related = "".join(
                f'<li><a href="/berita/{(i + k) % count:05d}.html">Berita {k}</a></li>'
                for k in range(1, 6)
            )
            page = TEMPLATE.format(
                title=html.escape(_title(record["text"])),
                outlet=record["source"],
                published=record["id_timestamp_wib"],
                url=f"http://{host}:{port}{path}",
                body=_body(record["text"]),
                related=related,
            )
            pages[(host, path)] = page.encode("utf-8")
    return pages
