"""A labelled page set built deterministically from IndoSum texts, in real-looking templates.

Articles (each with its expected body, publication time and whether it is short):
- ``div_paragraphs``: each paragraph in its own ``<div>``, none of 400 characters (wowkeren,
  kumparan);
- ``box_split``: the body container closed before a "BACA JUGA" box and opened again after it
  (jpnn);
- ``list_article``: the text followed by numbered items and "Label: value" lines;
- ``jsonld_only``: the time of day stated only in JSON-LD (tempo, antaranews, kumparan), the
  page printing the date alone;
- ``feed_time``: the page states the day, the feed entry the time (given as the hint);
- ``time_element``: the time in the article's ``<time datetime>``;
- ``brief``: a short article (under 250 characters) with a dateline and og:type=article.

Non-articles: section pages of teaser cards (a headline link, a stamp and an excerpt each),
columns of stamped headlines, and home pages showing one or two teasers, built from the same
texts; the saved listing pages of ``indonesian-html-anpandu`` and the demo's home pages are
added by the runner. Nothing derived from IndoSum is written to disk: pages are built at run
time from the IndoSum file given (CC BY-SA 4.0, Kurniawan & Louvan, IALP 2018).
"""

from __future__ import annotations

import gzip
import html
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

TEMPLATES = (
    "div_paragraphs",
    "box_split",
    "list_article",
    "jsonld_only",
    "feed_time",
    "time_element",
    "brief",
)
_RELATED_LINE = re.compile(
    r"^\W*(?:baca\s*juga|simak\s*juga|lihat\s*juga|tonton\s*juga|berita\s*terkait)\b", re.I
)
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
_WIB = timezone(timedelta(hours=7))
_PLACES = ("JAKARTA", "TENGGARONG", "SAMARINDA", "BANDUNG", "SURABAYA", "MEDAN", "MAKASSAR")


@dataclass(frozen=True, slots=True)
class Page:
    """One labelled page: ``expected`` is the body without what cleaning removes on purpose
    (dateline and credits kept apart, related-link lines); ``None`` for non-articles."""

    url: str
    html: str
    template: str
    expected: str | None = None
    published: datetime | None = None
    hint: datetime | None = None
    short: bool = False


def read_indosum(path: Path, count: int) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for _, line in zip(range(count), handle, strict=False)]
    return rows


def build(rows: list[dict[str, str]], *, seed: int = 15, listings: int = 300) -> list[Page]:
    """Articles in turn in each template, then ``listings`` non-article pages."""
    rng = random.Random(seed)
    pages = [_article(i, row, TEMPLATES[i % len(TEMPLATES)], rng) for i, row in enumerate(rows)]
    pages += [_listing(i, rows, rng) for i in range(listings)]
    return pages


def _paragraphs(text: str) -> list[str]:
    blocks = [" ".join(b.split()) for b in text.split("\n\n")]
    return [b for b in blocks if b and not _RELATED_LINE.match(b)]


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", paragraph) if s]


def _title(paragraphs: list[str]) -> str:
    words = re.sub(r"[^\w\s-]", "", paragraphs[0]).split()[:10]
    return " ".join(w.capitalize() if i == 0 else w for i, w in enumerate(words))


def _published(row: dict[str, str]) -> datetime:
    """The row's time in WIB (the full file gives it; the tests' sample only in UTC)."""
    stated = row.get("id_timestamp_wib") or row["id_timestamp_utc"]
    return datetime.fromisoformat(stated).astimezone(_WIB)


def _stamp(when: datetime, *, with_time: bool = True) -> str:
    day = f"{_DAYS[when.weekday()]}, {when.day} {_MONTHS[when.month - 1]} {when.year}"
    return f"{day} {when:%H:%M} WIB" if with_time else day


def _article(i: int, row: dict[str, str], template: str, rng: random.Random) -> Page:
    host = f"{row['source'].replace(' ', '')}.test"
    url = f"https://www.{host}/berita/{i:05d}/{row['id'][:40]}"
    published = _published(row).replace(second=0)
    paragraphs = _paragraphs(row["text"])
    if template == "brief":
        paragraphs = _brief(paragraphs)
    title = _title(paragraphs)
    body, extra = _BODIES[template](paragraphs, rng)
    head, byline, hint = _dating(template, published, title)
    page = _chrome(host, title, head, f"{byline}{body}", rng)
    expected = "\n".join([*paragraphs, *extra])
    return Page(
        url=url, html=page, template=template, expected=expected, published=published,
        hint=hint, short=len(expected) < 250,
    )  # fmt: skip


