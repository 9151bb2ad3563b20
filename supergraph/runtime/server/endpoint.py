"""The GraphQL-over-HTTP endpoint: decode a GET or POST into a `GatewayRequest`, run it
(single, batched, `@defer` as multipart), encode the answer in the media type the client
accepts, and serve GraphiQL to a browser. One per app; `create_app` builds it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse

from supergraph.subscriptions import (
    GraphQLMultipart,
    GraphQLSSE,
    OperationRequest,
    is_subscription,
    wants_event_stream,
    wants_multipart_subscription,
)

from ..gateway import (
    GatewayRequest,
    GatewayResponse,
    Pipeline,
)
from ..plugins.api import RouterRequest, request_context
from .batching import NOT_ENABLED, Batching, execute_batch
from .policies import Policies

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
PLAN_HEADERS = ("apollo-query-plan-experimental", "pos-debug-query-plan")


MULTIPART = 'multipart/mixed;boundary="graphql";deferSpec=20220824'


async def _multipart(payloads: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    """Incremental delivery as Apollo clients read it: one JSON part per payload."""
    try:
        async for payload in payloads:
            yield b"\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n"
            yield orjson.dumps(payload)
    except Exception:
        log.exception("unexpected gateway failure while streaming deferred payloads")
        error = {
            "message": "Internal gateway error.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
        yield b"\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n"
        yield orjson.dumps({"hasNext": False, "errors": [error]})
    yield b"\r\n--graphql--\r\n"


def _media_type(accept: str) -> str | None:
    """The response media type the client accepts, preferring the GraphQL one."""
    if not accept:
        return JSON
    accepted = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in accepted:
        return GRAPHQL_RESPONSE
    if JSON in accepted or "*/*" in accepted or "application/*" in accepted:
        return JSON
    return None


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def _bad_request(message: str, media: str, status: int = 400) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}
    return Response(orjson.dumps(body), status_code=status, media_type=media)


class GraphQLEndpoint:
    """The `/graphql` route: decodes the HTTP request, runs the gateway, encodes the result."""

    def __init__(
        self,
        gateway: Pipeline,
        graphiql: Any | None,
        sse: GraphQLSSE | None = None,
        *,
        example_query: str | None = None,
        multipart: GraphQLMultipart | None = None,
        batching: Batching | None = None,
        policies: Policies | None = None,
    ) -> None:
        self.gateway = gateway
        self.policies = policies
        self.batching = batching
        self.graphiql = graphiql
        self.sse = sse
        self.multipart = multipart
        self.example_query = example_query

    async def handle(self, request: Request) -> Response:
        plugins = self.gateway.plugins
        if not plugins:
            return await self._handle(request)
        stage = RouterRequest(request)  # plugins.py: the router stage
        token = request_context.set(stage.context)
        try:
            answer = await plugins.router_request(stage)
            response = answer if answer is not None else await self._handle(request)
            return await plugins.router_response(stage, response)
        except Exception:
            log.exception("a plugin failed at the router stage")
            body = {"errors": [{"message": "Internal gateway error.", "extensions": {
                "code": "INTERNAL_SERVER_ERROR"}}]}  # fmt: skip
            return Response(orjson.dumps(body), 500, media_type=JSON)
        finally:
            request_context.reset(token)

    async def _handle(self, request: Request) -> Response:
        if request.method == "GET" and _wants_html(request):
            return self._graphiql(request)
        if self.sse is not None and wants_event_stream(request):
            return await self.sse.endpoint(request)
        accept = request.headers.get("accept", "")
        multipart_subscription = self.multipart is not None and wants_multipart_subscription(accept)
        media = _media_type(accept) or (JSON if multipart_subscription else None)
        if media is None:
            return _bad_request(
                f"Accept must allow {GRAPHQL_RESPONSE} or {JSON}.", JSON, status=406
            )
        if request.method == "POST":
            decoded = await self._decode_post(request, media)
        else:
            decoded = self._decode_get(request, media)
        if isinstance(decoded, Response):
            return decoded
        include_plan = any(request.headers.get(h) for h in PLAN_HEADERS)
        if isinstance(decoded, list):  # a batch (batching.py): a JSON array answers it
            if self.policies is not None:
                refused = await self.policies.admit(request, decoded, media)
                if refused is not None:
                    return refused
            template = GatewayRequest(None, headers=request.headers, include_plan=include_plan)
            bodies = await execute_batch(self.gateway, decoded, self._fields_from, template)
            if self.policies is not None:
                bodies = self.policies.masking.body(bodies)
            return Response(orjson.dumps(bodies), media_type=media)
        decoded.headers = request.headers
        decoded.include_plan = include_plan
        decoded.allow_mutations = request.method == "POST"
        if (
            multipart_subscription
            and self.multipart is not None
            and decoded.query
            and is_subscription(decoded.query, decoded.operation_name)
        ):
            return await self.multipart.respond(
                OperationRequest(
                    query=decoded.query,
                    variables=decoded.variables,
                    operation_name=decoded.operation_name,
                    extensions=decoded.extensions,
                    headers={k.lower(): v for k, v in request.headers.items()},
                    peer=request.client.host if request.client else None,
                ),
                accept,
            )
        if self.policies is not None:  # policies.py: introspection, rate limit
            refused = await self.policies.admit(request, decoded, media)
            if refused is not None:
                return refused
        if "multipart/mixed" in request.headers.get("accept", ""):
            payloads = await self.gateway.execute_incremental(decoded)
            if payloads is not None:
                if self.policies is not None:
                    payloads = self.policies.masked_payloads(payloads)
                return StreamingResponse(
                    _multipart(payloads),
                    media_type=MULTIPART,
                    headers={"cache-control": "no-cache"},
                )
        try:
            result = await self.gateway.execute(decoded)
        except Exception:
            log.exception("unexpected gateway failure")
            body = {
                "errors": [
                    {
                        "message": "Internal gateway error.",
                        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                    }
                ]
            }
            if self.policies is not None:
                body = self.policies.masking.body(body)
            return Response(orjson.dumps(body), 500, media_type=media)
        return self._encode(result, media)

    def _encode(self, result: GatewayResponse, media: str) -> Response:
        status = 200
        if result.status_hint is not None and result.status_hint != 200:
            status = result.status_hint
        elif result.request_error and media == GRAPHQL_RESPONSE:
            status = 400
        headers = {"allow": "POST"} if status == 405 else None
        body = result.body if self.policies is None else self.policies.masking.body(result.body)
        return Response(orjson.dumps(body), status, headers=headers, media_type=media)

    async def _decode_post(
        self, request: Request, media: str
    ) -> GatewayRequest | Response | list[Any]:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = await request.body()
        if content_type == "application/graphql":
            return GatewayRequest(query=raw.decode("utf-8", "replace"))
        if content_type != JSON:
            return _bad_request(
                "Content-Type must be application/json (or application/graphql).",
                media,
                status=415,
            )
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return _bad_request("The request body is not valid JSON.", media)
        if isinstance(body, list):
            if self.batching is None:
                return Response(orjson.dumps({"errors": [NOT_ENABLED]}), 400, media_type=media)
            refused = self.batching.refusal(len(body))
            if refused is not None:
                status, error = refused
                return Response(orjson.dumps({"errors": [error]}), status, media_type=media)
            return body
        if not isinstance(body, dict):
            return _bad_request("The request body must be a JSON object.", media)
        return self._request_from(body, media)

    def _decode_get(self, request: Request, media: str) -> GatewayRequest | Response:
        params: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if name in params:
                try:
                    params[name] = orjson.loads(params[name])
                except orjson.JSONDecodeError:
                    return _bad_request(f"The {name} parameter is not valid JSON.", media)
        return self._request_from(params, media)

    def _request_from(self, body: Mapping[str, Any], media: str) -> GatewayRequest | Response:
        decoded = self._fields_from(body)
        return _bad_request(decoded, media) if isinstance(decoded, str) else decoded

    @staticmethod
    def _fields_from(body: Mapping[str, Any]) -> GatewayRequest | str:
        """The request a JSON object (or GET parameters) holds, or what is wrong with it."""
        query = body.get("query")
        variables = body.get("variables")
        operation_name = body.get("operationName")
        extensions = body.get("extensions")
        if query is not None and not isinstance(query, str):
            return "query must be a string."
        if variables is not None and not isinstance(variables, dict):
            return "variables must be a JSON object."
        if operation_name is not None and not isinstance(operation_name, str):
            return "operationName must be a string."
        if extensions is not None and not isinstance(extensions, dict):
            return "extensions must be a JSON object."
        document_id = body.get("documentId")
        if document_id is not None and not isinstance(document_id, str):
            return "documentId must be a string."
        return GatewayRequest(
            query, variables, operation_name or None, extensions, document_id=document_id
        )

    def _graphiql(self, request: Request) -> Response:
        if self.policies is not None and not self.policies.profile.graphiql:
            return HTMLResponse(
                "<!doctype html><title>GraphQL</title><p>GraphiQL is off on this gateway "
                "(production profile); POST GraphQL requests to this URL.</p>",
                status_code=404,
            )
        if self.graphiql is None:
            return HTMLResponse(
                "<!doctype html><title>GraphQL</title><p>GraphiQL is not bundled in this "
                "installation; POST GraphQL requests to this URL.</p>"
            )
        try:
            page = self.graphiql.graphiql_html(
                str(request.url.path), default_query=self.example_query
            )
            return HTMLResponse(page)
        except FileNotFoundError as exc:  # GraphiQLNotBuilt: the bundle was not built
            log.warning("%s", exc)
            return HTMLResponse(
                "<!doctype html><title>GraphQL</title><p>The GraphiQL bundle is not built "
                "(run scripts/setup); POST GraphQL requests to this URL.</p>",
                status_code=503,
            )
