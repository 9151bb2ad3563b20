"""The HTTP-level policies around the gateway's routes, composed once for `create_app`.

HTTP routes (`/graphql`, `/graphql/stream`), outermost first: CORS (`cors.py`: answers
preflights, marks allowed origins), methods (GET, HEAD, POST; anything else 405), the
Origin check of event streams (`origins.py`: SSE and multipart-subscription Accepts),
CSRF prevention (`csrf.py`), the body limit (`body_limit.py`). Then the endpoint, which
applies the rate limit (`rate_limit.py`) and the profile (`profile.py`, `masking.py`)
once it knows the operations.

WebSocket route: the Origin check (a refused handshake is answered 403: nothing was
accepted, nothing runs) and the per-client connection cap; messages over the body
limit close the socket (1009, `ws.py`).

The policies wrap the routes, not the app, so `pos run`, which mounts the gateway's
routes on its own host app, gets them as `pos gateway` does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute, request_response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supergraph.subscriptions import (
    ExecutionResult,
    OperationErrors,
    OperationRequest,
    SubscriptionSource,
)

from ..execution.masking import ErrorMasking
from ..operation_facts import facts
from ..plugins.authentication import JwtAuthenticator
from ..plugins.rate_limit import RateLimited, RateLimitedSubscriptions, RateLimiter, RateLimits
from .body_limit import BodyLimit
from .cors import Cors
from .csrf import CsrfPrevention
from .origins import OriginCheck
from .policy_response import refusal
from .profile import INTROSPECTION_DISABLED, Profile

_METHODS = ("GET", "HEAD", "POST")
_PROTOCOL = "graphql-transport-ws"


def _streams(headers: Headers) -> bool:
    """An SSE or multipart-subscription request (what the Origin check covers over HTTP)."""
    accept = headers.get("accept", "").lower()
    return "text/event-stream" in accept or "subscriptionspec" in accept


class _HttpGuard:
    def __init__(
        self, app: ASGIApp, csrf: CsrfPrevention | None, origins: OriginCheck | None
    ) -> None:
        self.app = app
        self.csrf = csrf
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = Headers(scope=scope)
        if method not in _METHODS:
            response = refusal(
                405,
                f"Method {method} is not allowed: use GET or POST.",
                "METHOD_NOT_ALLOWED",
                headers={"allow": "GET, POST"},
            )
        elif self.origins is not None and _streams(headers) and not self.origins.allows(headers):
            response = refusal(
                403,
                f"Origin {headers.get('origin')} may not open event streams on this gateway; "
                "serve the page from the gateway's origin or list it (--cors-origin).",
                "FORBIDDEN_ORIGIN",
            )
        else:
            refused = self.csrf.refusal(method, headers) if self.csrf is not None else None
            if refused is None:
                await self.app(scope, receive, send)
                return
            response = refused
        await response(scope, receive, send)


def http_policies(
    app: ASGIApp,
    *,
    cors: Cors,
    csrf: CsrfPrevention | None,
    origins: OriginCheck | None,
    max_body_size: int | None,
) -> ASGIApp:
    """`app` (an HTTP endpoint) behind CORS, methods, Origin, CSRF and body limit."""
    inner: ASGIApp = BodyLimit(app, max_body_size) if max_body_size is not None else app
    return cors.wrap(_HttpGuard(inner, csrf, origins))


class WebSocketPolicies:
    """The Origin check, the per-client connection cap and the message size limit in
    front of a WebSocket app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        origins: OriginCheck | None,
        limiter: RateLimiter | None,
        max_message_size: int | None = None,
    ) -> None:
        self.app = app
        self.origins = origins
        self.limiter = limiter
        self.max_message_size = max_message_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.origins is not None and not self.origins.allows(headers):
            await receive()  # websocket.connect
            # closing before accepting refuses the handshake: the client gets HTTP 403
            await send({"type": "websocket.close", "code": 4403, "reason": "Forbidden origin"})
            return
        if self.max_message_size is not None:
            receive = self._bounded(receive, send, self.max_message_size)
        if self.limiter is None:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = await self.limiter.client_key(headers, client[0] if client else None)
        if not self.limiter.open_websocket(key):
            await receive()
            protocols = scope.get("subprotocols") or []
            await send(
                {
                    "type": "websocket.accept",
                    "subprotocol": _PROTOCOL if _PROTOCOL in protocols else None,
                }
            )
            cap = self.limiter.limits.websocket_connections
            await send(
                {
                    "type": "websocket.close",
                    "code": 4429,
                    "reason": f"Too many connections: at most {cap} per client",
                }
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.limiter.close_websocket(key)

    @staticmethod
    def _bounded(receive: Receive, send: Send, limit: int) -> Receive:
        """Messages over `limit` (characters or bytes) close the socket with 1009 (Message
        Too Big); the app sees a disconnect and ends its operations."""

        async def bounded() -> Message:
            message = await receive()
            if message["type"] == "websocket.receive":
                data = message.get("text") or message.get("bytes") or ""
                if len(data) > limit:
                    await send(
                        {
                            "type": "websocket.close",
                            "code": 1009,
                            "reason": f"Message too big: at most {limit}",
                        }
                    )
                    return {"type": "websocket.disconnect", "code": 1009}
            return message

        return bounded


class ProfiledSubscriptions:
    """The profile over WebSocket, SSE and multipart: introspection (queries sent over a
    WebSocket) and error masking of what the streams carry."""

    def __init__(self, source: SubscriptionSource, profile: Profile) -> None:
        self.source = source
        self.profile = profile

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        masking = self.profile.masking
        if not self.profile.introspection and facts(request.query).introspection:
            raise OperationErrors([INTROSPECTION_DISABLED])
        try:
            stream = await self.source.open(request)
        except OperationErrors as exc:
            raise OperationErrors(masking.errors(exc.errors)) from None
        return _Masked(stream, masking)


class _Masked(AsyncIterator[ExecutionResult]):
    def __init__(self, inner: AsyncIterator[ExecutionResult], masking: ErrorMasking) -> None:
        self._inner = inner
        self._masking = masking

    def __aiter__(self) -> _Masked:
        return self

    async def __anext__(self) -> ExecutionResult:
        try:
            result: ExecutionResult = self._masking.body(await anext(self._inner))
        except OperationErrors as exc:
            raise OperationErrors(self._masking.errors(exc.errors)) from None
        return result

    async def aclose(self) -> None:
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()


class Policies:
    """Every HTTP-level policy of one gateway app (`create_app` builds it)."""

    def __init__(
        self,
        *,
        profile: Profile,
        csrf: CsrfPrevention | None,
        cors: Cors,
        check_origin: bool,
        max_body_size: int | None,
        rate_limits: RateLimits | None,
        authenticator: JwtAuthenticator | None,
    ) -> None:
        self.profile = profile
        self.csrf = csrf
        self.cors = cors
        self.origins = OriginCheck.of(cors.allow_origins) if check_origin else None
        self.max_body_size = max_body_size
        self.limiter = RateLimiter(rate_limits, authenticator) if rate_limits else None

    @property
    def masking(self) -> ErrorMasking:
        return self.profile.masking

    def subscriptions(self, source: SubscriptionSource) -> SubscriptionSource:
        """`source` with the profile and the rate limits (WebSocket, SSE, multipart)."""
        profiled: SubscriptionSource = ProfiledSubscriptions(source, self.profile)
        if self.limiter is None:
            return profiled
        return RateLimitedSubscriptions(profiled, self.limiter)

    def http(self, app: ASGIApp) -> ASGIApp:
        return http_policies(
            app,
            cors=self.cors,
            csrf=self.csrf,
            origins=self.origins,
            max_body_size=self.max_body_size,
        )

    def routes(self, routes: Sequence[BaseRoute], paths: Sequence[str]) -> list[BaseRoute]:
        """`routes` with those at `paths` (the GraphQL endpoint, the SSE one and the
        WebSocket) behind the policies; the others (health, assets) as they are."""
        out: list[BaseRoute] = []
        for route in routes:
            if isinstance(route, WebSocketRoute) and route.path in paths:
                guarded: ASGIApp = WebSocketPolicies(
                    route.app,
                    origins=self.origins,
                    limiter=self.limiter,
                    max_message_size=self.max_body_size,
                )
                out.append(WebSocketRoute(route.path, guarded, name=route.name))
            elif isinstance(route, Route) and route.path in paths:
                endpoint: ASGIApp = (
                    request_response(route.endpoint) if _is_function(route.endpoint) else route.app
                )
                out.append(Route(route.path, self.http(endpoint), name=route.name))
            else:
                out.append(route)
        return out

    async def admit(self, request: Request, decoded: Any, media: str) -> Response | None:
        """The refusal for an HTTP operation (or batch) that may not run, else None:
        introspection in production, then the client's rate limit."""
        entries = decoded if isinstance(decoded, list) else [decoded]
        queries = [
            (getattr(e, "query", None), getattr(e, "operation_name", None))
            if not isinstance(e, dict)
            else (_str(e.get("query")), _str(e.get("operationName")))
            for e in entries
        ]
        if not self.profile.introspection and any(facts(q).introspection for q, _ in queries):
            status = 400 if media == "application/graphql-response+json" else 200
            return refusal(status, **_unpack(INTROSPECTION_DISABLED))
        if self.limiter is None:
            return None
        key = await self.limiter.client_key(
            request.headers, request.client.host if request.client else None
        )
        try:
            self.limiter.take(key, sum(facts(q, n).operations for q, n in queries))
        except RateLimited as exc:
            return refusal(
                429,
                str(exc),
                exc.code,
                headers={"retry-after": str(exc.retry_after or 1)},
                retryAfter=exc.retry_after,
            )
        return None

    async def masked_payloads(
        self, payloads: AsyncIterator[dict[str, Any]]
    ) -> AsyncIterator[dict[str, Any]]:
        async for payload in payloads:
            yield self.masking.body(payload)


def _is_function(endpoint: Any) -> bool:
    import inspect

    return inspect.isfunction(endpoint) or inspect.ismethod(endpoint)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _unpack(error: dict[str, Any]) -> dict[str, Any]:
    return {"message": error["message"], "code": error["extensions"]["code"]}
