"""A transport that serves requests from a local mirror instead of the network.

``https://HOST/PATH`` is read from ``<root>/HOST/PATH``; a path ending in ``/`` or naming a
folder serves its ``index.html``. Each file gets an ETag from its content hash, and a request
whose ``If-None-Match`` matches gets a 304, so a second run over an unchanged mirror fetches
nothing. The bundled demo uses it::

    fetcher = Fetcher(FetchSettings(snapshot_dir=Path("demo/mirror")))
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import unquote

import httpx

__all__ = ["SnapshotTransport"]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
    ".json": "application/json",
}


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


class SnapshotTransport(httpx.AsyncBaseTransport):
    """Serves ``<root>/<host>/<path>``; 404 when the file is missing."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _file(self, url: httpx.URL) -> Path | None:
        parts = [unquote(p) for p in url.path.split("/") if p]
        if any(p in (".", "..") or "\\" in p for p in parts):
            return None
        path = self.root.joinpath(url.host.lower(), *parts)
        if url.path.endswith("/") or path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = self._file(request.url)
        if path is None or request.method not in ("GET", "HEAD"):
            return httpx.Response(404, text="not in snapshot", request=request)
        body = path.read_bytes()
        etag = _etag(body)
        headers = {"ETag": etag, "Content-Type": _content_type(path)}
        if etag in request.headers.get("if-none-match", ""):
            return httpx.Response(304, headers={"ETag": etag}, request=request)
        return httpx.Response(200, headers=headers, content=body, request=request)
