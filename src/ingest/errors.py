"""The exceptions raised by ingest.

Every failure the library reports is an :class:`IngestError`; catch a branch to handle a whole
category. Only the CLI turns these into exit codes and one-line messages.

    IngestError
    ├── ConfigError          a configuration file or setting is missing or invalid
    ├── InputError           an input file (``ingest import``) has a bad line
    ├── SourceError          a source could not be discovered (feed, sitemap or listing unusable)
    │   └── SourceBusy           another run is ingesting the source right now
    ├── FetchError           one URL could not be fetched; ``error_class`` names the kind
    │   ├── BlockedAddress       the host resolves to a refused address range
    │   ├── DNSError             the host name does not resolve
    │   ├── ConnectFailed        the connection was refused or reset
    │   ├── ProtocolFailure      a broken response: truncated body, bad chunking
    │   ├── TooManyRedirects     a redirect loop or more redirects than allowed
    │   ├── RobotsDisallowed     robots.txt forbids the URL
    │   ├── FetchTimeout         connect, read or total timeout
    │   ├── HTTPStatusError      a non-success HTTP status (``status_code``)
    │   ├── TooLarge             the body exceeds the size cap
    │   ├── UnsupportedContent   not HTML or XML (a PDF, an image)
    │   └── InvalidURL           not a URL that can be requested (a backslash in the host part,
    │                            an unclosed IPv6 bracket, a port out of range, not http(s))
    ├── NotAnArticle         the page is not an article (``reason``): listing, gallery, too short
    ├── StoreError           the database could not be read or written
    ├── WorkerError          a worker process died or sent back what cannot be read
    ├── PrefectServerError   a Prefect server that ingest starts did not answer in time
    ├── Interrupted          a run was stopped by a signal (Ctrl-C, SIGTERM): ``signum``
    └── NotFound             a story or document that does not exist
"""

from __future__ import annotations

import signal
from typing import Any

__all__ = [
    "BlockedAddress",
    "ConfigError",
    "ConnectFailed",
    "DNSError",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "IngestError",
    "InputError",
    "Interrupted",
    "InvalidURL",
    "NotAnArticle",
    "NotFound",
    "PrefectServerError",
    "ProtocolFailure",
    "RobotsDisallowed",
    "SourceBusy",
    "SourceError",
    "StoreError",
    "TooLarge",
    "TooManyRedirects",
    "UnsupportedContent",
    "WorkerError",
]


class IngestError(Exception):
    """Base of every error raised by ingest. Each pickles with its attributes (a page worker
    process sends back what a fetch for discovery raised), whatever its constructor takes."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(cls: type[IngestError], args: tuple[Any, ...], state: dict[str, Any]) -> IngestError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigError(IngestError):
    """A configuration file or setting is missing or invalid."""


class InputError(IngestError):
    """An input file has a line that cannot be ingested."""


class SourceError(IngestError):
    """A source could not be discovered; ``error_class`` is used for source health."""

    error_class = "parse"

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"source {source!r}: {message}")
        self.source = source


class SourceBusy(SourceError):
    """Another run holds the source's lease; a retry later can help."""

    error_class = "busy"


class FetchError(IngestError):
    """A URL could not be fetched.

    ``error_class`` is one of ``dns``, ``connect``, ``timeout``, ``http``, ``blocked``,
    ``robots``, ``too_large``, ``content_type``, ``protocol``, ``redirect``, ``parse``,
    ``bad_url``, ``other``.
    """

    error_class = "other"

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url


class BlockedAddress(FetchError):
    error_class = "blocked"


class DNSError(FetchError):
    error_class = "dns"


class ConnectFailed(FetchError):
    error_class = "connect"


class ProtocolFailure(FetchError):
    error_class = "protocol"


class TooManyRedirects(FetchError):
    error_class = "redirect"


class RobotsDisallowed(FetchError):
    error_class = "robots"


class FetchTimeout(FetchError):
    error_class = "timeout"


class HTTPStatusError(FetchError):
    error_class = "http"

    def __init__(self, url: str, status_code: int, retry_after: float | None = None) -> None:
        super().__init__(url, f"HTTP {status_code}")
        self.status_code = status_code
        self.retry_after = retry_after


class TooLarge(FetchError):
    error_class = "too_large"


class UnsupportedContent(FetchError):
    error_class = "content_type"


class InvalidURL(FetchError):
    """A URL from outside (a feed entry, a sitemap, a redirect's Location, a source's own
    URL) that no request can be made for, and why (``reason``); a feed or sitemap entry with
    one is rejected alone."""

    error_class = "bad_url"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.reason = reason


class NotAnArticle(IngestError):
    """A page that must not be stored as an article; ``reason`` is a short stable key
    (``listing``, ``gallery``, ``too_short``, ``error_page``, ``no_text``, ...)."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        message = f"{url}: not an article ({reason})"
        super().__init__(f"{message}: {detail}" if detail else message)
        self.url = url
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[NotAnArticle], tuple[str, str, str]]:
        # Raised in extraction worker processes and pickled back to the pipeline.
        return (type(self), (self.url, self.reason, self.detail))


class StoreError(IngestError):
    """The database could not be read or written."""


class WorkerError(IngestError):
    """A worker process (extraction, store writer) died or sent back what cannot be read."""


class PrefectServerError(IngestError):
    """A Prefect server that ingest starts (``ingest serve``'s, or the temporary one of a flow
    run with no server configured) exited or did not answer in time."""


class Interrupted(IngestError):
    """A run was stopped by the signal ``signum`` (SIGINT for Ctrl-C, or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum

    def __reduce__(self) -> tuple[Any, ...]:
        return (Interrupted, (self.signum,))


class NotFound(IngestError):
    """A story or document that does not exist."""
