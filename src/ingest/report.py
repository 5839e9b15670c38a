"""Run summaries rendered for people: markdown for the Prefect artifact, rows for terminal tables.

>>> summary = RunSummary(run_id=7, status="completed", sources=[SourceSummary(source="a")])
>>> print(summary_markdown(summary).splitlines()[0])
# ingest run 7: completed
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from ingest.store import Store
from ingest.store.models import Run
from ingest.store.runs import recent_runs as stored_runs
from ingest.summary import RunSummary, SourceSummary

__all__ = [
    "RUN_COLUMNS",
    "RUN_FIELDS",
    "SOURCE_COLUMNS",
    "RunRow",
    "recent_runs",
    "run_records",
    "run_rows",
    "source_rows",
    "summary_markdown",
]

SOURCE_COLUMNS = (
    "source",
    "discovered",
    "fetched",
    "not modified",
    "rejected",
    "new documents",
    "copies",
    "same story",
    "new stories",
    "failures",
    "seconds",
    "error",
)
RUN_COLUMNS = (
    "run",
    "started",
    "trigger",
    "status",
    "sources",
    "new documents",
    "new stories",
    "rejected",
    "failed sources",
    "seconds",
    "reason",
)

#: The keys of a run in ``ingest runs --format json|jsonl|csv``.
RUN_FIELDS = (
    "run_id",
    "started_at",
    "finished_at",
    "trigger",
    "status",
    "sources",
    "new_documents",
    "new_stories",
    "rejected",
    "failed_sources",
    "duration_s",
    "error",
    "flow_run_id",
)


def _counts(counter: Counter[str]) -> str:
    """``too_short 3, listing 1`` (most common first), or ``0``."""
    if not counter:
        return "0"
    return ", ".join(f"{key} {n}" for key, n in counter.most_common())


def _source_row(s: SourceSummary) -> dict[str, str]:
    values = (
        s.source,
        str(s.discovered),
        str(s.fetched),
        str(s.not_modified),
        _counts(s.rejected),
        str(s.new_documents),
        str(s.copies),
        str(s.same_story),
        str(s.new_stories),
        _counts(s.failures),
        f"{s.duration_s:.1f}",
        f"{s.error_class or 'error'}: {s.error}" if s.error else "",
    )
    return dict(zip(SOURCE_COLUMNS, values, strict=True))


def source_rows(summary: RunSummary) -> list[dict[str, str]]:
    """One row per source, keyed by :data:`SOURCE_COLUMNS`."""
    return [_source_row(s) for s in summary.sources]


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: RunSummary) -> str:
    """The run as markdown: a headline, the totals and one table row per source."""
    lines = [
        f"# ingest run {summary.run_id}: {summary.status}",
        "",
        f"{len(summary.sources)} sources in {summary.duration_s:.1f} s: "
        f"{summary.total('new_documents')} new documents, {summary.total('copies')} copies, "
        f"{summary.total('same_story')} same-story reports, "
        f"{summary.total('new_stories')} new stories.",
    ]
    if summary.failed_sources:
        lines.append(f"Failed sources: {', '.join(summary.failed_sources)}.")
    lines += [
        "",
        "| " + " | ".join(SOURCE_COLUMNS) + " |",
        "|" + "---|" * len(SOURCE_COLUMNS),
    ]
    lines += [
        "| " + " | ".join(_escape(row[c]) for c in SOURCE_COLUMNS) + " |"
        for row in source_rows(summary)
    ]
    lines += [
        "",
        f"Rejected pages by reason: {_counts(summary.rejected())}.",
        f"Failed pages by class: {_counts(summary.failures())}.",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class RunRow:
    """A stored run as listed by ``ingest runs``."""

    run_id: int
    started_at: datetime
    finished_at: datetime | None
    trigger: str
    status: str
    flow_run_id: str | None
    summary: RunSummary | None
    error: str | None


def _summary_of(run: Run) -> RunSummary | None:
    data = run.summary or {}
    if "sources" not in data:
        return None
    return RunSummary(
        run_id=run.id,
        status=str(data.get("status", run.status)),
        sources=[SourceSummary.from_dict(s) for s in data["sources"]],
        duration_s=float(data.get("duration_s", 0.0)),
    )


def recent_runs(store: Store, limit: int = 20) -> list[RunRow]:
    """The ``limit`` most recent runs, newest first."""
    with store.read_session() as session:
        return [
            RunRow(
                run_id=run.id,
                started_at=run.started_at,
                finished_at=run.finished_at,
                trigger=run.trigger,
                status=run.status,
                flow_run_id=run.flow_run_id,
                summary=_summary_of(run),
                error=run.error,
            )
            for run in stored_runs(session, limit)
        ]


def run_rows(runs: Sequence[RunRow], timezone: str | tzinfo) -> list[dict[str, str]]:
    """One row per run, keyed by :data:`RUN_COLUMNS`, times in ``timezone``."""
    from ingest.schedules import zone

    tz = zone(timezone) if isinstance(timezone, str) else timezone
    rows = []
    for run in runs:
        s = run.summary
        values = (
            str(run.run_id),
            run.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z"),
            run.trigger,
            run.status,
            str(len(s.sources)) if s else "",
            str(s.total("new_documents")) if s else "",
            str(s.total("new_stories")) if s else "",
            _counts(s.rejected()) if s else "",
            ", ".join(s.failed_sources) if s else "",
            f"{s.duration_s:.1f}" if s else "",
            _reason(run, tz),
        )
        rows.append(dict(zip(RUN_COLUMNS, values, strict=True)))
    return rows


def _reason(run: RunRow, tz: tzinfo) -> str:
    """Why a run failed or stopped; for a run found dead, when it was last heard from."""
    if not run.error:
        return ""
    if run.status == "interrupted" and run.finished_at is not None:
        heard = run.finished_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")
        return f"{run.error} (last heard from {heard})"
    return run.error


def run_records(runs: Sequence[RunRow], timezone: str | tzinfo) -> list[dict[str, Any]]:
    """One record per run, keyed by :data:`RUN_FIELDS`: numbers as numbers, times as
    datetimes in ``timezone`` (ISO 8601 with their offset in JSON), lists as lists."""
    from ingest.schedules import zone

    tz = zone(timezone) if isinstance(timezone, str) else timezone
    records = []
    for run in runs:
        s = run.summary
        records.append(
            {
                "run_id": run.run_id,
                "started_at": run.started_at.astimezone(tz),
                "finished_at": run.finished_at.astimezone(tz) if run.finished_at else None,
                "trigger": run.trigger,
                "status": run.status,
                "sources": len(s.sources) if s else None,
                "new_documents": s.total("new_documents") if s else None,
                "new_stories": s.total("new_stories") if s else None,
                "rejected": dict(s.rejected()) if s else None,
                "failed_sources": s.failed_sources if s else None,
                "duration_s": round(s.duration_s, 3) if s else None,
                "error": run.error,
                "flow_run_id": run.flow_run_id,
            }
        )
    return records
