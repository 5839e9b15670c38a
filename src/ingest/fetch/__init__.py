"""Fetching: the HTTP client and its parts.

:class:`Fetcher` is the public face; the modules behind it each do one job:
``hosts`` (per-host politeness), ``robots`` (robots.txt cache), ``retry`` (backoff policy),
``guard`` (refused address ranges), ``charset`` (real encodings), ``content`` (type checks).
"""

from __future__ import annotations

from ingest.fetch.charset import detect_encoding
from ingest.fetch.client import Fetcher, Getter
from ingest.fetch.content import Kind
from ingest.fetch.guard import AddressGuard

__all__ = ["AddressGuard", "Fetcher", "Getter", "Kind", "detect_encoding"]
