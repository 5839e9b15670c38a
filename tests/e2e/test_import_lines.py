"""``ingest import`` on both backends: a value too long for its column is cut, not a crash
that stores part of the file; ``--keep-going`` stores the good lines and names the bad ones;
a failed import keeps its reason on its run."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from ingest.store import open_store
from ingest.store.models import Document, Run
from tests.e2e.conftest import REPO, Cli

SEEDS = [json.loads(line) for line in (REPO / "demo" / "seeds.jsonl").read_text().splitlines()]


def _documents(count: int) -> list[dict[str, str]]:
    """``count`` documents: the seeds' texts under new URLs, each made its own."""
    return [
        {
            "url": f"https://kukar.example/berita/{i}",
            "outlet": "kukar.example",
            "text": f"Berita nomor {i} dari Tenggarong. " + SEEDS[i % len(SEEDS)]["text"],
        }
        for i in range(count)
    ]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count(db_url: str) -> int:
    with open_store(db_url) as store, store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Document)) or 0)


def test_an_over_long_outlet_is_cut_and_every_line_is_stored(cli: Cli, tmp_path: Path) -> None:
    """60 documents (enough for the page worker processes) with a 300-character outlet among
    them: PostgreSQL refused that batch whole before, and the import crashed half stored."""
    documents = _documents(60)
    documents[37]["outlet"] = "o" * 300
    path = _write(tmp_path / "long-outlet.jsonl", [json.dumps(d) for d in documents])
    result = cli("import", str(path))
    assert result.code == 0, result.stderr
    assert _count(cli.db_url) == 60
    stored = {d["url"]: d["outlet"] for d in cli("documents", "--format", "jsonl").jsonl()}
    assert stored[documents[37]["url"]] == "o" * 200


def test_keep_going_stores_the_good_lines_and_names_the_bad_ones(cli: Cli, tmp_path: Path) -> None:
    lines = [json.dumps(d) for d in _documents(6)]
    lines[1] = '{"url": "http://a b.example/", "text": "x"}'
    lines[4] = json.dumps(
        {"url": "https://kukar.example/x", "text": "teks", "published_at": "2024-13-45"}
    )
    path = _write(tmp_path / "mixed.jsonl", lines)

    refused = cli("import", str(path))
    assert refused.code == 2
    assert refused.stderr.strip().splitlines() == [
        f"ingest: error: {path}:2: 'url' holds whitespace or a control character: "
        "'http://a b.example/'"
    ]
    assert _count(cli.db_url) == 0

    kept = cli("import", "--keep-going", str(path))
    assert kept.code == 1, kept.stderr
    assert f"{path}:2: 'url' holds whitespace" in kept.stderr
    assert f"{path}:5: 'published_at' is not ISO 8601: '2024-13-45'" in kept.stderr
    assert "Traceback" not in kept.stderr
    stored = sorted(d["url"] for d in cli("documents", "--format", "jsonl").jsonl())
    assert stored == sorted(json.loads(lines[i])["url"] for i in (0, 2, 3, 5))


def test_a_failed_import_keeps_its_reason_on_its_run(cli: Cli, tmp_path: Path) -> None:
    lines = [json.dumps(d) for d in _documents(3)]
    lines[2] = lines[2].replace('"text": "', '"title": "\\udc80", "text": "')
    path = _write(tmp_path / "surrogate.jsonl", lines)
    result = cli("import", str(path))
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        f"ingest: error: {path}:3: 'title' holds a lone surrogate ('\\udc80' at character 1)"
    ]
    with open_store(cli.db_url) as store, store.session() as session:
        run = session.scalars(select(Run)).one()
        assert (run.status, run.error) == ("failed", str(result.stderr.strip()[15:]))
    assert _count(cli.db_url) == 0


def test_a_line_over_the_size_cap_is_one_line_naming_it(cli: Cli, tmp_path: Path) -> None:
    lines = [json.dumps(d) for d in _documents(3)]
    lines[1] = json.dumps({**json.loads(lines[1]), "title": "x" * 3_000})
    path = _write(tmp_path / "long-line.jsonl", lines)
    result = cli("import", str(path), env={"INGEST_IMPORTS__MAX_LINE_BYTES": "3000"})
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        f"ingest: error: {path}:2: line longer than 3,000 bytes (imports.max_line_bytes)"
    ]
    assert _count(cli.db_url) == 0