def _brief(paragraphs: list[str]) -> list[str]:
    """The first sentences (under 230 characters) of the first paragraph that is not a photo
    credit ("Tesla (Foto: Tesla)") or an outlet's name."""
    lead = next((p for p in paragraphs if len(p) >= 60), paragraphs[0])
    sentences = _sentences(lead)
    text = sentences[0]
    for sentence in sentences[1:]:
        if len(text) + len(sentence) + 1 >= 230:
            break
        text = f"{text} {sentence}"
    return [text[:229].rsplit(" ", 1)[0] + "." if len(text) >= 230 else text]


def _dating(template: str, when: datetime, title: str) -> tuple[str, str, datetime | None]:
    """The <head> elements, the byline above the body and the feed's time for a template."""
    iso = when.isoformat()
    meta = f'<meta property="article:published_time" content="{iso}">'
    og = '<meta property="og:type" content="article">'
    if template == "jsonld_only":
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "datePublished": iso, "author": {"@type": "Person", "name": "Redaksi"},
        }  # fmt: skip
        script = f'<script type="application/ld+json">{json.dumps(data)}</script>'
        return og + script, f'<div class="date">{_stamp(when, with_time=False)}</div>', None
    if template == "feed_time":
        day = f'<meta property="article:published_time" content="{when.date().isoformat()}">'
        return og + day, f'<div class="date">{_stamp(when, with_time=False)}</div>', when
    if template == "time_element":
        stamp = f'<time datetime="{iso}">{_stamp(when)}</time>'
        return og, f'<div class="byline">Penulis: Redaksi | {stamp}</div>', None
    return og + meta, f'<div class="byline">Penulis: Redaksi | {_stamp(when)}</div>', None


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _div_paragraphs(paragraphs: list[str], rng: random.Random) -> tuple[str, list[str]]:
    """Each paragraph cut into pieces under 400 characters, each in its own <div>."""
    del rng
    pieces: list[str] = []
    for paragraph in paragraphs:
        current = ""
        for sentence in _sentences(paragraph):
            if current and len(current) + len(sentence) >= 380:
                pieces.append(current)
                current = ""
            current = f"{current} {sentence}".strip()
        pieces.append(current)
    divs = "".join(f'<div class="text">{html.escape(p)}</div>' for p in pieces)
    return f'<div class="detail-text">{divs}</div>', []


def _box_split(paragraphs: list[str], rng: random.Random) -> tuple[str, list[str]]:
    at = max(1, min(len(paragraphs) - 1, rng.randint(1, 4)))
    titles = (
        "Mendagri Minta Kepala Daerah Siapkan Anggaran Pilkada",
        "KPU Umumkan Jadwal Tahapan Pilkada Serentak",
    )
    items = "".join(f'<li><a href="/news/{rng.randint(1000, 9999)}">{t}</a></li>' for t in titles)
    box = f'<div class="baca-juga"><span>BACA JUGA:</span><ul>{items}</ul></div>'
    first = "".join(_p(p) for p in paragraphs[:at])
    second = "".join(_p(p) for p in paragraphs[at:])
    return (
        f'<div class="page-content">{first}</div>{box}<div class="page-content">{second}</div>',
        [],
    )


_ITEMS = (
    ("Lokasi", "Tenggarong, tepi Sungai Mahakam"),
    ("Harga tiket", "Rp 15.000 per orang"),
    ("Jam buka", "08.00-17.00 WITA"),
    ("Kontak", "0541 661234"),
)


def _list_article(paragraphs: list[str], rng: random.Random) -> tuple[str, list[str]]:
    lines: list[str] = []
    for number in range(1, rng.randint(2, 4) + 1):
        lines.append(f"{number}. Tempat wisata nomor {number}")
        lines += [f"{label}: {value}" for label, value in _ITEMS[: rng.randint(2, 4)]]
    body = "".join(_p(p) for p in paragraphs) + "".join(_p(line) for line in lines)
    return f'<div class="entry-content">{body}</div>', lines


def _plain(paragraphs: list[str], rng: random.Random) -> tuple[str, list[str]]:
    del rng
    inline = '<p><strong>Baca Juga:</strong> <a href="/x">Berita lain hari ini di kota</a></p>'
    parts = [_p(p) for p in paragraphs]
    if len(parts) > 2:
        parts.insert(2, inline)
    return f'<div class="entry-content">{"".join(parts)}</div>', []


def _brief_body(paragraphs: list[str], rng: random.Random) -> tuple[str, list[str]]:
    place = rng.choice(_PLACES)
    return f'<div class="detail"><p>{place} – {html.escape(paragraphs[0])}</p></div>', []


