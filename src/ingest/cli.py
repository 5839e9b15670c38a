"""The ``ingest`` command. Each command parses its options, calls one function of the library
and renders the result; the library raises, and only ``main`` turns errors into one line and
an exit status (2 for bad configuration or input, 1 for other failures)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from ingest import query
from ingest.cli_options import GlobalOptionsGroup
from ingest.config import Settings, load_settings
from ingest.errors import ConfigError, IngestError, InputError, Interrupted
from ingest.logs import configure_logging
from ingest.output import Format, FormatOption, default_format, render
from ingest.store import open_store
from ingest.summary import RunSummary
from ingest.views import document_row, jsonable, print_why, story_row

__all__ = ["app", "main"]

app = typer.Typer(
    name="ingest",
    help="Fetch regional news on a schedule, find reports of the same story, keep one record each.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=GlobalOptionsGroup,
)
db_app = typer.Typer(help="Manage the store's schema.", no_args_is_help=True)
dedup_app = typer.Typer(help="Maintain the dedup index and story clusters.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(dedup_app, name="dedup")

err = Console(stderr=True, soft_wrap=True, highlight=False)

#: The exit status after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


@dataclass
class State:
    """The global options, given before or after the subcommand, and the settings they load."""

    config: Path | None = None
    db: str | None = None
    verbose: int = 0
    _loaded: dict[bool, Settings] = field(default_factory=dict)

    def set_global(self, name: str, value: Any) -> None:
        """A global option given after the subcommand (see :mod:`ingest.cli_options`)."""
        if name == "verbose":
            self.verbose += value
            configure_logging(self.verbose)
        else:
            setattr(self, name, value)

    def settings(self, *, read_only: bool = False) -> Settings:
        """The settings; for a ``read_only`` command a missing default ``config/`` is fine.
        Once read, logs show times in their ``timezone``."""
        if read_only not in self._loaded:
            from ingest.schedules import zone

            self._loaded[read_only] = loaded = load_settings(
                self.config, db_url=self.db, require_config=not read_only
            )
            configure_logging(self.verbose, zone(loaded.timezone))
        return self._loaded[read_only]


def state(ctx: typer.Context) -> State:
    value = ctx.find_root().obj
    assert isinstance(value, State)
    return value


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="INGEST_DB_URL", help="Database URL (default: sqlite:///ingest.db)."
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Configuration folder (default: config/).")
    ] = None,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log output.")
    ] = 0,
) -> None:
    configure_logging(verbose)
    ctx.obj = State(config=config, db=db, verbose=verbose)


SinceOption = Annotated[
    str | None, typer.Option("--since", help="Published on or after this day (YYYY-MM-DD).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Published on or before this day (YYYY-MM-DD).")
]
OutletOption = Annotated[str | None, typer.Option("--outlet", help="Only this outlet.")]
TextOption = Annotated[str | None, typer.Option("--query", "-q", help="Text in the title or body.")]
LimitOption = Annotated[
    int | None, typer.Option("--limit", "-n", min=1, help="At most this many (1 or more).")
]
#: The largest id a store holds (a signed 64-bit integer); a larger one is a usage error.
MAX_ID = 2**63 - 1
#: The zone of days and times a listing command filters by and shows.
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz", help="Time zone of days and times shown (default: the 'timezone' setting)."
    ),
]


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: not a date (YYYY-MM-DD): {value!r}") from None


def _filters(
    since: str | None,
    until: str | None,
    outlet: str | None,
    text: str | None,
    limit: int | None,
    tz: tzinfo,
) -> query.Filters:
    return query.Filters(
        since=_day(since, "--since"),
        until=_day(until, "--until"),
        outlet=outlet,
        text=text,
        limit=limit,
        tz=tz,
    )


@app.command()
def run(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")
    ] = None,
) -> None:
    """Run the pipeline now for every enabled source, or the named ones.

    Example: ingest run --source kukarkab
    """
    from ingest.progress import progress_for_terminal
    from ingest.runner import run_now

    with progress_for_terminal() as progress:
        summary = run_now(state(ctx).settings(), sources=source or None, progress=progress)
    _print_summary(summary)
    if summary.status != "completed":
        raise typer.Exit(1)


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A JSONL file: one document per line.")],
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="Store the good lines and report each bad one with its number (exit 1).",
        ),
    ] = False,
) -> None:
    """Ingest a JSONL file of documents through the pipeline.

    Each line: {"url", "html" or "text", optional "title", "outlet", "published_at"}.
    Every line is checked first: one bad line and nothing is stored (with --keep-going the
    good lines are stored, the bad ones reported with their numbers, and the exit status is 1).

    Example: ingest import demo/seeds.jsonl
    """
    from ingest.pipeline import import_file

    if not path.is_file():
        raise InputError(f"{path}: file not found")
    from ingest.progress import progress_for_terminal

    with progress_for_terminal() as progress:
        summary = import_file(
            state(ctx).settings(), path, progress=progress, keep_going=keep_going or None
        )
    _print_summary(summary)
    if summary.rejected()["bad_line"]:
        raise typer.Exit(1)


@app.command()
def stories(
    ctx: typer.Context,
    fmt: FormatOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    outlet: OutletOption = None,
    text: TextOption = None,
    limit: LimitOption = None,
    tz: TzOption = None,
) -> None:
    """List stories, newest first, each with every outlet and URL that carried it.

    Example: ingest stories --format jsonl --outlet kukarkab.go.id
    """
    filters = _filters(since, until, outlet, text, limit, display_zone(ctx, tz))
    fmt = fmt or default_format()
    with _session(ctx) as session:
        records = query.stories(session, filters)
        if fmt is Format.table:
            rows: Any = (story_row(r) for r in records)
            columns = ["story_id", "published_at", "members", "outlets", "title"]
        else:
            rows = (r.to_dict() for r in records)
            columns = ["story_id", "canonical_url", "title", "published_at", "members"]
        render(rows, fmt, columns=columns, title="Stories")


@app.command()
def story(
    ctx: typer.Context,
    story_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The story's id.")],
    why: Annotated[bool, typer.Option("--why", help="Show why each member was joined.")] = False,
    fmt: FormatOption = None,
    tz: TzOption = None,
) -> None:
    """Show one story: its canonical record and every member with how it was matched.

    Example: ingest story 3 --why
    """
    fmt = fmt or default_format()
    zone = display_zone(ctx, tz)
    with _session(ctx) as session:
        record = query.story(session, story_id, tz=zone)
        if why:
            from ingest.dedup import explain

            explanation = explain(session, story_id, tz=zone)
            if fmt is Format.table:
                rule = state(ctx).settings(read_only=True).dedup.canonical_rule
                print_why(record, explanation, rule, zone)
            else:
                render(
                    (jsonable(asdict(m)) for m in explanation.members),
                    fmt,
                    columns=["document_id", "relation", "similarity", "url", "rule"],
                )
            return
    if fmt is Format.table:
        rows = [
            {**m.to_dict(), "title": m.title, "document_id": m.document_id} for m in record.members
        ]
        columns = ["relation", "similarity", "outlet", "published_at", "url"]
        render(rows, fmt, columns=columns, title=f"Story {story_id}: {record.title}")
    elif fmt is Format.json or fmt is Format.jsonl:
        sys.stdout.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
    else:
        render((m.to_dict() for m in record.members), fmt, columns=list(_MEMBER_COLUMNS))


_MEMBER_COLUMNS = ("url", "outlet", "published_at", "relation", "similarity")


@app.command()
def documents(
    ctx: typer.Context,
    fmt: FormatOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    outlet: OutletOption = None,
    text: TextOption = None,
    limit: LimitOption = None,
    story_id: Annotated[
        int | None, typer.Option("--story", min=1, max=MAX_ID, help="Only this story.")
    ] = None,
    tz: TzOption = None,
) -> None:
    """List stored documents with their cleaned text and story, newest first.

    Example: ingest documents --format jsonl --since 2024-09-01 > documents.jsonl
    """
    filters = _filters(since, until, outlet, text, limit, display_zone(ctx, tz))
    fmt = fmt or default_format()
    with _session(ctx) as session:
        found = query.documents(session, filters, story_id=story_id)
        if fmt is Format.table:
            rows: Any = (document_row(d) for d in found)
            columns = ["story_id", "published_at", "outlet", "title", "url"]
        else:
            rows = (d.to_dict() for d in found)
            columns = [
                "url",
                "outlet",
                "title",
                "published_at",
                "published_precision",
                "event_date",
                "language",
                "story_id",
                "text",
            ]
        render(rows, fmt, columns=columns, title="Documents")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply any pending migrations (also done automatically on first use).

    Example: ingest --db postgresql+psycopg://localhost/news db upgrade
    """
    from ingest.store.migrate import current_revision

    store = open_store(state(ctx).settings().db_url)
    try:
        err.print(f"{store.url}: schema at revision {current_revision(store.engine)}")
    finally:
        store.close()


