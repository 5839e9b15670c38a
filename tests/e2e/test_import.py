"""``ingest import``: the seeds, idempotence, and bad input refused whole."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import REPO, Cli

SEEDS = REPO / "demo" / "seeds.jsonl"


def test_import_of_the_seeds_stores_five_documents_in_stories(cli: Cli) -> None:
    result = cli("import", str(SEEDS))
    assert result.code == 0, result.stderr
    stories = cli("stories", "--format", "jsonl").jsonl()
    urls = sorted(m["url"] for s in stories for m in s["members"])
    seeds = sorted(json.loads(line)["url"] for line in SEEDS.read_text().splitlines())
    assert urls == seeds
    again = cli("import", str(SEEDS))
    assert again.code == 0
    assert "0 new documents" in again.stdout
    assert cli("stories", "--format", "jsonl").jsonl() == stories


def test_a_bad_line_refuses_the_whole_file(cli: Cli, tmp_path: Path) -> None:
    lines = SEEDS.read_text().splitlines()
    broken = json.loads(lines[2])
    del broken["url"]
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join([lines[0], lines[1], json.dumps(broken), *lines[3:]]) + "\n")
    result = cli("import", str(path))
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "broken.jsonl" in result.stderr and "3" in result.stderr
    assert "Traceback" not in result.stderr
    assert cli("documents", "--format", "jsonl").jsonl() == []


def test_not_json_and_missing_file_are_one_line_errors(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"url": "https://a.example/1", "text": "x"\n')
    for args in (["import", str(path)], ["import", str(tmp_path / "missing.jsonl")]):
        result = cli(*args)
        assert result.code == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("ingest: error:")


def test_bad_config_is_one_line_with_exit_2(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text('[[sources]]\nname = "x"\nkind = "rss"\nurll = "y"\n')
    cli.config = tmp_path
    result = cli("run")
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        f"ingest: error: {tmp_path / 'sources.toml'}: sources[0] (x).urll: unknown key"
    ]


def test_usage_errors_are_one_line_too(cli: Cli) -> None:
    for args in (["import"], ["stories", "--format", "xml"], ["import", "x.jsonl", "--bogus"]):
        result = cli(*args)
        assert result.code == 2, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ingest: error: "), result.stderr
        assert "--help" in lines[0]
