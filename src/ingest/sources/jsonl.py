"""The import format: one JSON document a line.

``url`` (required, unique), ``html`` or ``text`` (exactly one), optional ``title``, ``outlet``
and ``published_at`` (ISO 8601; without an offset it is taken as UTC, and a date alone is
that day in every zone). Every line is checked
before any is returned, so a bad file is refused as a whole with an InputError naming the file,
the line and the problem::

    {"url": "https://kukarkab.go.id/berita/1", "text": "TENGGARONG – ...", "outlet": "kukar"}
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.config import SourceConfig
from ingest.errors import InputError
from ingest.fetch import Getter
from ingest.records import Candidate
from ingest.sources._common import parse_iso, precision_of
from ingest.urls import canonicalize, host_of, is_http_url

__all__ = ["discover", "read_jsonl"]

_KEYS = frozenset({"url", "html", "text", "title", "outlet", "published_at"})


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string")
    return value


def _parse_line(line: str, source: str, default_outlet: str | None) -> Candidate:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    unknown = sorted(set(record) - _KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    url = _optional_str(record, "url")
    if not url or not is_http_url(url):
        raise ValueError("'url' must be an absolute http(s) URL")
    html, text = _optional_str(record, "html"), _optional_str(record, "text")
    if bool(html and html.strip()) == bool(text and text.strip()):
        raise ValueError("give exactly one of 'html' and 'text', not empty")
    published_raw = _optional_str(record, "published_at")
    published = parse_iso(published_raw) if published_raw else None
    if published_raw and published is None:
        raise ValueError(f"'published_at' is not ISO 8601: {published_raw!r}")
    canonical = canonicalize(url)
    return Candidate(
        url=canonical,
        source=source,
        outlet=_optional_str(record, "outlet") or default_outlet or host_of(canonical),
        published_at=published,
        published_precision=precision_of(published_raw) if published_raw else None,
        title=_optional_str(record, "title"),
        html=html or None,
        text=text or None,
    )


def read_jsonl(path: Path, *, source: str = "import", outlet: str | None = None) -> list[Candidate]:
    """Every document of a JSONL file; InputError at the first bad line, before any is used."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    candidates: list[Candidate] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            candidate = _parse_line(line, source, outlet)
        except ValueError as exc:
            raise InputError(f"{path}:{number}: {exc}") from None
        if candidate.url in first_line:
            raise InputError(
                f"{path}:{number}: duplicate url {candidate.url} (first on line "
                f"{first_line[candidate.url]})"
            )
        first_line[candidate.url] = number
        candidates.append(candidate)
    return candidates


async def discover(
    source: SourceConfig, fetcher: Getter | None = None, *, since: datetime | None = None
) -> list[Candidate]:
    """The documents of the JSONL file at ``source.path`` (all of them: ``since`` is ignored)."""
    if source.path is None:
        raise InputError(f"source {source.name!r}: kind 'jsonl' needs a path")
    return read_jsonl(source.path, source=source.name, outlet=source.outlet)
