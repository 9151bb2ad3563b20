"""A small keep-alive HTTP/1.1 client for subgraph POSTs, on asyncio streams.

Why not httpx/httpcore: their pool does work proportional to (open connections x waiting
requests) on every request, which dominated the gateway's CPU under concurrent load. A
gateway needs only POST with a JSON body to a handful of hosts, so this client keeps idle
connections per host in a stack, sends each request in one write (TCP_NODELAY set) and
reads `Content-Length` or chunked bodies.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit


class HTTPClientError(Exception):
    """The request got no complete HTTP response (connection, protocol or timeout).

    `retryable`: the subgraph cannot have answered (the connection was refused, could not
    be made in time, or was dropped before any byte of a response), so an idempotent
    request may be sent again. `timed_out`: the whole request took too long."""

    def __init__(self, message: str, *, retryable: bool = False, timed_out: bool = False):
        super().__init__(message)
        self.retryable = retryable
        self.timed_out = timed_out


@dataclass(frozen=True)
class _Target:
    host: str
    port: int
    tls: bool
    path: bytes
    host_header: bytes


class _Connection:
    __slots__ = ("reader", "uses", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.uses = 0

    def close(self) -> None:
        self.writer.close()


class Http1Pool:
    """Idle keep-alive connections per (host, port, tls); at most `max_idle` kept per host."""

    def __init__(self, *, max_idle: int = 100) -> None:
        self.max_idle = max_idle
        self._idle: dict[tuple[str, int, bool], list[_Connection]] = {}
        self._targets: dict[str, _Target] = {}
        self._ssl: ssl.SSLContext | None = None

    def _target(self, url: str) -> _Target:
        found = self._targets.get(url)
        if found is None:
            parts = urlsplit(url)
            tls = parts.scheme == "https"
            port = parts.port or (443 if tls else 80)
            host = parts.hostname or "localhost"
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            default = (tls and port == 443) or (not tls and port == 80)
            host_header = host if default else f"{host}:{port}"
            found = _Target(host, port, tls, path.encode(), host_header.encode())
            self._targets[url] = found
        return found

    async def _connect(self, target: _Target) -> _Connection:
        context = None
        if target.tls:
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        reader, writer = await asyncio.open_connection(
            target.host, target.port, ssl=context, limit=2**20
        )
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Connection(reader, writer)

    async def post(
        self,
        url: str,
        body: bytes,
        headers: list[tuple[bytes, bytes]],
        timeout: float | None,
        connect_timeout: float | None = None,
    ) -> tuple[int, str, bytes]:
        """POST `body`; returns (status, reason, response body). Raises HTTPClientError.
        `timeout` bounds the whole exchange, `connect_timeout` making a new connection
        (None: no bound of its own)."""
        target = self._target(url)
        head = [
            b"POST ",
            target.path,
            b" HTTP/1.1\r\nhost: ",
            target.host_header,
            b"\r\ncontent-length: ",
            str(len(body)).encode(),
            b"\r\n",
        ]
        for name, value in headers:
            head += [name, b": ", value, b"\r\n"]
        head.append(b"\r\n")
        request = b"".join(head) + body
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(target, request, connect_timeout)
        except TimeoutError as exc:
            raise HTTPClientError("request timed out", timed_out=True) from exc
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            raise HTTPClientError(f"{exc.__class__.__name__}: {exc}") from exc

    async def _exchange(
        self, target: _Target, request: bytes, connect_timeout: float | None = None
    ) -> tuple[int, str, bytes]:
        key = (target.host, target.port, target.tls)
        idle = self._idle.setdefault(key, [])
        while idle:
            conn = idle.pop()
            if conn.reader.at_eof() or conn.writer.is_closing():
                conn.close()
                continue
            try:
                result, keep = await self._roundtrip(conn, request)
            except _StaleConnection:
                conn.close()
                continue
            self._release(key, conn, keep)
            return result
        try:
            async with asyncio.timeout(connect_timeout):
                conn = await self._connect(target)
        except TimeoutError as exc:
            raise HTTPClientError(
                f"could not connect within {connect_timeout:g} s", retryable=True
            ) from exc
        except OSError as exc:
            raise HTTPClientError(f"{exc.__class__.__name__}: {exc}", retryable=True) from exc
        try:
            result, keep = await self._roundtrip(conn, request)
        except _StaleConnection as exc:
            conn.close()
            raise HTTPClientError("connection closed by the subgraph", retryable=True) from exc
        except BaseException:
            conn.close()
            raise
        self._release(key, conn, keep)
        return result

    def _release(self, key: tuple[str, int, bool], conn: _Connection, keep: bool) -> None:
        idle = self._idle[key]
        if keep and len(idle) < self.max_idle:
            idle.append(conn)
        else:
            conn.close()

    async def _roundtrip(
        self, conn: _Connection, request: bytes
    ) -> tuple[tuple[int, str, bytes], bool]:
        conn.uses += 1
        conn.writer.write(request)
        reader = conn.reader
        try:
            status_line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            # nothing came back on a reused connection: the server closed it while idle
            raise _StaleConnection() from exc
        parts = status_line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        length = -1
        chunked = False
        keep = True
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            if lowered == b"content-length":
                length = int(value.strip())
            elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif lowered == b"connection" and b"close" in value.lower():
                keep = False
        if chunked:
            body = await self._read_chunked(reader)
        elif length >= 0:
            body = await reader.readexactly(length)
        else:
            body = await reader.read()
            keep = False
        return (status, reason, body), keep

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        parts: list[bytes] = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


class _StaleConnection(Exception):
    pass
