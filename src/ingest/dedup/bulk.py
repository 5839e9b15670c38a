"""Inserting many rows of plain values (integers, strings, bytes) in few statements.

PostgreSQL gets one statement per table: ``INSERT ... SELECT * FROM unnest(...)`` with one
array per column. SQLite gets multi-row ``INSERT ... VALUES (?, ?), (?, ?), ...`` statements
of up to :data:`SQLITE_ROWS` rows, the parameters in one flat list: the prepared statement of
a full chunk is reused from one batch to the next, and no row becomes a Python object of its
own (the driver's ``executemany`` binds each row separately and needs a tuple per row, about
twice the time, and the allocations kept the garbage collector busy).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

__all__ = ["SQLITE_ROWS", "insert_columns"]

#: Rows per SQLite statement at most: 500, fewer when 500 rows would pass 999 parameters (the
#: limit of SQLite builds before 3.32).
SQLITE_ROWS = 500


def insert_columns(
    session: Session,
    table: Table,
    columns: dict[str, Sequence[Any]],
    add_to: str | None = None,
) -> None:
    """Insert rows given column by column (every column as long). With ``add_to``, a row whose
    ``key`` exists adds its ``add_to`` column to the stored one (the keys must then be
    distinct)."""
    n_rows = len(next(iter(columns.values())))
    if not n_rows:
        return
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {table.name} ({', '.join(quote(c) for c in columns)})"
    conflict = ""
    if add_to is not None:
        target = quote(add_to)
        conflict = (
            f" ON CONFLICT ({quote('key')}) DO UPDATE"
            f" SET {target} = {table.name}.{target} + excluded.{target}"
        )
    if dialect.name == "postgresql":
        arrays = ", ".join(
            f"CAST(:c{i} AS {table.c[c].type.compile(dialect)}[])" for i, c in enumerate(columns)
        )
        params = {f"c{i}": list(values) for i, values in enumerate(columns.values())}
        session.execute(text(f"{head} SELECT * FROM unnest({arrays}){conflict}"), params)
        return
    width = len(columns)
    flat: list[Any] = [None] * (width * n_rows)
    for i, values in enumerate(columns.values()):
        flat[i::width] = values
    step = min(SQLITE_ROWS, 999 // width)
    connection = session.connection()
    for start in range(0, n_rows, step):
        count = min(step, n_rows - start)
        part = tuple(flat[start * width : (start + count) * width])
        connection.exec_driver_sql(_values_sql(head, conflict, width, count), part)


@lru_cache(maxsize=64)
def _values_sql(head: str, conflict: str, width: int, rows: int) -> str:
    """``head VALUES (?, ...), ... conflict`` for ``rows`` rows of ``width`` values."""
    group = f"({', '.join(['?'] * width)})"
    return f"{head} VALUES {', '.join([group] * rows)}{conflict}"
