"""A real TCP proxy on loopback that injects network faults between a client and a server.

It runs its own asyncio event loop in a background thread, so a test (on any
thread) drives a real client through it against a real server process and
switches faults at runtime:

    with FaultProxy.to(central_api.url) as proxy:
        session = SessionManager(store, CredentialStore(), proxy.url)
        proxy.set_mode("cut_after_request", times=1, path_prefix="/sync/push")
        ...
        [r.fault for r in proxy.requests(path_prefix="/sync/push")]  # ["cut_after_request", "pass"]

Modes (``FaultProxy.MODES``):

``pass``
    forward each request to the server and its response back.
``cut_after_request``
    forward the request, read the server's whole response (so the server has
    committed), then close the client's connection without sending any of it.
``refuse``
    reset (RST) a new connection as soon as it is accepted, and a kept-alive
    connection as soon as a request arrives on it: the client sees a
    connection error and the server sees nothing.
``down``
    stop listening: new connections are refused by the kernel (ECONNREFUSED);
    a kept-alive connection is reset at its next request. Listening resumes
    on the same port when the mode changes.
``blackhole``
    accept the request and never answer (nor forward it): the connection stays open until the client gives
    up, as on a network that swallows packets (a captive Wi-Fi, a dead mobile cell).
``http_503``
    answer every request itself with ``503 Service Unavailable``,
    ``Content-Length: 0``, ``Connection: close``, without contacting the server
    (plus ``Retry-After: <n>`` when ``retry_after`` is set).

``set_mode(mode, times=N, path_prefix=P)`` applies a mode to the next N
requests whose path starts with P (others pass) and then reverts to ``pass``.
``latency`` (seconds, settable at any time) delays each request before it is
handled, for slow links. Each request is recorded (``RequestRecord``: arrival
time on ``time.monotonic()``, method, path, the mode applied as its ``fault``,
status the client got, status the server gave) and counted per mode. The
schedule and the record are the ones ``FaultyTransport`` uses (tests/support/faults.py).

The proxy understands just enough HTTP/1.1 to find where requests and
responses end (Content-Length, chunked, or close-delimited responses), so
keep-alive connections carry many requests and each one gets its own mode.
It only listens on and connects to loopback addresses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Coroutine
from urllib.parse import urlsplit

from tests.support.faults import FaultSchedule, RequestLog, RequestRecord

LISTEN_HOST = "127.0.0.1"
STREAM_LIMIT = 1 << 20  # the longest head line/header block we accept
LOOP_CALL_TIMEOUT_S = 10.0


def _response_503(retry_after: int | None) -> bytes:
    header = f"Retry-After: {retry_after}\r\n" if retry_after is not None else ""
    return (
        "HTTP/1.1 503 Service Unavailable\r\n"
        f"Content-Length: 0\r\n{header}"
        "Connection: close\r\n"
        "\r\n"
    ).encode("ascii")


class ProxyProtocolError(Exception):
    """A peer sent something that is not the HTTP/1.1 the proxy can frame."""


@dataclass(frozen=True)
class _Message:
    raw: bytes  # head and body exactly as received
    start_line: str
    headers: list[tuple[str, str]]  # names lower-cased

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def wants_close(self) -> bool:
        return "close" in (self.header("connection") or "").lower()


def _require_loopback(host: str) -> None:
    try:
        address = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError as exc:
        raise ValueError(f"the fault proxy only forwards to a loopback IP address, not {host!r}") from exc
    if not address.is_loopback:
        raise ValueError(f"the fault proxy only forwards to loopback, not {host!r}")


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    """The head up to and including the blank line; None on a clean close before any byte."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise ProxyProtocolError("connection closed in the middle of a message head") from exc
    except asyncio.LimitOverrunError as exc:
        raise ProxyProtocolError("message head too long") from exc


