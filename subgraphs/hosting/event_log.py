"""`GET /events`: a context's own events from the event store, after a position.

Why: a subscription that resumes (docs/subscriptions.md) must get the events its client
missed from the event store, which keeps every event, not from Kafka, whose retention and
offsets are not positions. The gateway knows a subgraph only by its SDL and URL, so the
subgraph that owns a topic (context `sales` owns `pos.sales`) lists them over HTTP, at
its GraphQL URL with `/events` in place of `/graphql`.

``GET /events?topic=pos.sales&after=1234&limit=500`` answers
``{"topic", "events": [<envelope as JSON>...], "scannedTo": <position>, "end": bool}``:
the topic's events with a position above `after`, in position order, at most `limit`
(1..1000). The store is read by global position, all contexts mixed, so one call scans
at most `MAX_SCAN` positions; `scannedTo` says how far it got (continue with
``after=scannedTo``) and `end` that the store has nothing after it. Positions have gaps
(rolled-back transactions), which a reader by position must and does tolerate.

Only the gateway may call it (`GatewayIdentityGuard`, like `/graphql`): events are raw
data, which the gateway filters and resolves through the graph before a client sees
anything. Another context's topic answers 404: each context lists only its own.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, request_response
from starlette.types import ASGIApp

from eventbus.envelope import topic_for
from eventbus.ports import EventStore
from subgraphs.hosting.identity import GatewayIdentityGuard, IdentityVerifier

MAX_LIMIT = 1000
MAX_SCAN = 20_000
PAGE = 1000


def event_log_route(context: str, store: EventStore, verifier: IdentityVerifier) -> Route:
    """The `/events` route of context `context` (its topic: ``pos.<context>``)."""
    return Route("/events", event_log_app(context, store, verifier), methods=["GET"])


def event_log_app(context: str, store: EventStore, verifier: IdentityVerifier) -> ASGIApp:
    own = topic_for(context)

    async def endpoint(request: Request) -> Response:
        params = request.query_params
        topic = params.get("topic", own)
        if topic != own:
            return _error(404, f"This subgraph lists only its own topic, {own}.", "NOT_FOUND")
        after = _natural(params.get("after", "0"))
        limit = _natural(params.get("limit", str(MAX_LIMIT)))
        if after is None or limit is None or not 1 <= limit <= MAX_LIMIT:
            return _error(
                400,
                f"after must be a position (0 or more) and limit 1 to {MAX_LIMIT}.",
                "BAD_USER_INPUT",
            )
        events: list[bytes] = []
        position, end = after, False
        while len(events) < limit and position - after < MAX_SCAN:
            page = await store.read_all(position, PAGE)
            if not page:
                end = True
                break
            for envelope in page:
                if envelope.position is None or envelope.position <= position:
                    continue
                if envelope.topic == own:
                    events.append(envelope.to_json())
                position = envelope.position
                if len(events) >= limit:
                    break
            if len(page) < PAGE and len(events) < limit:
                end = True
                break
        body = b"".join(
            [
                b'{"topic":',
                orjson.dumps(own),
                b',"events":[',
                b",".join(events),
                b'],"scannedTo":',
                str(position).encode(),
                b',"end":',
                b"true" if end else b"false",
                b"}",
            ]
        )
        return Response(body, media_type="application/json")

    return GatewayIdentityGuard(request_response(endpoint), verifier)


def _natural(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


def _error(status: int, message: str, code: str) -> Response:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    return Response(body, status, media_type="application/json")
