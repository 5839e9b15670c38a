"""The demo job end to end: the README's promise, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import DemoRun


def by_outlet(stories: list[dict[str, Any]]) -> dict[frozenset[str], dict[str, Any]]:
    return {frozenset(m["outlet"] for m in s["members"]): s for s in stories}


def test_demo_run_finds_the_copies_and_a_second_run_adds_nothing(demo: DemoRun) -> None:
    cli, first = demo.cli, demo.first
    assert first.code == 0, first.stderr
    assert "7 new documents, 2 copies, 1 same-story reports, 4 new stories" in first.stdout
    assert "new documents" not in first.stderr  # the summary is output; logs go to stderr

    stories = cli("stories", "--format", "jsonl").jsonl()
    members = [m for s in stories for m in s["members"]]
    assert len(members) == 7
    assert len({m["url"] for m in members}) == 7
    release = next(s for s in stories if len(s["members"]) > 1)
    relations = {m["outlet"]: m["relation"] for m in release["members"]}
    assert relations["kukarkab.go.id"] == "canonical"
    # Copy 1 only adds a dateline, a "Baca Juga" link, a credit and a footer: once they are
    # cleaned off it is the same text as the release.
    assert relations["tenggarongpos.example"] in ("exact", "near_duplicate")
    assert relations["kaltimraya.example"] == "near_duplicate"
    assert release["canonical_url"].startswith("https://kukarkab.go.id/")
    for member in release["members"]:
        assert 0 < member["similarity"] <= 1

    second = cli("run")
    assert second.code == 0, second.stderr
    assert "0 new documents" in second.stdout
    assert cli("stories", "--format", "jsonl").jsonl() == stories


def test_demo_documents_are_clean_and_dated(demo: DemoRun) -> None:
    cli = demo.cli
    documents = cli("documents", "--format", "jsonl").jsonl()
    assert len(documents) == 7
    keys = {"url", "outlet", "title", "published_at", "event_date", "language", "story_id", "text"}
    for document in documents:
        assert set(document) == keys | {"published_precision"}
        assert document["published_precision"] in {"day", "minute"}
        assert document["story_id"] is not None
        assert "Baca Juga" not in document["text"]
        assert "Share :" not in document["text"]
    lintas = [d for d in documents if "Lintas Sektoral" in (d["title"] or "")]
    assert lintas and all(d["event_date"] == "2024-09-03" for d in lintas)


def test_story_shows_members_and_why(demo: DemoRun) -> None:
    cli = demo.cli
    stories = cli("stories", "--format", "jsonl").jsonl()
    release = max(stories, key=lambda s: len(s["members"]))
    shown = cli("story", str(release["story_id"]), "--format", "json")
    assert shown.code == 0, shown.stderr
    assert '"near_duplicate"' in shown.stdout
    why = cli("story", str(release["story_id"]), "--why", "--format", "jsonl")
    assert why.code == 0, why.stderr
    rows = why.jsonl()
    assert len(rows) >= len(release["members"])
    assert cli("story", "999999").code == 1


def test_table_and_csv_formats(demo: DemoRun) -> None:
    cli = demo.cli
    table = cli("stories", "--format", "table")
    assert "Stories" in table.stdout and "kukarkab.go.id" in table.stdout
    csv_out = cli("stories", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "story_id,canonical_url,title,published_at,members"
    assert len(csv_out) == 1 + len(cli("stories", "--format", "jsonl").jsonl())
