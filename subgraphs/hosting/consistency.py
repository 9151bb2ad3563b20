"""Read-your-writes across subgraphs, on the subgraph's side (docs/consistency.md).

`ConsistencyGate` wraps a subgraph's GraphQL endpoint:

- A call whose commands committed events answers with ``extensions.consistency``: the
  token (`eventbus.consistency`) naming the store positions it wrote. `execute` notes the
  events (`note_written`) while the request runs. Only callers that speak this protocol
  get it, i.e. that send ``pos-consistency-wait-ms`` or a token (the gateway sends its
  bound on every fetch); any other caller gets the subgraph's answer byte for byte.
- A call carrying the ``pos-consistency`` header (the gateway forwards the client's token
  on every fetch of the operation) first waits until this subgraph's projections have
  handled the events the token names, at most ``pos-consistency-wait-ms`` (default and
  ceiling: `DEFAULT_WAIT`, `MAX_WAIT`), then runs, and says how it went in
  ``extensions.consistencyWait``: ``{"reached": bool, "waitedMs": int}``. Past the bound
  it answers all the same: the token is a wait hint, never a reason to fail.
- A malformed token is refused (HTTP 400, ``BAD_USER_INPUT``) and nothing runs.

Only calls the gateway signed are made to wait (an unsigned one goes straight to the
identity guard, which refuses it), so nobody else can park requests here.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventbus.consistency import MalformedToken, format_token, parse_token, token_of
from eventbus.envelope import Envelope
from eventbus.progress import COLLECTION, MongoProgress, ProgressStore, envelopes_at, wait_projected
from eventbus.projection import Projection
from subgraphs.hosting.identity import HEADER as IDENTITY_HEADER
from subgraphs.hosting.identity import IdentityError, IdentityVerifier

TOKEN_HEADER = "pos-consistency"
WAIT_HEADER = "pos-consistency-wait-ms"
DEFAULT_WAIT = 2.0
MAX_WAIT = 10.0

_JSON_TYPES = (b"application/json", b"application/graphql-response+json")

_written: ContextVar[list[Envelope] | None] = ContextVar("pos_written", default=None)
_progress: ContextVar[ProgressStore | None] = ContextVar("pos_progress", default=None)


def note_written(envelopes: Sequence[Envelope]) -> None:
    """Record events a command of the current request committed (for its token)."""
    written = _written.get()
    if written is not None:
        written.extend(envelopes)


def current_progress() -> ProgressStore | None:
    """The progress store of the subgraph serving the current request, if any."""
    return _progress.get()


@contextlib.contextmanager
def serving(progress: ProgressStore | None) -> Iterator[list[Envelope]]:
    """While a request runs: collect what it writes, expose the progress store."""
    written: list[Envelope] = []
    tokens = (_written.set(written), _progress.set(progress))
    try:
        yield written
    finally:
        _written.reset(tokens[0])
        _progress.reset(tokens[1])


def mongo_progress(clients: Sequence[Any], database: str) -> ProgressStore | None:
    """The progress collection in a context's read database (None before it is open)."""
    if not clients:
        return None
    return MongoProgress(clients[0][database][COLLECTION])


class ConsistencyGate:
    """ASGI wrapper adding consistency tokens and token waits to a GraphQL endpoint.

    `projections()` gives the projections (and reactors) this subgraph reads from, as
    running now; `progress()` where their runners record progress.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: Any,
        verifier: IdentityVerifier,
        projections: Callable[[], Sequence[Projection]],
        progress: Callable[[], ProgressStore | None],
        default_wait: float = DEFAULT_WAIT,
    ) -> None:
        self.app = app
        self.store = store
        self.verifier = verifier
        self.projections = projections
        self.progress = progress
        self.default_wait = default_wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        progress = self.progress()
        report: dict[str, Any] | None = None
        text = headers.get(TOKEN_HEADER)
        if text is not None and await self._signed(headers):
            try:
                token = parse_token(text)
            except MalformedToken as exc:
                await _refuse(send, str(exc))
                return
            report = await self._wait(token, _bound(headers, self.default_wait), progress)
        with serving(progress) as written:
            asked = WAIT_HEADER in headers or text is not None
            if not asked or (report is None and scope.get("method") != "POST"):
                await self.app(scope, receive, send)
                return
            buffered = _Buffered(send)
            await self.app(scope, receive, buffered)
            extra: dict[str, Any] = {}
            token_text = format_token(token_of(written))
            if token_text:
                extra["consistency"] = token_text
            if report is not None:
                extra["consistencyWait"] = report
            await buffered.finish(extra)

    async def _signed(self, headers: dict[str, str]) -> bool:
        try:
            await self.verifier.verify(headers.get(IDENTITY_HEADER))
        except IdentityError:
            return False
        return True

    async def _wait(
        self, token: Any, bound: float, progress: ProgressStore | None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        projections = list(self.projections())
        contexts = {topic.removeprefix("pos.") for p in projections for topic in p.topics}
        try:
            envelopes = await envelopes_at(self.store, token, contexts)
            reached = await wait_projected(projections, envelopes, bound, progress=progress)
        except Exception:  # the store is down: answer, saying the wait did not succeed
            reached = False
        return {"reached": reached, "waitedMs": round((time.perf_counter() - started) * 1000)}


def _bound(headers: dict[str, str], default: float) -> float:
    raw = headers.get(WAIT_HEADER)
    if raw is None or not raw.isdigit():
        return default
    return min(int(raw) / 1000, MAX_WAIT)


async def _refuse(send: Send, message: str) -> None:
    body = orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
    )
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _Buffered:
    """Holds a JSON response until it is complete, to add `extensions` entries to it.
    Anything else (event streams, multipart) passes straight through."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.start: Message | None = None
        self.body: list[bytes] = []
        self.passing = False

    async def __call__(self, message: Message) -> None:
        if self.passing:
            await self.send(message)
        elif message["type"] == "http.response.start":
            content_type = next(
                (v for k, v in message.get("headers", ()) if k.lower() == b"content-type"), b""
            )
            if content_type.split(b";")[0].strip() in _JSON_TYPES:
                self.start = message
            else:
                self.passing = True
                await self.send(message)
        elif message["type"] == "http.response.body" and self.start is not None:
            self.body.append(message.get("body", b""))
            if not message.get("more_body", False):
                return  # sent by `finish`
        else:
            await self.send(message)

    async def finish(self, extra: dict[str, Any]) -> None:
        if self.start is None:
            return
        body = b"".join(self.body)
        if extra:
            body = _with_extensions(body, extra)
        headers = [
            (k, v) for k, v in self.start.get("headers", ()) if k.lower() != b"content-length"
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({**self.start, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})


def _with_extensions(body: bytes, extra: dict[str, Any]) -> bytes:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    if not isinstance(document, dict):
        return body
    extensions = document.get("extensions")
    document["extensions"] = {**(extensions if isinstance(extensions, dict) else {}), **extra}
    return orjson.dumps(document)
