"""Subgraph requests: one keep-alive connection pool, orjson both ways, per-URL transports.

Real subgraphs are reached through httpcore's connection pool directly: httpx's client
layer (cookies, URL merging, redirects) costs more per request than the rest of the
gateway, and a gateway needs none of it. URLs given an httpx transport (in-process ASGI
subgraphs in embedded mode) go through `httpx.AsyncClient`. A subgraph failure never raises
past `post`: it comes back as a `FetchFailure` naming the subgraph, which the executor turns
into a client-visible error next to partial data.

Every request goes through its subgraph's traffic shaping (`traffic.py`): connection
slots, connect and request timeouts, the circuit breaker, retries for queries within the
retry budget, and deduplication of identical queries in flight. A mutation is sent once;
if it may have reached the subgraph and no answer came (timeout, connection lost), the
failure is OUTCOME_UNKNOWN: it may have been applied.

A subgraph whose traffic shaping asks for `http2` or `compression` is reached through an
httpx client of its own (HTTP/2 needs the `h2` package; gzip is decoded by httpx), kept
per (URL, protocol): those options trade the pool's lower per-request cost for fewer
connections or fewer bytes, which pays off for a subgraph across a network.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from opentelemetry.trace import StatusCode

from ..tracing import fetch_span, with_trace_context
from .entity_batching import EntityBatcher
from .http1_client import Http1Pool, HTTPClientError
from .traffic import SubgraphState, SubgraphTraffic, TrafficPolicy

_HEADERS_STR = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"accept", b"application/graphql-response+json, application/json"),
]


@dataclass(frozen=True)
class FetchFailure:
    """Why a subgraph request produced no GraphQL response."""

    message: str
    code: str
    status: int | None = None
    retryable: bool = False
    """The subgraph cannot have processed it (refused, dropped before a response, 502-504)."""

    @property
    def unhealthy(self) -> bool:
        """Counts against the breaker: no answer, a 5xx, or an answer that is no GraphQL."""
        return self.code != "SUBREQUEST_CIRCUIT_OPEN" and (
            self.status is None or self.status >= 500 or self.code.endswith("MALFORMED_RESPONSE")
        )


class Fetcher:
    """POSTs GraphQL requests to subgraphs over kept-alive connections, shaped per subgraph."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        max_connections: int = 100,
        traffic: TrafficPolicy | None = None,
    ) -> None:
        self._policy = traffic or TrafficPolicy(
            SubgraphTraffic(request_timeout=timeout, max_connections=max_connections)
        )
        self._states: dict[str, SubgraphState] = {}
        # metrics.py: called with (subgraph, seconds, "ok" or the failure's code)
        self.observe: Callable[[str, float, str], None] | None = None
        self._pool = Http1Pool(max_idle=max_connections)
        self._batcher = EntityBatcher()
        # timeouts are the traffic shaping's (asyncio.timeout around each attempt)
        self._by_url: dict[str, httpx.AsyncClient] = {
            url: httpx.AsyncClient(transport=t, timeout=None)
            for url, t in (transports or {}).items()
        }
        # subgraphs with `http2` or `compression`: an httpx client per (URL, HTTP/2)
        self._shaped: dict[tuple[str, bool], httpx.AsyncClient] = {}

    @property
    def traffic(self) -> TrafficPolicy:
        return self._policy

    def configure_traffic(self, policy: TrafficPolicy) -> None:
        """Use `policy` from now on (breakers, budgets and slots start afresh)."""
        self._policy = policy
        self._states.clear()

    def state(self, service: str) -> SubgraphState:
        found = self._states.get(service)
        if found is None:
            found = self._states[service] = SubgraphState(self._policy.of(service))
        return found

    def breaker_states(self) -> dict[str, str]:
        """Each subgraph called so far: closed, open or half_open (for health and metrics)."""
        return {
            name: state.breaker.state if state.breaker is not None else "off"
            for name, state in self._states.items()
        }

    async def post(
        self,
        service: str,
        url: str,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any] | FetchFailure:
        observe = self.observe
        with fetch_span(service, operation_name) as span:  # runtime/tracing.py
            began = time.perf_counter()
            result = await self._post(service, url, query, variables, operation_name, headers)
            outcome = result.code if isinstance(result, FetchFailure) else "ok"
            if outcome != "ok":
                span.set_status(StatusCode.ERROR, outcome)
        if observe is not None:
            observe(service, time.perf_counter() - began, outcome)
        return result

    async def _post(
        self,
        service: str,
        url: str,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        headers: Mapping[str, str] | None,
    ) -> dict[str, Any] | FetchFailure:
        window = self.state(service).settings.batch_window
        if window > 0 and variables and "representations" in variables:
            # entity_batching.py: `_entities` calls of concurrent requests in one request
            def send(joined: Mapping[str, Any]) -> Awaitable[dict[str, Any] | FetchFailure]:
                return self._post_one(service, url, query, joined, operation_name, headers)

            result: dict[str, Any] | FetchFailure = await self._batcher.submit(
                (f"{url}\0{query}", operation_name, headers), variables, window, send
            )
            return result
        return await self._post_one(service, url, query, variables, operation_name, headers)

    async def _post_one(
        self,
        service: str,
        url: str,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        headers: Mapping[str, str] | None,
    ) -> dict[str, Any] | FetchFailure:
        body: dict[str, Any] = {"query": query}
        if variables:
            body["variables"] = variables
        if operation_name:
            body["operationName"] = operation_name
        content = orjson.dumps(body)
        state = self.state(service)
        mutation = query.lstrip().startswith("mutation")
        refused = self._refused_by_breaker(service, state)
        if refused is not None:
            return refused

        def send() -> Awaitable[dict[str, Any] | FetchFailure]:
            return self._attempts(service, url, content, headers, state, mutation)

        if mutation or not state.settings.dedup:
            return await send()
        key = b"\0".join([url.encode(), content, orjson.dumps(sorted((headers or {}).items()))])
        return await state.deduplicated(key, send)

    def _refused_by_breaker(self, service: str, state: SubgraphState) -> FetchFailure | None:
        breaker = state.breaker
        if breaker is None or breaker.allow():
            return None
        return FetchFailure(
            f"HTTP fetch failed from '{service}': the subgraph failed {breaker.failures} "
            f"times in a row, so the gateway stopped calling it (circuit open); it tries again "
            f"in {breaker.retry_after():.1f} s",
            "SUBREQUEST_CIRCUIT_OPEN",
        )

    async def _attempts(
        self,
        service: str,
        url: str,
        content: bytes,
        headers: Mapping[str, str] | None,
        state: SubgraphState,
        mutation: bool,
    ) -> dict[str, Any] | FetchFailure:
        """The first attempt and, for queries, retries with backoff within the budget."""
        settings = state.settings
        breaker = state.breaker
        state.budget.deposit()
        attempt = 0
        while True:
            try:
                result = await self._once(service, url, content, headers, settings, state)
            except BaseException:
                if breaker is not None:
                    breaker.release_probe()
                raise
            if breaker is not None:
                breaker.record(not (isinstance(result, FetchFailure) and result.unhealthy))
            if not isinstance(result, FetchFailure):
                return result
            if mutation:
                return _mutation_failure(result)
            if not result.retryable or attempt >= settings.retries or not state.budget.withdraw():
                return result
            attempt += 1
            await asyncio.sleep(
                settings.retry_backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
            )
            refused = self._refused_by_breaker(service, state)
            if refused is not None:
                return refused

    async def _once(
        self,
        service: str,
        url: str,
        content: bytes,
        headers: Mapping[str, str] | None,
        settings: SubgraphTraffic,
        state: SubgraphState,
    ) -> dict[str, Any] | FetchFailure:
        client = self._by_url.get(url)
        if client is None and (settings.http2 or settings.compression):
            client = self._shaped_client(url, settings)
        if settings.compression:
            content = gzip.compress(content, compresslevel=5)
            headers = {**(headers or {}), "content-encoding": "gzip", "accept-encoding": "gzip"}
        connect_timeout = settings.connect_timeout or None
        try:
            async with asyncio.timeout(settings.request_timeout or None):
                if state.slots is None:
                    status, reason, raw = await self._send(
                        client, url, content, headers, connect_timeout
                    )
                else:
                    async with state.slots:
                        status, reason, raw = await self._send(
                            client, url, content, headers, connect_timeout
                        )
        except (TimeoutError, httpx.TimeoutException):
            return FetchFailure(
                f"HTTP fetch failed from '{service}': request timed out",
                "SUBREQUEST_HTTP_ERROR",
            )
        except HTTPClientError as exc:
            return FetchFailure(
                f"HTTP fetch failed from '{service}': {exc}",
                "SUBREQUEST_HTTP_ERROR",
                retryable=exc.retryable,
            )
        except (httpx.HTTPError, OSError) as exc:
            return FetchFailure(
                f"HTTP fetch failed from '{service}': {exc.__class__.__name__}: {exc}",
                "SUBREQUEST_HTTP_ERROR",
                retryable=isinstance(exc, httpx.ConnectError),
            )
        parsed: Any = None
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError:
            parsed = None
        graphql_body = isinstance(parsed, dict) and ("data" in parsed or "errors" in parsed)
        if status >= 300 and not graphql_body:
            return FetchFailure(
                f"HTTP fetch failed from '{service}': {status}: {reason}",
                "SUBREQUEST_HTTP_ERROR",
                status,
                retryable=status in (502, 503, 504),
            )
        if not isinstance(parsed, dict):
            return FetchFailure(
                f"HTTP fetch failed from '{service}': subgraph response is not a JSON object",
                "SUBREQUEST_MALFORMED_RESPONSE",
                status,
            )
        return parsed

    async def _send(
        self,
        client: httpx.AsyncClient | None,
        url: str,
        content: bytes,
        headers: Mapping[str, str] | None,
        connect_timeout: float | None,
    ) -> tuple[int, str, bytes]:
        headers = with_trace_context(headers)  # traceparent: after dedup, per attempt
        if client is None:
            return await self._pool_post(url, content, headers, connect_timeout)
        return await self._client_post(client, url, content, headers)

    async def _pool_post(
        self,
        url: str,
        content: bytes,
        headers: Mapping[str, str] | None,
        connect_timeout: float | None = None,
    ) -> tuple[int, str, bytes]:
        request_headers = _HEADERS
        if headers:
            request_headers = [*_HEADERS, *((k.encode(), v.encode()) for k, v in headers.items())]
        return await self._pool.post(url, content, request_headers, None, connect_timeout)

    async def _client_post(
        self,
        client: httpx.AsyncClient,
        url: str,
        content: bytes,
        headers: Mapping[str, str] | None,
    ) -> tuple[int, str, bytes]:
        request_headers = dict(_HEADERS_STR)
        if headers:
            request_headers.update(headers)
        response = await client.post(url, content=content, headers=request_headers)
        return response.status_code, response.reason_phrase, response.content

    def _shaped_client(self, url: str, settings: SubgraphTraffic) -> httpx.AsyncClient:
        """The httpx client of a subgraph with `http2` or `compression` (made once)."""
        key = (url, settings.http2)
        client = self._shaped.get(key)
        if client is None:
            secure = url.startswith("https://")
            limits = httpx.Limits(max_connections=settings.max_connections or None)
            client = self._shaped[key] = httpx.AsyncClient(
                # http1=False on http://: HTTP/2 with prior knowledge (h2c)
                http1=secure or not settings.http2,
                http2=settings.http2,
                timeout=httpx.Timeout(None, connect=settings.connect_timeout or None),
                limits=limits,
            )
        return client

    async def aclose(self) -> None:
        await self._pool.aclose()
        for c in (*self._by_url.values(), *self._shaped.values()):
            await c.aclose()


def _mutation_failure(failure: FetchFailure) -> FetchFailure:
    """A mutation that may have reached the subgraph without an answer coming back: say
    that it may have been applied (it is never retried)."""
    if failure.retryable or failure.status is not None:
        return failure  # refused before the subgraph saw it, or the subgraph answered
    return FetchFailure(
        failure.message + ". The mutation may have been applied: look the change up "
        "before sending it again",
        "OUTCOME_UNKNOWN",
    )