def _parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("iso-8859-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise ProxyProtocolError(f"malformed header line {line!r}")
        headers.append((name.strip().lower(), value.strip()))
    return lines[0], headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        parts.append(size_line)
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while True:  # trailers, then the blank line
                trailer = await reader.readuntil(b"\r\n")
                parts.append(trailer)
                if trailer == b"\r\n":
                    return b"".join(parts)
        parts.append(await reader.readexactly(size + 2))


async def _read_message(
    reader: asyncio.StreamReader, *, request_method: str | None = None
) -> _Message | None:
    """Read one request (request_method None) or one response to request_method."""
    head = await _read_head(reader)
    if head is None:
        return None
    start_line, headers = _parse_head(head)
    message = _Message(head, start_line, headers)
    try:
        if request_method is not None:
            status = int(start_line.split(" ", 2)[1])
            if request_method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                return message
        if "chunked" in (message.header("transfer-encoding") or "").lower():
            body = await _read_chunked(reader)
        elif message.header("content-length") is not None:
            body = await reader.readexactly(int(message.header("content-length")))
        elif request_method is not None:
            body = await reader.read()  # a response delimited by the end of the connection
        else:
            body = b""  # a request without a body
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as exc:
        raise ProxyProtocolError(f"cannot frame the message after {start_line!r}: {exc}") from exc
    return _Message(head + body, start_line, headers)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset: the peer sees 'connection reset', not an orderly end."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


class FaultProxy:
    MODES = ("pass", "cut_after_request", "refuse", "down", "http_503", "blackhole")

    def __init__(self, target_host: str, target_port: int, *, listen_port: int = 0) -> None:
        _require_loopback(target_host)
        self.target_host = target_host
        self.target_port = int(target_port)
        self.port = listen_port
        self._lock = threading.Lock()
        self._schedule = FaultSchedule("pass")
        self._log = RequestLog()
        self._latency = 0.0
        self._retry_after: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task] = set()

    @classmethod
    def to(cls, url: str, **kwargs: Any) -> "FaultProxy":
        """A proxy in front of the server at url (http://127.0.0.1:<port>)."""
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"expected http://<loopback host>:<port>, got {url!r}")
        return cls(parts.hostname, parts.port, **kwargs)

    @property
    def url(self) -> str:
        return f"http://{LISTEN_HOST}:{self.port}"

    # -- lifecycle (call from the test thread) ------------------------------------------

    def start(self) -> "FaultProxy":
        if self._thread is not None:
            return self
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"fault-proxy-{id(self):x}", daemon=True)
        self._thread.start()
        try:
            self._call(self._listen())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            self._call(self._shutdown())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=LOOP_CALL_TIMEOUT_S)
            loop.close()
            self._loop = self._thread = None

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        assert self._loop is not None, "the proxy is not running"
        if threading.current_thread() is self._thread:
            raise RuntimeError("call the fault proxy's controls from a test thread, not its own loop")
        future: Future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=LOOP_CALL_TIMEOUT_S)

    # -- controls (thread-safe) -------------------------------------------------------------

    def set_mode(self, mode: str, *, times: int | None = None, path_prefix: str | None = None) -> None:
        """Apply mode to the next `times` requests (all, if None) whose path starts with path_prefix.

        Requests that do not match pass; after `times` matching requests the proxy reverts to pass.
        """
        if mode not in self.MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {self.MODES}")
        if mode == "down" and (times is not None or path_prefix is not None):
            raise ValueError("'down' stops listening altogether: it takes no times or path_prefix")
        self._schedule.set(mode, times=times, path_prefix=path_prefix)
        if self._loop is not None:
            self._call(self._sync_listening())

    @property
    def mode(self) -> str:
        return self._schedule.standing

    @property
    def latency(self) -> float:
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        with self._lock:
            self._latency = float(seconds)

    @property
    def retry_after(self) -> int | None:
        with self._lock:
            return self._retry_after

    @retry_after.setter
    def retry_after(self, seconds: int | None) -> None:
        """Add 'Retry-After: <seconds>' to the proxy's own 503 answers (None: no header)."""
        if seconds is not None and seconds < 0:
            raise ValueError("retry_after cannot be negative")
        with self._lock:
            self._retry_after = None if seconds is None else int(seconds)

    def requests(self, *, path_prefix: str | None = None, method: str | None = None) -> list[RequestRecord]:
        """The requests seen so far, in order of arrival."""
        return self._log.requests(path_prefix=path_prefix, method=method)

    @property
    def counts(self) -> dict[str, int]:
        """How many requests (or reset connections) each mode was applied to."""
        return self._log.counts

    def count(self, mode: str) -> int:
        return self._log.count(mode)

    def clear_log(self) -> None:
        self._log.clear()

    # -- inside the proxy's loop ----------------------------------------------------------------

    def _record(self, at: float, method: str | None, path: str | None, mode: str,
                status: int | None, upstream_status: int | None) -> None:
        self._log.add(RequestRecord(method, path, mode, status, upstream_status, at))

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._handle, LISTEN_HOST, self.port, limit=STREAM_LIMIT, reuse_address=True
            )
            self.port = self._server.sockets[0].getsockname()[1]

    async def _sync_listening(self) -> None:
        if self.mode == "down":
            if self._server is not None:
                server, self._server = self._server, None
                server.close()  # the listening socket closes now; open connections stay until their next request
        else:
            await self._listen()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0)  # let the closed transports finish closing before the loop stops

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            if self._schedule.spend_if_standing("refuse"):  # reset before reading: refuse for any path
                self._record(time.monotonic(), None, None, "refuse", None, None)
                _reset(writer)
                return
            while True:
                request = await _read_message(reader)
                if request is None:
                    return  # the client closed its connection
                arrived = time.monotonic()
                method, path = (request.start_line.split(" ") + ["", ""])[:2]
                mode = self._schedule.next(path)
                latency = self.latency
                if latency:
                    await asyncio.sleep(latency)
                if mode in ("refuse", "down"):
                    self._record(arrived, method, path, mode, None, None)
                    _reset(writer)
                    return
                if mode == "blackhole":
                    self._record(arrived, method, path, mode, None, None)
                    while await reader.read(STREAM_LIMIT):  # swallow whatever comes, until the client closes
                        pass
                    return
                if mode == "http_503":
                    writer.write(_response_503(self.retry_after))
                    await writer.drain()
                    self._record(arrived, method, path, mode, 503, None)
                    return
                if upstream is None:
                    upstream = await asyncio.open_connection(self.target_host, self.target_port, limit=STREAM_LIMIT)
                up_reader, up_writer = upstream
                up_writer.write(request.raw)
                await up_writer.drain()
                response = await _read_message(up_reader, request_method=method)
                if response is None:  # the server closed without answering
                    self._record(arrived, method, path, mode, None, None)
                    return
                upstream_status = int(response.start_line.split(" ", 2)[1])
                if mode == "cut_after_request":
                    self._record(arrived, method, path, mode, None, upstream_status)
                    return  # the finally clause closes the client's connection: it never sees the answer
                writer.write(response.raw)
                await writer.drain()
                self._record(arrived, method, path, mode, upstream_status, upstream_status)
                delimited_by_close = (
                    response.header("content-length") is None
                    and "chunked" not in (response.header("transfer-encoding") or "").lower()
                    and method != "HEAD" and upstream_status not in (204, 304)
                )
                if request.wants_close or response.wants_close or delimited_by_close:
                    return
        except (ProxyProtocolError, ConnectionError, OSError):
            pass  # a peer went away or spoke nonsense: drop this connection, keep the proxy running
        finally:
            self._connections.discard(task)
            for stream_writer in (writer, upstream[1] if upstream else None):
                if stream_writer is not None and not stream_writer.transport.is_closing():
                    stream_writer.close()
