"""Request body limit: 2 MB by default, as Apollo Router's `limits.http_max_request_bytes`.

A body over the limit is answered 413 with `{"errors": [{"message": ...,
"extensions": {"code": "REQUEST_TOO_LARGE", "maxBytes": N}}]}` without being read to
its end: a `Content-Length` over the limit is refused before any byte is read, a
chunked body as soon as the bytes received pass it. The body that fits is handed on as
one message. WebSocket messages have the same limit (`ws.py`, `max_message_size`).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .policy_response import refusal

DEFAULT_MAX_BODY_SIZE = 2_000_000


class BodyLimit:
    """ASGI middleware refusing HTTP bodies over `max_bytes` (413)."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_SIZE) -> None:
        if max_bytes <= 0:
            raise ValueError("the body limit must be positive")
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> Response:
        return refusal(
            413,
            f"Request body too large: the limit is {self.max_bytes} bytes.",
            "REQUEST_TOO_LARGE",
            maxBytes=self.max_bytes,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._too_large()(scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # disconnected before the body ended: let the app see it
                replay: list[Message] = [message]
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
                break

        async def replayed() -> Message:
            if replay:
                return replay.pop(0)
            return await receive()

        await self.app(scope, replayed, send)
