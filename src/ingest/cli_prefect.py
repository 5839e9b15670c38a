"""The orchestration commands of ``ingest``: ``schedules``, ``serve``, ``runs``, ``backfill``.

Each is a thin shell over one function (:func:`ingest.schedules.schedule_groups`,
:func:`ingest.serving.serve`, :func:`ingest.report.recent_runs`, :func:`ingest.runner.run_now`);
:func:`register` adds them to the ``ingest`` Typer app.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any

import typer

from ingest.config import Settings
from ingest.output import Format, FormatOption, default_format, render

__all__ = ["register", "schedule_rows"]


def _settings(ctx: typer.Context, *, read_only: bool = False) -> Settings:
    from ingest.cli import state

    return state(ctx).settings(read_only=read_only)


def _zone(ctx: typer.Context, name: str | None) -> tzinfo:
    from ingest.cli import display_zone

    return display_zone(ctx, name)


def schedule_rows(
    settings: Settings, count: int = 3, tz: tzinfo | None = None
) -> list[dict[str, Any]]:
    """One row per deployment: its sources, schedule (in the configured zone) and next
    ``count`` run times, in ``tz`` (default: the configured zone)."""
    from ingest.schedules import schedule_groups

    rows = []
    for group in schedule_groups(settings):
        spec = group.schedule
        times = [t.astimezone(tz) for t in spec.next_runs(count)] if spec else []
        row: dict[str, Any] = {
            "deployment": f"ingest/{group.name}",
            "sources": ", ".join(group.sources),
            "schedule": spec.text if spec else "manual only",
            "timezone": settings.timezone,
        }
        for i in range(count):
            row[f"next_{i + 1}"] = times[i] if times else None
        rows.append(row)
    return rows


TzOption = Annotated[
    str | None,
    typer.Option("--tz", help="Time zone of times shown (default: the 'timezone' setting)."),
]


def schedules(ctx: typer.Context, fmt: FormatOption = None, tz: TzOption = None) -> None:
    """List each deployment, its sources and schedule, and its next three runs in local time.

    Example: ingest schedules
    """
    fmt = fmt or default_format()
    rows = schedule_rows(_settings(ctx), tz=_zone(ctx, tz))
    columns = ["deployment", "sources", "schedule", "next_1", "next_2", "next_3"]
    if fmt is Format.table:  # with the zone's name: the table has no time zone column
        rows = [{k: _named(v) for k, v in row.items()} for row in rows]
    render(rows, fmt, columns=columns, title="Schedules")


def _named(value: Any) -> Any:
    return value.strftime("%Y-%m-%d %H:%M %Z") if isinstance(value, datetime) else value


class _EchoWatcher:
    """Tells the person who started ``ingest serve`` what it is doing, on stdout."""

    def starting(self, address: str, log_path: Path, timeout: float) -> None:
        typer.echo(
            f"starting a Prefect server at {address} (up to {timeout:.0f} s; log: {log_path})"
        )

    def ready(self, ui_address: str) -> None:
        typer.echo(f"Prefect UI: {ui_address}")


def serve(ctx: typer.Context) -> None:
    """Serve every scheduled source as a Prefect deployment until Ctrl-C.

    Uses the Prefect server in PREFECT_API_URL, or starts a local one (and stops it on exit),
    and prints the address of the Prefect UI as soon as the server answers.

    Example: ingest serve
    """
    from ingest.serving import serve as serve_all

    try:
        serve_all(_settings(ctx), watcher=_EchoWatcher())
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM is how serving is meant to stop: a clean exit, status 0.
        return


def runs(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most this many (1 or more).")
    ] = 20,
    fmt: FormatOption = None,
    tz: TzOption = None,
) -> None:
    """List recent runs with their trigger, status, counts and, for a run that failed or was
    interrupted, the reason; newest first.

    Example: ingest runs -n 5
    """
    from ingest.report import RUN_COLUMNS, RUN_FIELDS, recent_runs, run_records, run_rows
    from ingest.store import open_store

    settings = _settings(ctx, read_only=True)
    store = open_store(settings.db_url, create=False)
    try:
        found = recent_runs(store, limit)
    finally:
        store.close()
    fmt = fmt or default_format()
    if fmt is Format.table:
        render(run_rows(found, _zone(ctx, tz)), fmt, columns=list(RUN_COLUMNS), title="Runs")
    else:
        render(run_records(found, _zone(ctx, tz)), fmt, columns=list(RUN_FIELDS))


def backfill(
    ctx: typer.Context,
    source: Annotated[
        list[str], typer.Option("--source", "-s", help="Source to backfill (repeatable).")
    ],
    since: Annotated[str, typer.Option("--since", help="Oldest day to fetch (YYYY-MM-DD).")],
) -> None:
    """Fetch older articles of a source, back to a day, through the same flow as a run.

    Sitemaps are read by lastmod and listing pages by page number, as far as the source allows.

    Example: ingest backfill --source kukarkab --since 2024-09-01
    """
    from ingest.cli import _print_summary
    from ingest.runner import parse_since, run_now

    settings = _settings(ctx)
    start = parse_since(since, settings.timezone)
    from ingest.progress import progress_for_terminal

    with progress_for_terminal() as progress:
        summary = run_now(
            settings, sources=source, since=start, trigger="backfill", progress=progress
        )
    _print_summary(summary)
    if summary.status != "completed":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``schedules``, ``serve``, ``runs`` and ``backfill`` to ``app``."""
    app.command()(schedules)
    app.command()(serve)
    app.command()(runs)
    app.command()(backfill)