@dedup_app.command("rebuild")
def dedup_rebuild(ctx: typer.Context) -> None:
    """Re-cluster every stored document with the current dedup settings, without refetching.

    Example: INGEST_DEDUP__NEAR_JACCARD=0.6 ingest dedup rebuild
    """
    from ingest import dedup

    settings = state(ctx).settings()
    store = open_store(settings.db_url)
    try:
        with store.session() as session:
            result = dedup.rebuild(session, settings.dedup)
    finally:
        store.close()
    relations = ", ".join(f"{count} {name}" for name, count in sorted(result.relations.items()))
    err.print(
        f"rebuilt {result.stories} stories from {result.documents} documents "
        f"({relations}) in {result.duration_s:.1f} s"
    )


@app.command()
def sources(ctx: typer.Context, fmt: FormatOption = None, tz: TzOption = None) -> None:
    """Show each configured source and its health: last success, last error, failures, and
    the run ingesting it now (held by), if any.

    Example: ingest sources
    """
    from ingest.store.health import list_source_health

    settings = state(ctx).settings()
    with _session(ctx, create=True) as session:
        health = {h.name: h for h in list_source_health(session)}
    rows = []
    for source in settings.sources:
        row: dict[str, Any] = {
            "name": source.name,
            "kind": source.kind,
            "outlet": source.outlet,
            "enabled": source.enabled,
        }
        found = health.get(source.name)
        if found is not None:
            row.update({k: v for k, v in vars(found).items() if k not in row})
        rows.append(row)
    columns = [
        "name",
        "kind",
        "enabled",
        "last_success_at",
        "consecutive_failures",
        "last_error_class",
        "last_error",
        "held_by",
    ]
    render(
        rows, fmt or default_format(), columns=columns, title="Sources", tz=display_zone(ctx, tz)
    )


