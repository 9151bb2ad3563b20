"""Subgraph requests: one keep-alive connection pool, orjson both ways, per-URL transports.

Real subgraphs are reached through httpcore's connection pool directly: httpx's client
layer (cookies, URL merging, redirects) costs more per request than the rest of the
gateway, and a gateway needs none of it. URLs given an httpx transport (in-process ASGI
subgraphs in embedded mode) go through `httpx.AsyncClient`. A subgraph failure never raises
past `post`: it comes back as a `FetchFailure` naming the subgraph, which the executor turns
into a client-visible error next to partial data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from .http1_client import Http1Pool, HTTPClientError

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


class Fetcher:
    """POSTs GraphQL requests to subgraphs over kept-alive connections."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        max_connections: int = 100,
    ) -> None:
        self._timeout = httpx.Timeout(timeout)
        self._timeout_seconds = timeout
        self._pool = Http1Pool(max_idle=max_connections)
        self._by_url: dict[str, httpx.AsyncClient] = {
            url: httpx.AsyncClient(transport=t, timeout=self._timeout)
            for url, t in (transports or {}).items()
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
        body: dict[str, Any] = {"query": query}
        if variables:
            body["variables"] = variables
        if operation_name:
            body["operationName"] = operation_name
        content = orjson.dumps(body)
        client = self._by_url.get(url)
        try:
            if client is None:
                status, reason, raw = await self._pool_post(url, content, headers)
            else:
                status, reason, raw = await self._client_post(client, url, content, headers)
        except httpx.TimeoutException:
            return FetchFailure(
                f"HTTP fetch failed from '{service}': request timed out", "SUBREQUEST_HTTP_ERROR"
            )
        except HTTPClientError as exc:
            return FetchFailure(
                f"HTTP fetch failed from '{service}': {exc}", "SUBREQUEST_HTTP_ERROR"
            )
        except (httpx.HTTPError, OSError) as exc:
            return FetchFailure(
                f"HTTP fetch failed from '{service}': {exc.__class__.__name__}: {exc}",
                "SUBREQUEST_HTTP_ERROR",
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
            )
        if not isinstance(parsed, dict):
            return FetchFailure(
                f"HTTP fetch failed from '{service}': subgraph response is not a JSON object",
                "SUBREQUEST_MALFORMED_RESPONSE",
                status,
            )
        return parsed

    async def _pool_post(
        self, url: str, content: bytes, headers: Mapping[str, str] | None
    ) -> tuple[int, str, bytes]:
        request_headers = _HEADERS
        if headers:
            request_headers = [*_HEADERS, *((k.encode(), v.encode()) for k, v in headers.items())]
        return await self._pool.post(url, content, request_headers, self._timeout_seconds)

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

    async def aclose(self) -> None:
        await self._pool.aclose()
        for c in self._by_url.values():
            await c.aclose()
