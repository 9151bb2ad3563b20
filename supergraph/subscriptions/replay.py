"""Missed events for a subscription that resumes, from the event store via the owning subgraph.

A client that reconnects names the cursor of the last push it saw (SSE ``Last-Event-ID``,
graphql-transport-ws ``subscribe`` payload ``extensions.resumeFrom``; cursor.py). The gateway
subscribes to the live feed first, then asks the subgraph owning the topic for the
topic's stored events after that position (``GET <subgraph>/events``, see
`subgraphs.hosting.event_log`), pushes those, then the live ones it has not pushed yet:
no gap (the live subscription was open before the store was read) and no duplicate
(events already replayed, or covered by the cursor, are skipped).

Why the event store and not Kafka offsets: the store keeps every event for good and
numbers them with the position every push carries; Kafka's offsets are per partition and
its retention is a broker setting. The window is bounded instead by `max_events`: a
client more than that many events of the topic behind gets `RESUME_WINDOW_EXCEEDED` and
re-queries (docs/subscriptions.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import orjson

from eventbus.envelope import Envelope

from .cursor import CursorError, ResumeCursor
from .source import OperationErrors, OperationRequest, operation_error

log = logging.getLogger(__name__)

RESUME_EXTENSION = "resumeFrom"
LAST_EVENT_ID = "last-event-id"
MAX_EVENTS = 1000
"""Most missed events of one topic a resuming subscription is replayed."""
PAGE = 500


def resume_cursor(request: OperationRequest) -> ResumeCursor | None:
    """Where a client resumes (cursor.py), or None for a fresh subscription.

    Raises `OperationErrors` (BAD_USER_INPUT) for a cursor that is not one.
    """
    raw: Any = (request.extensions or {}).get(RESUME_EXTENSION)
    if raw is None:
        raw = request.headers.get(LAST_EVENT_ID)
    if raw is None:
        return None
    try:
        return ResumeCursor.parse(raw)
    except CursorError as exc:
        raise operation_error(
            f"resumeFrom (or Last-Event-ID) must be the `cursor` of the last push this "
            f"client received (extensions.cursor, the SSE event id) or its `position`: {exc}."
        ) from None


def events_url(graphql_url: str) -> str:
    """Where a subgraph lists its events: its GraphQL URL with ``/events`` for ``/graphql``."""
    base = graphql_url.rstrip("/")
    if base.endswith("/graphql"):
        base = base[: -len("/graphql")]
    return base + "/events"


class EventReplay:
    """Reads a topic's stored events after a position from the subgraph that owns it.

    `urls`: topic -> the owning subgraph's GraphQL URL. `identity_headers`: the
    gateway's signed identity (every subgraph call carries it). `transports`: per GraphQL
    URL, the httpx transport to use (in-process subgraphs), as the gateway's fetcher.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        identity_headers: Callable[[], Mapping[str, str]] | None = None,
        max_events: int = MAX_EVENTS,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.urls = {topic: events_url(url) for topic, url in urls.items()}
        self.transports = {
            topic: (transports or {}).get(url, transport) for topic, url in urls.items()
        }
        self.identity_headers = identity_headers
        self.max_events = max_events
        self.timeout = timeout
        self.transport = transport

    async def missed(self, topic: str, after: int) -> list[Envelope]:
        """The topic's events after position `after`, in position order.

        Raises `OperationErrors`: RESUME_WINDOW_EXCEEDED past `max_events`,
        RESUME_UNAVAILABLE when the owner cannot be asked (the client should re-query).
        """
        url = self.urls.get(topic)
        if url is None:
            raise _unavailable(f"no subgraph lists the events of {topic}")
        headers = dict(self.identity_headers()) if self.identity_headers is not None else {}
        found: list[Envelope] = []
        position = after
        transport = self.transports.get(topic, self.transport)
        async with httpx.AsyncClient(timeout=self.timeout, transport=transport) as client:
            while True:
                page = await self._page(client, url, topic, position, headers)
                for raw in page["events"]:
                    found.append(Envelope.from_dict(raw))
                if len(found) > self.max_events:
                    raise OperationErrors(
                        [
                            {
                                "message": (
                                    f"More than {self.max_events} events of {topic} happened "
                                    f"after position {after}: too far behind to replay. "
                                    "Re-query the current state, then subscribe without "
                                    "resumeFrom."
                                ),
                                "extensions": {
                                    "code": "RESUME_WINDOW_EXCEEDED",
                                    "maxEvents": self.max_events,
                                },
                            }
                        ]
                    )
                scanned = page["scannedTo"]
                if page["end"] or not isinstance(scanned, int) or scanned <= position:
                    return found
                position = scanned

    async def _page(
        self,
        client: httpx.AsyncClient,
        url: str,
        topic: str,
        after: int,
        headers: Mapping[str, str],
    ) -> dict[str, Any]:
        params: dict[str, str | int] = {"topic": topic, "after": after, "limit": PAGE}
        try:
            response = await client.get(url, params=params, headers=headers)
            body = orjson.loads(response.content)
        except (httpx.HTTPError, orjson.JSONDecodeError) as exc:
            log.warning("event replay from %s failed: %r", url, exc)
            raise _unavailable(f"the events of {topic} could not be read") from None
        if response.status_code != 200 or not isinstance(body, dict):
            log.warning("event replay from %s: HTTP %s %s", url, response.status_code, body)
            raise _unavailable(f"the events of {topic} could not be read")
        if not isinstance(body.get("events"), list):
            raise _unavailable(f"the events of {topic} could not be read")
        return body


def _unavailable(why: str) -> OperationErrors:
    return operation_error(
        f"Cannot resume the subscription: {why}. Re-query the current state, then subscribe "
        "without resumeFrom (or retry shortly).",
        "RESUME_UNAVAILABLE",
    )
