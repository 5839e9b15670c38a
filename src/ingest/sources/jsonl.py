"""The import format: one JSON document a line.

``url`` (required, unique), ``html`` or ``text`` (exactly one), optional ``title``, ``outlet``
and ``published_at`` (ISO 8601; without an offset it is taken as UTC)::

    {"url": "https://kukarkab.go.id/berita/1", "text": "TENGGARONG – ...", "outlet": "kukar"}

The file is read twice, a line at a time, so that memory stays bounded whatever its size::

    documents = JsonlDocuments(path, source="import", outlet=None, settings=ImportSettings())
    len(documents)          # the first pass checked every line: InputError at the first bad one
    for candidate in documents:   # the second pass reads them again, one by one
        ...

Lines end at ``\\n`` only (a U+2028 or U+0085 inside a JSON string is text, not a line end); a
UTF-8 byte order mark at the start is skipped; blank lines are ignored. A line longer than
``max_line_bytes`` is refused without being held in memory. With ``keep_going`` a bad line
(or a repeated URL) is logged with its number and skipped instead, and kept in ``rejected``
(reason ``bad_line``). What the first pass keeps is one 16-byte digest per URL (to find repeats), so
memory grows with the number of lines, never with their size.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ingest.config import ImportSettings, SourceConfig
from ingest.errors import InputError
from ingest.fetch import Getter
from ingest.records import Candidate, Rejection
from ingest.sources.jsonl_record import parse_record

__all__ = ["BAD_LINE", "JsonlDocuments", "discover", "read_jsonl"]

log = logging.getLogger(__name__)

#: The rejection reason of a line skipped with ``keep_going``.
BAD_LINE = "bad_line"

_BOM = b"\xef\xbb\xbf"

#: Bytes read at a time while skipping the rest of an over-long line.
_SKIP_CHUNK = 1 << 20

#: JSON's own whitespace: a line of nothing else is blank.
_JSON_SPACE = " \t\r\n"


def _lines(path: Path, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Each line of ``path`` with its number, without its ``\\n``; None for a line longer than
    ``max_bytes`` (skipped without being held in memory)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        number = 0
        while raw := handle.readline(max_bytes + 1):
            number += 1
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            if raw.endswith(b"\n"):
                yield number, raw[:-1]
            elif len(raw) <= max_bytes:
                yield number, raw  # the last line, without a line end
            else:
                while (rest := handle.readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
                    pass
                yield number, None


def _parse(raw: bytes | None, *, source: str, outlet: str | None, limit: int) -> Candidate | None:
    """The line's candidate, None for a blank line; ValueError saying what is wrong."""
    if raw is None:
        raise ValueError(f"line longer than {limit:,} bytes (imports.max_line_bytes)")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start + 1} of the line)") from None
    if not line.strip(_JSON_SPACE):
        return None
    return parse_record(line, source=source, outlet=outlet)


def _digest(url: str) -> bytes:
    return hashlib.blake2b(url.encode("utf-8"), digest_size=16).digest()


class JsonlDocuments:
    """The documents of one JSONL file: checked when made, read again when iterated (see the
    module's docstring). ``len()`` is the number of documents that will be given."""

    def __init__(
        self, path: Path, *, source: str, outlet: str | None, settings: ImportSettings
    ) -> None:
        self.path = path
        self.source = source
        self.outlet = outlet
        self.settings = settings
        self.rejected: list[Rejection] = []
        self._first: dict[bytes, int] = {}
        self._check()

    def __len__(self) -> int:
        return len(self._first)

    def __iter__(self) -> Iterator[Candidate]:
        for number, candidate in self._read():
            if candidate is not None and self._first.get(_digest(candidate.url)) == number:
                yield candidate

    def _read(self) -> Iterator[tuple[int, Candidate | None]]:
        """Each line's candidate, None for a blank or (with ``keep_going``) bad line."""
        limit = self.settings.max_line_bytes
        for number, raw in _lines(self.path, limit):
            try:
                yield number, _parse(raw, source=self.source, outlet=self.outlet, limit=limit)
            except ValueError as exc:
                if not self.settings.keep_going:
                    raise InputError(f"{self.path}:{number}: {exc}") from None
                yield number, None

    def _check(self) -> None:
        """The first pass: every line parsed, each URL's first line noted."""
        limit = self.settings.max_line_bytes
        for number, raw in _lines(self.path, limit):
            try:
                candidate = _parse(raw, source=self.source, outlet=self.outlet, limit=limit)
                if candidate is not None:
                    self._note(candidate.url, number)
            except ValueError as exc:
                if not self.settings.keep_going:
                    raise InputError(f"{self.path}:{number}: {exc}") from None
                message = f"{self.path}:{number}: {exc}"
                self.rejected.append(Rejection(BAD_LINE, message))
                log.warning("skipped %s", message)

    def _note(self, url: str, number: int) -> None:
        first = self._first.setdefault(_digest(url), number)
        if first != number:
            raise ValueError(f"duplicate url {url} (first on line {first})")


def read_jsonl(
    path: Path,
    *,
    source: str = "import",
    outlet: str | None = None,
    settings: ImportSettings | None = None,
) -> JsonlDocuments:
    """Every document of a JSONL file, checked: InputError at the first bad line (unless
    ``settings.keep_going``), before any is given."""
    return JsonlDocuments(path, source=source, outlet=outlet, settings=settings or ImportSettings())


async def discover(
    source: SourceConfig,
    fetcher: Getter | None = None,
    *,
    since: datetime | None = None,
    settings: ImportSettings | None = None,
) -> JsonlDocuments:
    """The documents of the JSONL file at ``source.path`` (all of them: ``since`` is ignored).
    The file is checked here, in a thread: the event loop goes on meanwhile."""
    if source.path is None:
        raise InputError(f"source {source.name!r}: kind 'jsonl' needs a path")
    path = source.path
    return await asyncio.to_thread(
        read_jsonl, path, source=source.name, outlet=source.outlet, settings=settings
    )
