"""One renderer for every listing command: ``table`` (default at a terminal), ``json``,
``jsonl`` and ``csv`` (default elsewhere: ``jsonl``)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

__all__ = ["Format", "default_format", "render"]


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def default_format(stream: TextIO | None = None) -> Format:
    stream = stream or sys.stdout
    return Format.table if stream.isatty() else Format.jsonl


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render(
    rows: Iterable[Mapping[str, Any]],
    fmt: Format,
    *,
    columns: Sequence[str],
    stream: TextIO | None = None,
    title: str | None = None,
) -> int:
    """Write ``rows`` in ``fmt``; ``columns`` picks and orders the table and CSV columns
    (JSON formats keep every key). Returns the number of rows written."""
    out = stream or sys.stdout
    count = 0
    if fmt is Format.jsonl:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    elif fmt is Format.json:
        items = list(rows)
        json.dump(items, out, ensure_ascii=False, indent=2)
        out.write("\n")
        count = len(items)
    elif fmt is Format.csv:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
            count += 1
    else:
        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
            count += 1
        Console(file=out).print(table)
    return count