_Body = Callable[[list[str], random.Random], tuple[str, list[str]]]
_BODIES: dict[str, _Body] = {
    "div_paragraphs": _div_paragraphs,
    "box_split": _box_split,
    "list_article": _list_article,
    "jsonld_only": _plain,
    "feed_time": _plain,
    "time_element": _plain,
    "brief": _brief_body,
}


def _sidebar(rng: random.Random) -> str:
    items = "".join(
        f'<li><a href="/berita/{rng.randint(10000, 99999)}/populer">Berita terpopuler nomor '
        f"{n} yang banyak dibaca hari ini</a></li>"
        for n in range(1, 9)
    )
    return f'<aside class="sidebar"><h3>Terpopuler</h3><ol>{items}</ol></aside>'


def _chrome(host: str, title: str, head: str, body: str, rng: random.Random) -> str:
    related = "".join(
        f'<li><a href="/berita/{rng.randint(10000, 99999)}/terkait">Berita terkait nomor {n} '
        f"tentang kabar daerah terbaru</a></li>"
        for n in range(1, 5)
    )
    return (
        f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} - {host}</title>"
        f'<meta property="og:title" content="{html.escape(title)}">{head}</head><body>'
        f'<header><nav><a href="/">Beranda</a> <a href="/nasional">Nasional</a> '
        f'<a href="/daerah">Daerah</a> <a href="/olahraga">Olahraga</a></nav></header>'
        f'<div class="breadcrumb"><a href="/">Home</a> / <a href="/daerah">Daerah</a></div>'
        f"<main><article><h1>{html.escape(title)}</h1>{body}"
        f'<div class="share">Share : Facebook Twitter WhatsApp</div></article>'
        f'<section class="related"><h3>Berita Terkait</h3><ul>{related}</ul></section></main>'
        f"{_sidebar(rng)}<footer><p>&copy; 2024 {host}. Hak cipta dilindungi.</p>"
        f'<a href="/redaksi">Redaksi</a> <a href="/pedoman">Pedoman Media Siber</a></footer>'
        f"</body></html>"
    )


def _listing(i: int, rows: list[dict[str, str]], rng: random.Random) -> Page:
    kind = ("cards", "stamped", "home")[i % 3]
    count = {"cards": rng.randint(6, 15), "stamped": rng.randint(8, 20), "home": rng.randint(1, 2)}
    chosen = rng.sample(rows, count[kind])
    teasers = "".join(_TEASERS[kind](row, rng) for row in chosen)
    host = f"{chosen[0]['source'].replace(' ', '')}.test"
    og = "website" if kind != "cards" or i % 2 else "article"  # some sections say "article"
    head = f'<meta property="og:type" content="{og}">'
    section = f"Berita {rng.choice(['Nasional', 'Daerah', 'Olahraga', 'Kukar', 'Politik'])}"
    body = f'<section class="list">{teasers}</section>'
    url = f"https://www.{host}/{section.split()[1].lower()}-{i}"
    return Page(url=url, html=_chrome(host, section, head, body, rng), template=f"listing_{kind}")


def _teaser(row: dict[str, str], rng: random.Random, *, excerpt: bool) -> Iterator[str]:
    paragraphs = _paragraphs(row["text"])
    title = html.escape(_title(paragraphs))
    link = f"/berita/{rng.randint(10000, 99999)}/{row['id'][:30]}"
    when = _published(row)
    yield f'<div class="card"><a href="{link}"><img src="{link}.jpg" alt=""></a>'
    yield f'<h2><a href="{link}">{title}</a></h2><span class="date">{_stamp(when)}</span>'
    if excerpt:
        yield f"<p>{html.escape(paragraphs[0][:160].rsplit(' ', 1)[0])} [&hellip;]</p>"
    yield "</div>"


def _cards(row: dict[str, str], rng: random.Random) -> str:
    return "".join(_teaser(row, rng, excerpt=True))


def _stamped(row: dict[str, str], rng: random.Random) -> str:
    return "".join(_teaser(row, rng, excerpt=False))


def _home(row: dict[str, str], rng: random.Random) -> str:
    paragraphs = _paragraphs(row["text"])
    link = f"/berita/{rng.randint(10000, 99999)}/{row['id'][:30]}"
    return (
        f'<article class="post"><h2><a href="{link}">{html.escape(_title(paragraphs))}</a></h2>'
        f"<p>{html.escape(' '.join(paragraphs[:2])[:400])}</p>"
        f'<a class="more" href="{link}">Selengkapnya</a></article>'
    )


_TEASERS: dict[str, Callable[[dict[str, str], random.Random], str]] = {
    "cards": _cards,
    "stamped": _stamped,
    "home": _home,
}
