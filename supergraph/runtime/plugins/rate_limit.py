"""Per-client rate limits: a token bucket of operations, caps on WebSockets and subscriptions.

**Who is a client.** The verified identity when the request carries a valid bearer token
(`iss` and `sub` of the claims `authentication.py` verified: one staff member, whichever
register or browser they use), else the peer address (the TCP client; behind a proxy
that is the proxy, so give the gateway the real address, e.g. uvicorn's
`--proxy-headers` with `--forwarded-allow-ips`). An unverifiable token never picks a key.

**Operations.** Each client has a bucket of `burst` tokens refilled at `rate` per second.
Every operation takes tokens before anything runs: a query or subscription 1, a mutation
one per root field (`a: createCategory(...) b: createCategory(...)` is 2 commands), a
batch the sum of its entries. Over HTTP a refusal is 429 with `Retry-After` (whole
seconds) and `{"errors": [{"message": ..., "extensions": {"code": "RATE_LIMITED",
"retryAfter": s}}]}`; over a WebSocket it is the operation's `error` message; over SSE
and multipart a 429 JSON body.

**Connections and subscriptions.** At most `websocket_connections` open WebSockets per
client (the next one is accepted then closed with 4429 `Too many connections`, a code
graphql-ws clients do not retry blindly), and at most `subscriptions` open
subscriptions per client over all transports (the next one is refused with
`TOO_MANY_SUBSCRIPTIONS`).

The buckets are kept for the `max_clients` most recently seen clients (LRU): memory is
bounded whatever the number of addresses; a client evicted and back starts full.

Defaults, generous for a shop (a register does a few operations a second, a back-office
page a burst of a few dozen): 50 operations/s, burst 200, 20 WebSockets and 100
subscriptions per client, 10,000 clients remembered.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from supergraph.subscriptions import (
    ExecutionResult,
    OperationErrors,
    OperationRequest,
    SubscriptionSource,
    is_subscription,
)

from ..operation_facts import facts
from .authentication import AuthenticationError, JwtAuthenticator


@dataclass(frozen=True)
class RateLimits:
    rate: float = 50.0
    """Operations per second per client (tokens added to its bucket)."""
    burst: int = 200
    """Bucket size: operations a client may send at once after a quiet spell."""
    websocket_connections: int | None = 20
    subscriptions: int | None = 100
    max_clients: int = 10_000

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1 or self.max_clients < 1:
            raise ValueError("rate limits: rate > 0, burst >= 1 and max_clients >= 1")
        for name in ("websocket_connections", "subscriptions"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"rate limits: {name} must be at least 1 (or None: no cap)")


DEFAULT_RATE_LIMITS = RateLimits()


class RateLimited(Exception):
    """Refused: retry after `retry_after` seconds (whole, at least 1)."""

    def __init__(self, message: str, code: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after

    def error(self) -> dict[str, Any]:
        extensions: dict[str, Any] = {"code": self.code}
        if self.retry_after is not None:
            extensions["retryAfter"] = self.retry_after
        return {"message": str(self), "extensions": extensions}


class RateLimiter:
    """The buckets and counters of one gateway app."""

    def __init__(
        self,
        limits: RateLimits,
        authenticator: JwtAuthenticator | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.authenticator = authenticator
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._tokens: OrderedDict[str, str] = OrderedDict()  # bearer token -> verified key
        self.websockets: dict[str, int] = {}
        self.subscriptions: dict[str, int] = {}

    async def client_key(self, headers: Mapping[str, str], peer: str | None) -> str:
        """`staff:<iss>:<sub>` for a verified bearer token, else `peer:<address>`."""
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if authorization and self.authenticator is not None:
            known = self._tokens.get(authorization)
            if known is not None:
                self._tokens.move_to_end(authorization)
                return known
            try:
                identity = await self.authenticator.authenticate({"authorization": authorization})
            except AuthenticationError:
                identity = None
            claims = identity.claims if identity is not None else None
            if claims is not None and claims.get("sub") is not None:
                key = f"staff:{claims.get('iss', '')}:{claims['sub']}"
                self._tokens[authorization] = key
                if len(self._tokens) > 1024:
                    self._tokens.popitem(last=False)
                return key
        return f"peer:{peer or 'unknown'}"

    def take(self, key: str, operations: int = 1) -> None:
        """Charge `operations`; raises `RateLimited` (nothing charged) when the bucket is short."""
        limits = self.limits
        now = self.clock()
        tokens, last = self._buckets.pop(key, (float(limits.burst), now))
        tokens = min(float(limits.burst), tokens + (now - last) * limits.rate)
        if operations > limits.burst:
            self._remember(key, tokens, now)
            raise RateLimited(
                f"This request counts {operations} operations, more than the {limits.burst} "
                "a client may send at once; split it.",
                "RATE_LIMITED",
                math.ceil(operations / limits.rate),
            )
        if tokens < operations:
            self._remember(key, tokens, now)
            wait = max(1, math.ceil((operations - tokens) / limits.rate))
            raise RateLimited(
                f"Too many operations: at most {limits.rate:g} per second (bursts of "
                f"{limits.burst}) per client; retry in {wait} s.",
                "RATE_LIMITED",
                wait,
            )
        self._remember(key, tokens - operations, now)

    def _remember(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.limits.max_clients:
            self._buckets.popitem(last=False)

    def open_websocket(self, key: str) -> bool:
        """Count a WebSocket of `key`; False (not counted) when it is over the cap."""
        cap = self.limits.websocket_connections
        current = self.websockets.get(key, 0)
        if cap is not None and current >= cap:
            return False
        self.websockets[key] = current + 1
        return True

    def close_websocket(self, key: str) -> None:
        _decrement(self.websockets, key)

    def open_subscription(self, key: str) -> None:
        cap = self.limits.subscriptions
        current = self.subscriptions.get(key, 0)
        if cap is not None and current >= cap:
            raise RateLimited(
                f"Too many open subscriptions: at most {cap} per client; close one first.",
                "TOO_MANY_SUBSCRIPTIONS",
            )
        self.subscriptions[key] = current + 1

    def close_subscription(self, key: str) -> None:
        _decrement(self.subscriptions, key)


def _decrement(counts: dict[str, int], key: str) -> None:
    left = counts.get(key, 0) - 1
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)


class RateLimitedSubscriptions:
    """A `SubscriptionSource` charging each operation to its client's bucket and counting
    its open subscriptions (WebSocket, SSE and multipart alike)."""

    def __init__(self, source: SubscriptionSource, limiter: RateLimiter) -> None:
        self.source = source
        self.limiter = limiter

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        key = await self.limiter.client_key(request.headers, request.peer)
        subscription = is_subscription(request.query, request.operation_name)
        try:
            self.limiter.take(key, facts(request.query, request.operation_name).operations)
            if subscription:
                self.limiter.open_subscription(key)
        except RateLimited as exc:
            raise OperationErrors([exc.error()]) from None
        if not subscription:
            return await self.source.open(request)
        try:
            stream = await self.source.open(request)
        except BaseException:
            self.limiter.close_subscription(key)
            raise
        return _Counted(stream, lambda: self.limiter.close_subscription(key))


class _Counted(AsyncIterator[ExecutionResult]):
    """A stream that gives its subscription back once, however it ends."""

    def __init__(self, inner: AsyncIterator[ExecutionResult], release: Callable[[], None]):
        self._inner = inner
        self._release: Callable[[], None] | None = release

    def _done(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()

    def __aiter__(self) -> _Counted:
        return self

    async def __anext__(self) -> ExecutionResult:
        try:
            return await anext(self._inner)
        except BaseException:
            self._done()
            raise

    async def aclose(self) -> None:
        self._done()
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()
