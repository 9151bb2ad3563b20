"""A closed-loop HTTP/1.1 load generator light enough to keep a gateway busy from one core.

httpx spends about as much CPU per request as the gateway it measures (one core of
client saturated at ~140 req/s of the heavy query while the gateway idled half the time),
so the gateway benchmarks send over raw keep-alive sockets instead: each client writes
the same POST, reads the status line and headers up to the blank line, then the body
(`content-length` bytes, or chunks). Loopback only, bounded by time; every response is checked for a
200 and for no `"errors"` key.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit


def _request(url: str, body: bytes) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"load only goes to loopback, not {host}")
    port = parts.port or 80
    head = (
        f"POST {parts.path or '/'} HTTP/1.1\r\nhost: {host}:{port}\r\n"
        "content-type: application/json\r\naccept: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return host, port, head.encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            return status, await reader.readexactly(int(value))
        if name == b"transfer-encoding" and b"chunked" in value.lower():
            return status, await _chunked(reader)
    raise RuntimeError("the gateway answered with neither content-length nor chunks")


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers: the blank line
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def closed_loop(url: str, body: bytes, seconds: float, concurrency: int) -> dict[str, Any]:
    """`concurrency` connections sending `body` back to back for `seconds` (after 50 warm-up
    requests on the first); returns the latencies, the elapsed time, errors, one answer."""
    host, port, request = _request(url, body)
    latencies: list[float] = []
    errors = 0
    reference: bytes = b""

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(host, port)

    connections = [await connect() for _ in range(concurrency)]
    try:
        reader, writer = connections[0]
        for _ in range(50):
            _, reference = await _exchange(reader, writer, request)
        deadline = time.perf_counter() + seconds

        async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                status, answer = await _exchange(reader, writer, request)
                latencies.append(time.perf_counter() - start)
                if status != 200 or b'"errors"' in answer:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(r, w) for r, w in connections))
        elapsed = time.perf_counter() - started
    finally:
        for _, writer in connections:
            writer.close()
    return {"latencies": latencies, "elapsed": elapsed, "errors": errors, "response": reference}
