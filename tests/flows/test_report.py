"""Run summaries as markdown and as rows, and ``ingest runs`` over a real store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from ingest.report import SOURCE_COLUMNS, recent_runs, run_rows, source_rows, summary_markdown
from ingest.store import Store
from ingest.store.runs import create_run, save_run
from ingest.summary import RunSummary, SourceSummary


def _summary(run_id: int) -> RunSummary:
    good = SourceSummary(
        source="kukarkab",
        discovered=12,
        fetched=10,
        not_modified=2,
        rejected=Counter({"listing": 2, "too_short": 1}),
        new_documents=7,
        copies=2,
        same_story=1,
        new_stories=4,
        duration_s=3.25,
    )
    bad = SourceSummary(
        source="eks|posisi",
        failures=Counter({"timeout": 1}),
        error="feed unreachable",
        error_class="timeout",
    )
    return RunSummary(run_id=run_id, status="failed", sources=[good, bad], duration_s=4.5)


def test_markdown_has_one_row_per_source_and_the_totals() -> None:
    text = summary_markdown(_summary(3))
    lines = text.splitlines()
    assert lines[0] == "# ingest run 3: failed"
    assert "7 new documents, 2 copies, 1 same-story reports, 4 new stories" in text
    assert "Failed sources: eks|posisi." in text
    table = [line for line in lines if line.startswith("| ") and "kukarkab" in line]
    assert len(table) == 1
    cells = [c.strip() for c in table[0].strip("|").split(" | ")]
    assert cells[: len(SOURCE_COLUMNS) - 1] == [
        "kukarkab", "12", "10", "2", "listing 2, too_short 1", "7", "2", "1", "4", "0", "3.2",
    ]  # fmt: skip
    assert "eks\\|posisi" in text  # a pipe in a name does not break the table
    assert "Failed pages by class: timeout 1." in text


def test_summary_line_counts_rejected_pages_by_reason() -> None:
    line = _summary(1).line()
    assert "3 rejected (listing 2, too_short 1)" in line


def test_source_rows_are_keyed_by_column() -> None:
    rows = source_rows(_summary(1))
    assert [r["source"] for r in rows] == ["kukarkab", "eks|posisi"]
    assert rows[1]["error"] == "timeout: feed unreachable"
    assert set(rows[0]) == set(SOURCE_COLUMNS)


def test_recent_runs_newest_first_with_summaries(store: Store) -> None:
    with store.session() as session:
        first = create_run(session, trigger="schedule", flow_run_id="abc")
        second = create_run(session, trigger="manual")
    with store.session() as session:
        save_run(session, _summary(first))
    runs = recent_runs(store, limit=5)
    assert [r.run_id for r in runs] == [second, first]
    assert runs[0].summary is None and runs[0].status == "running"
    assert runs[1].summary is not None
    assert runs[1].summary.sources[0].rejected == Counter({"listing": 2, "too_short": 1})
    rows = run_rows(runs, "Asia/Makassar")
    assert rows[1]["new documents"] == "7"
    assert rows[1]["failed sources"] == "eks|posisi"
    assert rows[1]["rejected"] == "listing 2, too_short 1"
    assert rows[1]["started"].endswith("WITA")
    assert recent_runs(store, limit=1)[0].run_id == second


def test_runs_command_lists_stored_runs(tmp_path: Path, store: Store) -> None:
    from ingest.cli import app

    with store.session() as session:
        run_id = create_run(session, trigger="schedule")
    with store.session() as session:
        save_run(session, _summary(run_id))
    (tmp_path / "sources.toml").write_text("")
    result = CliRunner().invoke(
        app, ["--config", str(tmp_path), "--db", store.engine.url.render_as_string(False),
              "runs", "-f", "jsonl"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["run_id"] for r in rows] == [run_id]
    assert rows[0]["trigger"] == "schedule" and rows[0]["status"] == "failed"
    assert rows[0]["rejected"] == {"listing": 2, "too_short": 1}
    assert all(" " not in key for key in rows[0])
    assert isinstance(rows[0]["duration_s"], float) and isinstance(rows[0]["sources"], int)
    assert datetime.fromisoformat(rows[0]["started_at"]).utcoffset() == timedelta(hours=8)


def test_runs_show_why_a_run_failed_or_when_an_interrupted_one_was_last_heard_from(
    store: Store,
) -> None:
    from sqlalchemy import update

    from ingest.store.models import Run

    with store.session() as session:
        failed = create_run(session, trigger="import")
        dead = create_run(session, trigger="manual")
    with store.session() as session:
        save_run(session, _summary(failed), error="store unreachable")
        heard = datetime(2024, 9, 3, 1, 30, tzinfo=UTC)
        session.execute(
            update(Run)
            .where(Run.id == dead)
            .values(status="interrupted", finished_at=heard, error="its process is gone")
        )
    rows = {int(r["run"]): r for r in run_rows(recent_runs(store), "Asia/Makassar")}
    assert rows[failed]["reason"] == "store unreachable"
    assert rows[dead]["status"] == "interrupted"
    assert rows[dead]["reason"] == "its process is gone (last heard from 2024-09-03 09:30:00 WITA)"
