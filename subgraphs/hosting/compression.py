"""gzip on a subgraph's GraphQL route, both ways, for a gateway that asks for it.

A gateway with `compression=true` for this subgraph (traffic shaping) sends its request
bodies gzip-encoded and accepts gzip answers: worth it when the subgraph is across a
network and answers are large (lists of entities compress about 10:1). Without those
headers nothing changes, so the embedded mode and every other client are unaffected.

Decompression is bounded: a small body can inflate to gigabytes (a "zip bomb"), so
inflating stops at `max_body_size` decompressed bytes and the request is refused with
413, before any GraphQL runs. A body that is not valid gzip is refused with 400.
"""

from __future__ import annotations

import zlib

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_SIZE = 8 * 1024 * 1024  # decompressed bytes of one request
MINIMUM_COMPRESSED_SIZE = 1024  # answers smaller than this go out as they are


class Compression:
    """gzip request bodies in, gzip answers out when the caller accepts them."""

    def __init__(self, app: ASGIApp, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> None:
        self.app = GZipMiddleware(app, minimum_size=MINIMUM_COMPRESSED_SIZE)
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _gzip_encoded(scope):
            await self.app(scope, receive, send)
            return
        body, status = await self._inflate(receive)
        if status is not None:
            await _refuse(send, status)
            return
        headers = [
            (k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        delivered = False

        async def inflated() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # the client's disconnect, when it comes
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": headers}, inflated, send)

    async def _inflate(self, receive: Receive) -> tuple[bytes, int | None]:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
        out = bytearray()
        more = True
        try:
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return b"", 400
                more = bool(message.get("more_body", False))
                chunk = message.get("body", b"")
                # never inflate more than one byte past the bound
                out += inflater.decompress(chunk, self.max_body_size + 1 - len(out))
                if len(out) > self.max_body_size:
                    return b"", 413
            out += inflater.flush()
        except zlib.error:
            return b"", 400
        if len(out) > self.max_body_size:
            return b"", 413
        if not inflater.eof:
            return b"", 400  # truncated
        return bytes(out), None


def _gzip_encoded(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-encoding":
            return bytes(value).strip().lower() == b"gzip"
    return False


_REFUSALS = {
    400: b'{"errors":[{"message":"The request body is not valid gzip.",'
    b'"extensions":{"code":"BAD_REQUEST"}}]}',
    413: b'{"errors":[{"message":"The request body is too large once decompressed.",'
    b'"extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}',
}


async def _refuse(send: Send, status: int) -> None:
    body = _REFUSALS[status]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
