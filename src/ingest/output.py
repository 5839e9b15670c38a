"""One renderer for every listing command: ``table`` (default at a terminal), ``json``,
``jsonl`` and ``csv`` (default elsewhere: ``jsonl``)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from enum import StrEnum
from functools import partial
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["Format", "FormatOption", "default_format", "json_value", "render"]


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


#: The ``--format`` option every listing command takes.
FormatOption = Annotated[
    Format | None, typer.Option("--format", "-f", help="table, json, jsonl or csv.")
]


def default_format(stream: TextIO | None = None) -> Format:
    stream = stream or sys.stdout
    return Format.table if stream.isatty() else Format.jsonl


def _cell(value: Any, tz: tzinfo | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(tz) if tz is not None else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def json_value(value: Any, tz: tzinfo | None = None) -> Any:
    """How a value JSON cannot hold is written: ISO 8601 for dates (datetimes in ``tz`` when
    given, with its offset), else its text."""
    if isinstance(value, datetime) and tz is not None:
        return value.astimezone(tz).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _csv_cell(value: Any, tz: tzinfo | None = None) -> str:
    if hasattr(value, "isoformat"):
        return str(json_value(value, tz))
    return _cell(value)


def render(
    rows: Iterable[Mapping[str, Any]],
    fmt: Format,
    *,
    columns: Sequence[str],
    stream: TextIO | None = None,
    title: str | None = None,
    tz: tzinfo | None = None,
) -> int:
    """Write ``rows`` in ``fmt``; ``columns`` picks and orders the table and CSV columns
    (JSON formats keep every key). Datetimes are shown in ``tz`` when given: to the minute in
    tables, ISO 8601 with its offset elsewhere. Returns the number of rows written."""
    out = stream or sys.stdout
    count = 0
    default = partial(json_value, tz=tz)
    if fmt is Format.jsonl:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=default) + "\n")
            count += 1
    elif fmt is Format.json:
        items = list(rows)
        json.dump(items, out, ensure_ascii=False, indent=2, default=default)
        out.write("\n")
        count = len(items)
    elif fmt is Format.csv:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c), tz) for c in columns])
            count += 1
    else:
        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column.replace("_", " "), overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(c), tz) for c in columns))
            count += 1
        Console(file=out).print(table)
    return count
