"""Deterministic evaluation set for story-level dedup, built from IndoSum articles.

    python bench/dedup/evalset.py OUT.jsonl --indosum articles_flat.jsonl.gz [--seed 13]

Every output line is a document: ``id``, ``url``, ``outlet``, ``published_at`` (ISO),
``text``, ``story`` (gold story id) and ``kind`` (what made it). ``pairs`` lines
(``{"negative": [id1, id2], "kind": ...}``) list the hard negatives that must stay apart.

Kinds (each built from different source articles):

- ``light_copy``: the article republished by 2 other outlets within 36 hours: new title,
  dateline, a "Baca Juga" line in the middle, an editor credit and a footer.
- ``heavy_copy``: 1-2 copies keeping about half of the sentences (in order), two of them cut
  short, with the copying outlet's closing paragraph, 0-4 days later.
- ``same_story``: two reports of one event from different outlets on the same day, sharing
  only the sentence that dates the event (lightly reworded in one of them).
- ``reused_speech``: a negative: four consecutive sentences of an article reused inside an
  unrelated six-sentence article 3-13 weeks later.
- ``boilerplate``: a negative: four unrelated articles of one outlet on one day, all ending
  with the same closing paragraph and related-links block.
- ``short``: very short texts (two sentences): negatives of one outlet on one day, ending
  with the same closing paragraph and related links (often longer than the text itself), and
  positives republished by another outlet.
- ``background``: unrelated articles, each its own story.

Source: IndoSum (Kurniawan & Louvan 2018, CC BY-SA 4.0): ``--indosum`` names its
``articles_flat.jsonl.gz`` (the dev folds, detokenised; see bench/dedup/README.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

OUTLETS = [
    f"{name}.id"
    for name in (
        "kabarkukar",
        "etamnews",
        "borneopost",
        "tribunkaltim",
        "sapos",
        "kaltimtoday",
        "niaga-asia",
        "headlinekaltim",
        "korankaltim",
        "katakaltim",
        "mediakaltim",
        "berau-post",
    )
]
_DATE = re.compile(r"\(\s*\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?\s*\)")


@dataclass
class Doc:
    id: str
    url: str
    outlet: str
    published_at: str
    text: str
    story: str
    kind: str


def sentences(text: str) -> list[str]:
    return [s.strip() for s in text.splitlines() if s.strip()]


def load(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


class Builder:
    def __init__(self, articles: list[dict[str, Any]], seed: int) -> None:
        self.rnd = random.Random(seed)
        pool = [a for a in articles if len(sentences(a["text"])) >= 8]
        self.rnd.shuffle(pool)
        self.pool = pool
        self.docs: list[Doc] = []
        self.negatives: list[tuple[str, str, str]] = []
        self.titles = [a["summary"].split(".")[0][:90] for a in articles[:400]]

    def take(self, n: int) -> list[dict[str, Any]]:
        out, self.pool = self.pool[:n], self.pool[n:]
        return out

    def when(self, article: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(article["id_timestamp_utc"]).astimezone(UTC)

    def add(self, text: str, outlet: str, published: datetime, story: str, kind: str) -> str:
        doc_id = f"d{len(self.docs):05d}"
        url = f"https://{outlet}/berita/{doc_id}"
        self.docs.append(Doc(doc_id, url, outlet, published.isoformat(), text, story, kind))
        return doc_id

    def title(self, article: dict[str, Any]) -> str:
        return article["summary"].split(".")[0][:100]

    def original(self, article: dict[str, Any], story: str, kind: str) -> str:
        body = "\n".join(sentences(article["text"]))
        return self.add(
            f"{self.title(article)}\n{body}", article["source"], self.when(article), story, kind
        )

    def other_outlet(self, *taken: str) -> str:
        return self.rnd.choice([o for o in OUTLETS if o not in taken])

    def closing(self, outlet: str) -> str:
        links = "\n".join(self.rnd.sample(self.titles, 4))
        return (
            f"Ikuti terus berita terbaru dan terpercaya dari {outlet} di kanal media sosial "
            f"kami dan jangan lupa bagikan artikel ini kepada keluarga serta kerabat Anda.\n"
            f"Berita Terkait\n{links}"
        )

    def light_copies(self, n: int) -> None:
        for i, art in enumerate(self.take(n)):
            story = f"light{i}"
            self.original(art, story, "light_copy")
            lines = sentences(art["text"])
            for _ in range(2):
                outlet = self.other_outlet(art["source"])
                mid = len(lines) // 2
                body = [
                    f"SAMARINDA, {outlet} – {lines[0]}",
                    *lines[1:mid],
                    f"Baca Juga: {self.rnd.choice(self.titles)}",
                    *lines[mid:],
                    f"Editor: {self.rnd.choice(['Rudi', 'Sari', 'Andi'])}",
                ]
                title = "Simak: " + self.title(art)
                published = self.when(art) + timedelta(hours=self.rnd.uniform(1, 36))
                self.add("\n".join([title, *body]), outlet, published, story, "light_copy")

    def trimmed(self, lines: list[str]) -> list[str]:
        keep = sorted(self.rnd.sample(range(len(lines)), max(2, len(lines) // 2)))
        kept = [lines[k] for k in keep]
        for k in self.rnd.sample(range(len(kept)), min(2, len(kept))):
            words = kept[k].split()
            kept[k] = " ".join(words[: max(6, int(len(words) * 0.7))])
        return kept

    def heavy_copies(self, n: int) -> None:
        for i, art in enumerate(self.take(n)):
            story = f"heavy{i}"
            self.original(art, story, "heavy_copy")
            for _ in range(self.rnd.choice([1, 2])):
                outlet = self.other_outlet(art["source"])
                kept = self.trimmed(sentences(art["text"]))
                published = self.when(art) + timedelta(days=self.rnd.uniform(0, 4))
                text = "\n".join([self.title(art) + " (Update)", *kept, self.closing(outlet)])
                self.add(text, outlet, published, story, "heavy_copy")

    def same_story(self, n: int) -> None:
        made = 0
        for art in self.take(4 * n):
            lines = sentences(art["text"])
            dated = [k for k, s in enumerate(lines) if _DATE.search(s) and len(s.split()) >= 12]
            if made == n:
                self.pool.append(art)
                continue
            if not dated or len(lines) < 10:
                self.pool.append(art)
                continue
            k = dated[0]
            event = lines[k]
            rest = [s for j, s in enumerate(lines) if j != k]
            mid = len(rest) // 2
            words = event.split()
            drop = self.rnd.randrange(len(words) // 3)
            reworded = " ".join(words[:drop] + words[drop + 1 :])
            story = f"same{made}"
            first, second = self.rnd.sample(OUTLETS, 2)
            published = self.when(art)
            self.add(
                "\n".join([self.title(art), event, *rest[:mid]]),
                first,
                published,
                story,
                "same_story",
            )
            later = published + timedelta(hours=self.rnd.uniform(1, 20))
            self.add(
                "\n".join(["Laporan: " + self.title(art), *rest[mid:], reworded]),
                second,
                later,
                story,
                "same_story",
            )
            made += 1

    def reused_speech(self, n: int) -> None:
        for i in range(n):
            speech, host = self.take(2)
            first = self.original(speech, f"speech{i}", "reused_speech")
            lines, quote = sentences(host["text"])[:6], sentences(speech["text"])
            start = self.rnd.randrange(0, len(quote) - 4)
            at = self.rnd.randrange(1, len(lines))
            text = "\n".join(
                [self.title(host), *lines[:at], *quote[start : start + 4], *lines[at:]]
            )
            later = self.when(speech) + timedelta(days=self.rnd.uniform(21, 90))
            second = self.add(text, host["source"], later, f"speechhost{i}", "reused_speech")
            self.negatives.append((first, second, "reused_speech"))

    def boilerplate(self, days: int, per_day: int = 4) -> None:
        for d in range(days):
            outlet = self.rnd.choice(OUTLETS)
            day = datetime(2017, 1, 1, 8, tzinfo=UTC) + timedelta(days=7 * d)
            closing = self.closing(outlet)
            ids = []
            for j, art in enumerate(self.take(per_day)):
                text = "\n".join([self.title(art), *sentences(art["text"]), closing])
                ids.append(
                    self.add(text, outlet, day + timedelta(hours=j), f"bp{d}_{j}", "boilerplate")
                )
            self.negatives += [(a, b, "boilerplate") for a in ids for b in ids if a < b]

    def short(self, days: int, copies: int) -> None:
        for d in range(days):
            outlet = self.rnd.choice(OUTLETS)
            day = datetime(2017, 6, 1, 8, tzinfo=UTC) + timedelta(days=5 * d)
            closing = self.closing(outlet)
            ids = []
            for j, art in enumerate(self.take(3)):
                text = "\n".join([*sentences(art["text"])[:2], closing])
                ids.append(
                    self.add(text, outlet, day + timedelta(hours=j), f"short{d}_{j}", "short")
                )
            self.negatives += [(a, b, "short") for a in ids for b in ids if a < b]
        for i, art in enumerate(self.take(copies)):
            text = "\n".join(sentences(art["text"])[:2])
            story = f"shortcopy{i}"
            self.add(text, art["source"], self.when(art), story, "short_copy")
            outlet = self.other_outlet(art["source"])
            published = self.when(art) + timedelta(hours=self.rnd.uniform(1, 30))
            self.add(f"JAKARTA, {outlet} – {text}\n(red)", outlet, published, story, "short_copy")

    def background(self, n: int) -> None:
        for i, art in enumerate(self.take(n)):
            self.original(art, f"bg{i}", "background")


def build(articles: list[dict[str, Any]], seed: int = 13) -> Builder:
    builder = Builder(articles, seed)
    builder.light_copies(60)
    builder.heavy_copies(60)
    builder.same_story(40)
    builder.reused_speech(40)
    builder.boilerplate(15)
    builder.short(10, 20)
    builder.background(300)
    builder.docs.sort(key=lambda d: (d.published_at, d.id))
    return builder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--indosum", type=Path, required=True)
    args = parser.parse_args()
    builder = build(load(args.indosum), args.seed)
    with args.out.open("w", encoding="utf-8") as handle:
        for doc in builder.docs:
            handle.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
        for a, b, kind in builder.negatives:
            handle.write(json.dumps({"negative": [a, b], "kind": kind}) + "\n")
    print(f"{len(builder.docs)} documents, {len(builder.negatives)} negative pairs -> {args.out}")


if __name__ == "__main__":
    main()