@app.command("settings")
def settings_(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """Show every setting in force, the environment variable that overrides it, and its meaning.

    Example: INGEST_FETCH__PER_HOST_DELAY=2 ingest settings
    """
    from ingest.config import settings_reference

    rows = settings_reference(state(ctx).settings(read_only=True))
    render(rows, fmt or default_format(), columns=["name", "value", "env", "description"])


def display_zone(ctx: typer.Context, name: str | None) -> tzinfo:
    """The zone given with ``--tz``, else the configured ``timezone``."""
    from ingest.schedules import zone

    if name is None:
        return zone(state(ctx).settings(read_only=True).timezone)
    try:
        return zone(name)
    except ConfigError:
        raise InputError(f"--tz: unknown time zone {name!r} (e.g. Asia/Makassar)") from None


@contextmanager
def _session(ctx: typer.Context, *, create: bool = False) -> Iterator[Session]:
    """The configured store and a read-only transaction, for one query command: no
    ``config/`` needed, and an SQLite file that does not exist is an error unless ``create``."""
    url = state(ctx).settings(read_only=True).db_url
    with open_store(url, create=create) as store, store.read_session() as session:
        yield session


def _print_summary(summary: RunSummary) -> None:
    """The run's summary line, and each failed source's reason, on stdout (logs: stderr)."""
    typer.echo(summary.line())
    for source in summary.sources:
        if source.error:
            typer.echo(f"  {source.source}: {source.error}")


def _register_plugins() -> None:
    try:
        from ingest.cli_prefect import register
    except ImportError:
        return
    register(app)


_register_plugins()


def main() -> None:
    """Console entry point: one line and a non-zero status on failure, never a traceback."""
    try:
        status = app(standalone_mode=False)
    except typer.TyperException as exc:  # a usage error: unknown option, missing argument
        message, context = exc.format_message(), getattr(exc, "ctx", None)
        if message:  # no message: the help was shown (no arguments given)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            err.print(f"ingest: error: {message}{hint}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("ingest: aborted")
        sys.exit(1)
    except (ConfigError, InputError) as exc:
        err.print(f"ingest: error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except Interrupted as exc:  # a run stopped by Ctrl-C or SIGTERM, recorded as interrupted
        err.print("ingest: interrupted")
        sys.exit(128 + exc.signum)
    except IngestError as exc:
        err.print(f"ingest: error: {exc}", markup=False, highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        status = INTERRUPTED
    if status == INTERRUPTED:  # Typer turns Ctrl-C into this status
        err.print("ingest: interrupted")
    if isinstance(status, int) and status:
        sys.exit(status)
