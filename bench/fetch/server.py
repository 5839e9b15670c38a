"""A minimal keep-alive HTTP/1.1 server for the benchmark, listening on several loopback IPs.

It answers from a dict of prepared bodies with almost no work per request, so the figures
measure the client, not the server. ``robots.txt`` is 404 (everything allowed).
"""

from __future__ import annotations

import asyncio
import hashlib


class _Protocol(asyncio.Protocol):
    def __init__(self, pages: dict[tuple[str, str], bytes], host: str) -> None:
        self.pages = pages
        self.host = host
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            path = head.split(b" ", 2)[1].decode()
            body = self.pages.get((self.host, path))
            if body is None:
                reply = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            else:
                etag = hashlib.sha1(body).hexdigest()[:16].encode()
                reply = _reply(head, body, etag)
            self.transport.write(reply)  # type: ignore[attr-defined]


def _reply(head: bytes, body: bytes, etag: bytes) -> bytes:
    """200 with the body and its ETag, or 304 when the request names that ETag."""
    if b'if-none-match: "' + etag + b'"' in head.lower():
        return b'HTTP/1.1 304 Not Modified\r\nETag: "' + etag + b'"\r\nContent-Length: 0\r\n\r\n'
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b'ETag: "' + etag + b'"\r\nContent-Length: ' + str(len(body)).encode() + b"\r\n\r\n" + body
    )


async def _serve(pages: dict[tuple[str, str], bytes], hosts: list[str], port: int) -> None:
    loop = asyncio.get_running_loop()
    servers = [
        await loop.create_server(lambda h=host: _Protocol(pages, h), host, port)  # type: ignore[misc]
        for host in hosts
    ]
    await asyncio.gather(*(s.serve_forever() for s in servers))


def serve(pages: dict[tuple[str, str], bytes], hosts: list[str], port: int) -> None:
    """Run until killed (the target of a multiprocessing.Process)."""
    asyncio.run(_serve(pages, hosts, port))
