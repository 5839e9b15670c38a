"""The matching rules on small labelled pairs, and the canonical rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ingest.config import DedupSettings
from ingest.dedup.canonical import choose_canonical
from ingest.dedup.features import featurize
from ingest.dedup.rules import DocView, compare
from ingest.dedup.text import text_fingerprint
from ingest.store.models import Document
from tests.dedup.seedlib import Seed

SETTINGS = DedupSettings()
T0 = datetime(2024, 9, 3, 6, tzinfo=UTC)


def view(i: int, text: str, outlet: str, when: datetime, event: date | None = None) -> DocView:
    features = featurize([text], SETTINGS)[0]
    return DocView(i, outlet, when, event, text_fingerprint(text), features)


def seed_view(i: int, seed: Seed) -> DocView:
    return view(i, seed.text, seed.outlet, seed.published_at, seed.event_date)


def test_exact_copy_any_time(seeds: dict[str, Seed]) -> None:
    s = seeds["001"]
    later = view(2, s.text.upper(), "other.id", s.published_at + timedelta(days=400))
    assert compare(later, seed_view(1, s), SETTINGS, {}).relation == "exact"


def test_light_copy_is_near_duplicate(seeds: dict[str, Seed]) -> None:
    s = seeds["001"]
    lines = s.text.splitlines()
    copy = "\n".join(
        [
            "Judul Baru",
            "SAMARINDA – " + lines[1],
            *lines[2:6],
            "Baca Juga: x",
            *lines[6:],
            "Editor: Rudi",
        ]
    )
    verdict = compare(
        view(2, copy, "copy.id", s.published_at + timedelta(hours=5)), seed_view(1, s), SETTINGS, {}
    )
    assert verdict.relation == "near_duplicate"
    assert verdict.similarity > 0.7


def test_half_trimmed_copy_is_near_duplicate_by_containment(seeds: dict[str, Seed]) -> None:
    s = seeds["004"]
    lines = s.text.splitlines()
    copy = "\n".join(lines[::2])
    verdict = compare(
        view(2, copy, "copy.id", s.published_at + timedelta(days=2)), seed_view(1, s), SETTINGS, {}
    )
    assert verdict.relation == "near_duplicate"
    assert verdict.rule == "containment"
    assert verdict.scores["jaccard"] < SETTINGS.near_jaccard


def test_reused_speech_weeks_later_is_apart(seeds: dict[str, Seed]) -> None:
    verdict = compare(seed_view(2, seeds["002"]), seed_view(4, seeds["004"]), SETTINGS, {})
    assert verdict.relation is None
    assert verdict.scores["shared_shingles"] > 50  # much text is shared, the dates decide


def test_same_story_reports_share_one_event_sentence(seeds: dict[str, Seed]) -> None:
    verdict = compare(seed_view(3, seeds["003"]), seed_view(4, seeds["004"]), SETTINGS, {})
    assert verdict.relation == "same_story"
    assert len(verdict.passages) == 1
    assert "Selasa (3/9)" in verdict.passages[0].left
    assert "Selasa (3/9)" in verdict.passages[0].right


def test_same_story_needs_different_outlets_and_close_dates(seeds: dict[str, Seed]) -> None:
    s3, s4 = seeds["003"], seeds["004"]
    same_outlet = view(3, s3.text, s4.outlet, s3.published_at, s3.event_date)
    assert compare(same_outlet, seed_view(4, s4), SETTINGS, {}).relation is None
    late = view(3, s3.text, s3.outlet, s3.published_at + timedelta(days=5), s3.event_date)
    assert compare(late, seed_view(4, s4), SETTINGS, {}).relation is None


def test_boilerplate_sentence_is_not_evidence(seeds: dict[str, Seed]) -> None:
    s3, s4 = seeds["003"], seeds["004"]
    shared = [p for p in featurize([s3.text], SETTINGS)[0].sentence_keys]
    counts = dict.fromkeys(shared, SETTINGS.boilerplate_stories)
    assert compare(seed_view(3, s3), seed_view(4, s4), SETTINGS, counts).relation is None


def test_outlet_closing_block_does_not_make_copies(unrelated: list[dict[str, str]]) -> None:
    closing = (
        "Ikuti terus berita terbaru dari kabarkukar.id di kanal media sosial kami dan jangan "
        "lupa bagikan artikel ini kepada keluarga serta kerabat Anda.\nBerita Terkait\n"
        "Bupati Resmikan Jembatan Baru di Kecamatan Loa Kulu Hari Ini\n"
        "Ribuan Warga Padati Festival Erau Tenggarong Tahun Ini"
    )
    a, b = (" ".join(u["text"].split()[:35]) + "\n" + closing for u in unrelated[:2])
    left, right = view(1, a, "kabarkukar.id", T0), view(2, b, "kabarkukar.id", T0)
    verdict = compare(left, right, SETTINGS, {})
    assert verdict.relation is None
    assert verdict.scores["shared_shingles"] == 0  # the common tail was set aside


@pytest.mark.parametrize(
    "rule, expected", [("earliest", "b"), ("syndication", "c"), ("official", "c")]
)
def test_canonical_rules(rule: str, expected: str) -> None:
    docs = [
        Document(id=1, url="https://a.go.id/1", outlet="a.go.id", published_at=T0),
        Document(id=2, url="https://b.com/1", outlet="b.com", published_at=T0 - timedelta(hours=2)),
        Document(id=3, url="https://c.com/1", outlet="c.com", published_at=T0 + timedelta(hours=1)),
        Document(
            id=4,
            url="https://d.com/1",
            outlet="d.com",
            published_at=T0,
            syndicated_from="Artikel ini telah tayang di c.com",
        ),
    ]
    settings = SETTINGS.model_copy(update={"canonical_rule": rule})
    names = {1: "a", 2: "b", 3: "c", 4: "d"}
    assert names[choose_canonical(docs, settings).id] == expected
    assert names[choose_canonical(docs[::-1], settings).id] == expected
    official = SETTINGS.model_copy(update={"canonical_rule": "official"})
    assert choose_canonical(docs[:3], official).outlet == "a.go.id"


def test_a_day_only_date_is_anywhere_in_its_day(seeds: dict[str, Seed]) -> None:
    s3, s4 = seeds["003"], seeds["004"]
    day = datetime(2024, 9, 3, tzinfo=UTC)
    features3, features4 = featurize([s3.text, s4.text], SETTINGS)
    dated = DocView(1, s3.outlet, day, s3.event_date, text_fingerprint(s3.text), features3, "day")
    for hour, gap in ((9, 0.0), (30, 0.25)):
        timed = DocView(
            2, s4.outlet, day + timedelta(hours=hour), s4.event_date,
            text_fingerprint(s4.text), features4, "minute",
        )  # fmt: skip
        verdict = compare(timed, dated, SETTINGS, {})
        assert verdict.dates["gap_days"] == gap
        assert verdict.dates["published"][1] == "2024-09-03"
    within_the_day = SETTINGS.model_copy(update={"same_story_max_days": 0.0})
    timed = DocView(
        2, s4.outlet, day + timedelta(hours=9), s4.event_date, text_fingerprint(s4.text),
        features4, "minute",
    )  # fmt: skip
    assert compare(timed, dated, within_the_day, {}).relation == "same_story"
