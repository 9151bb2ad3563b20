"""The example plugin (plugins.py): one id per request, end to end.

The client's `x-request-id` is kept when it looks like an id (1-128 of letters, digits,
`.`, `_`, `-`; anything else could smuggle text into logs) or a new UUID is made. Every
subgraph call of the request carries it, and the client gets it back in the response
header and in `extensions.requestId`, so a support ticket names one line in every log.

    pos gateway --plugin supergraph.runtime.plugins.request_id:RequestId
"""

from __future__ import annotations

import re
import uuid

from starlette.responses import Response

from .api import Body, Plugin, RouterRequest, SubgraphRequest, SupergraphRequest

HEADER = "x-request-id"
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _id(context: dict[str, object], offered: str | None) -> str:
    found = context.get("request_id")
    if isinstance(found, str):
        return found
    chosen = offered if offered and _VALID.match(offered) else str(uuid.uuid4())
    context["request_id"] = chosen
    return chosen


class RequestId(Plugin):
    name = "request-id"

    async def router_request(self, request: RouterRequest) -> Response | None:
        _id(request.context, request.request.headers.get(HEADER))
        return None

    async def router_response(self, request: RouterRequest, response: Response) -> Response:
        response.headers[HEADER] = _id(request.context, None)
        return response

    async def supergraph_request(self, request: SupergraphRequest) -> Body | None:
        # operations that skip the router stage (WebSocket, batch entries) get one here
        _id(request.context, request.request.headers.get(HEADER))
        return None

    async def supergraph_response(self, request: SupergraphRequest, body: Body) -> Body:
        body.setdefault("extensions", {})["requestId"] = _id(request.context, None)
        return body

    async def subgraph_request(self, request: SubgraphRequest) -> Body | None:
        request.headers[HEADER] = _id(request.context, None)
        return None
