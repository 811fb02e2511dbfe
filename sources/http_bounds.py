"""Bounds on one HTTP response: a total deadline per request and a maximum decoded size.

``httpx``'s timeout bounds each read, not the request: a server that sends a byte every few
seconds (headers or body) keeps a request open for as long as it likes. :class:`Deadline` is a
watchdog timer that, when the request's time is up, shuts down the sockets the request uses
(found through httpcore's documented ``trace`` extension), so a blocked read returns at once.

A compressed body is decoded here, in slices of at most ``SLICE`` bytes, and counted as it
grows: a gzip bomb stops at the bound, never inflated into memory first (httpx would inflate
each 64 KB it reads in one go, some 64 MB of zeros). The client therefore asks only for the
encodings decoded here (``ACCEPT_ENCODING``).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx

ACCEPT_ENCODING = "gzip, deflate"
SLICE = 1 << 20  # most bytes one decompression step may produce
RAW_CHUNK = 1 << 16


class TooLarge(Exception):
    """The decoded body passed the bound."""


class BadEncoding(Exception):
    """The body is not in the Content-Encoding it claims, or in one not asked for."""


class Deadline:
    """A request's total time. ``trace`` goes into the request's extensions; when the time is
    up every socket in ``sockets`` is shut down, and ``expired`` says so afterwards.

    ``sockets`` is the client's list of the connections it opened, kept across requests: a
    request on a connection reused from the pool opens none, and its socket must be known
    before the server sends (or trickles) a header. The client sends one request at a time,
    so every socket in the list is this request's or idle in the pool."""

    def __init__(self, seconds: float, sockets: list[socket.socket] | None = None):
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.fired = False
        self._sockets = sockets if sockets is not None else []
        self._sockets[:] = [s for s in self._sockets if s.fileno() != -1]  # closed: forgotten
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    @property
    def expired(self) -> bool:
        return self.fired or time.monotonic() >= self.ends_at

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: note the socket of a connection made for this request."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)
                    if self.fired:  # connected just after the deadline
                        _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # shutdown, not close: it wakes a read blocked in another thread (the request's).
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class _Decoder:
    """Content-Encoding identity, gzip or deflate, decoded slice by slice."""

    def __init__(self, encoding: str):
        names = [part.strip().lower() for part in encoding.split(",") if part.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > 1 or (names and names[0] not in ("gzip", "x-gzip", "deflate")):
            raise BadEncoding(f"Content-Encoding {encoding!r} was not asked for")
        self.name = names[0] if names else None
        wbits = zlib.MAX_WBITS | 16 if self.name in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits) if self.name else None
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._z is None:
            yield data
            return
        while data:
            try:
                out = self._z.decompress(data, SLICE)
            except zlib.error as exc:
                if self.name == "deflate" and not self._started:  # raw deflate, no zlib header
                    self._z, self._started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise BadEncoding(f"not valid {self.name} data: {exc}") from exc
            self._started = True
            rest = self._z.unconsumed_tail
            if not out and rest == data:
                break
            yield out
            data = rest

    def finish(self) -> bytes:
        return self._z.flush() if self._z is not None else b""


def read_body(response: httpx.Response, max_bytes: int, deadline: Deadline) -> bytes:
    """The decoded body of a streamed response, at most ``max_bytes`` of it. Raises
    :class:`TooLarge`, :class:`BadEncoding`, or ``TimeoutError`` past the deadline."""
    decoder = _Decoder(response.headers.get("Content-Encoding", ""))
    declared = response.headers.get("Content-Length", "")
    if decoder.name is None and declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"Content-Length {int(declared):,} bytes")
    body = bytearray()
    for raw in response.iter_raw(RAW_CHUNK):
        if deadline.expired:
            raise TimeoutError
        for piece in decoder.feed(raw):
            body += piece
            if len(body) > max_bytes:
                raise TooLarge(f"more than {max_bytes:,} bytes after decoding")
    body += decoder.finish()
    if len(body) > max_bytes:
        raise TooLarge(f"more than {max_bytes:,} bytes after decoding")
    if deadline.expired:  # the watchdog cut the stream short: what arrived is not the body
        raise TimeoutError
    return bytes(body)


def with_body(response: httpx.Response, body: bytes) -> httpx.Response:
    """A complete response holding the decoded ``body`` (no longer content-encoded)."""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions={"http_version": response.extensions.get("http_version", b"HTTP/1.1")},
    )
