"""The query commands refuse what cannot be meant, in one line, and list newest first."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Ingest

LIMITED = [["stories"], ["documents"], ["runs"]]


@pytest.mark.parametrize("limit", ["0", "-1"])
@pytest.mark.parametrize("command", LIMITED, ids=" ".join)
def test_a_limit_below_one_is_refused(
    ingest: Ingest, seeded: str, command: list[str], limit: str
) -> None:
    result = ingest(*command, "--db", seeded, "--limit", limit)
    assert result.code == 2
    assert result.stderr.startswith("ingest: error: Invalid value for '--limit' / '-n': ")
    assert "greater than or equal to 1" in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_documents_are_listed_newest_first_like_stories(ingest: Ingest, seeded: str) -> None:
    result = ingest("documents", "--db", seeded, "--format", "jsonl")
    assert result.code == 0, result.stderr
    published = [json.loads(line)["published_at"] for line in result.stdout.splitlines()]
    assert len(published) == 5
    assert published == sorted(published, reverse=True)
    limited = ingest("documents", "--db", seeded, "--format", "jsonl", "-n", "1")
    assert [json.loads(limited.stdout)["published_at"]] == published[:1]


@pytest.mark.parametrize(
    "command",
    [["story", "99999999999999999999"], ["documents", "--story", "99999999999999999999"]],
    ids=["story", "documents --story"],
)
def test_an_id_past_64_bits_is_a_usage_error(
    ingest: Ingest, seeded: str, command: list[str]
) -> None:
    result = ingest(*command, "--db", seeded)
    assert result.code == 2
    assert result.stderr.startswith("ingest: error: Invalid value for ")
    assert "less than or equal to 9223372036854775807" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "command", [["story", "999999"], ["documents", "--story", "999999"]], ids=" ".join
)
def test_a_story_that_does_not_exist_is_an_error(
    ingest: Ingest, seeded: str, command: list[str]
) -> None:
    result = ingest(*command, "--db", seeded, "--format", "jsonl")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == "ingest: error: story 999999 not found\n"
