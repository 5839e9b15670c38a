"""One line of the import format, checked::

    parse_record('{"url": "https://kukarkab.go.id/berita/1", "text": "TENGGARONG – ..."}',
                 source="import", outlet=None)        # a Candidate
    parse_record('{"url": "http://a b.example/"}', source="import", outlet=None)
    # ValueError: 'url' is not a valid http(s) URL: its host 'a b.example' ...

Every problem is a ValueError whose message says what is wrong with the line, in one line
(the reader adds the file and the line number): JSON that does not parse or nests too deeply,
a value that is not a string, a string holding a lone surrogate (no UTF-8 text can), a URL
that is not a valid absolute http(s) URL (whitespace, a bad host, a port out of range), a
``published_at`` that is not an ISO 8601 date.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any
from urllib.parse import urlsplit

from ingest.records import Candidate
from ingest.sources._common import parse_iso, precision_of
from ingest.urls import canonicalize, host_of

__all__ = ["KEYS", "check_url", "parse_record"]

KEYS = frozenset({"url", "html", "text", "title", "outlet", "published_at"})

#: One label of a host name (underscores are common in the wild, so allowed).
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)", re.IGNORECASE)


def _decode(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise ValueError(f"invalid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    return record


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{key!r} holds a lone surrogate ({value[exc.start]!r} at character {exc.start + 1})"
        ) from None
    return value


def _host_problem(host: str) -> str | None:
    """What is wrong with a URL's host name, if anything."""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return "is not an IPv6 address"
        return None
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return "is not a valid host name"
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "is not a valid host name"
    return None


def check_url(url: str) -> str:
    """``url`` when it is a valid absolute http(s) URL; ValueError saying why not."""
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ValueError(f"'url' holds whitespace or a control character: {url[:200]!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # an unclosed IPv6 bracket, a port out of range
        raise ValueError(f"'url' is not a valid URL ({exc}): {url[:200]!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"'url' must be an absolute http(s) URL: {url[:200]!r}")
    if port == 0:
        raise ValueError(f"'url' has port 0: {url[:200]!r}")
    problem = _host_problem(parts.hostname)
    if problem is not None or "\\" in parts.netloc:
        raise ValueError(f"'url' host {parts.hostname!r} {problem or 'holds a backslash'}")
    return url


def _published(record: dict[str, Any]) -> tuple[str | None, Any]:
    raw = _optional_str(record, "published_at")
    if not raw:
        return None, None
    published = parse_iso(raw)
    if published is None:
        raise ValueError(f"'published_at' is not ISO 8601: {raw[:100]!r}")
    return raw, published


def parse_record(line: str, *, source: str, outlet: str | None) -> Candidate:
    """The Candidate of one line; ValueError saying what is wrong with it."""
    record = _decode(line)
    unknown = sorted(set(record) - KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0][:100]!r}")
    url = _optional_str(record, "url")
    if not url:
        raise ValueError("'url' is required")
    check_url(url)
    html, text = _optional_str(record, "html"), _optional_str(record, "text")
    if bool(html and html.strip()) == bool(text and text.strip()):
        raise ValueError("give exactly one of 'html' and 'text', not empty")
    raw_published, published = _published(record)
    canonical = canonicalize(url)
    return Candidate(
        url=canonical,
        source=source,
        outlet=_optional_str(record, "outlet") or outlet or host_of(canonical),
        published_at=published,
        published_precision=precision_of(raw_published) if raw_published else None,
        title=_optional_str(record, "title"),
        html=html or None,
        text=text or None,
    )
