"""Resuming a subscription: the cursor, the replay window, an owner that cannot answer.

The end-to-end proof (five missed sales across a gateway restart) is in
tests/e2e/test_subscription_resume.py; these pin what a client is told at the edges.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from eventbus import Envelope
from supergraph.subscriptions.replay import EventReplay, events_url, resume_position
from supergraph.subscriptions.source import OperationErrors, OperationRequest


def stored(position: int, topic_context: str = "sales") -> dict[str, Any]:
    return Envelope(
        type=f"pos.{topic_context}.SaleCompleted.v1",
        source=topic_context,
        subject=f"s{position}",
        data={},
        stream_version=1,
        position=position,
    ).to_dict()


def owner(events: list[dict[str, Any]], *, status: int = 200) -> httpx.MockTransport:
    """A subgraph's /events: pages of 2 after `after`, as `event_log` answers."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["pos-gateway-identity"] == "signed"
        after = int(request.url.params["after"])
        later = [e for e in events if e["position"] > after]
        page = later[:2]
        body = {
            "topic": "pos.sales",
            "events": page,
            "scannedTo": page[-1]["position"] if page else after,
            "end": len(later) <= 2,
        }
        return httpx.Response(status, content=orjson.dumps(body))

    return httpx.MockTransport(answer)


def replay(transport: httpx.MockTransport, max_events: int = 1000) -> EventReplay:
    return EventReplay(
        {"pos.sales": "http://sales:4008/graphql"},
        identity_headers=lambda: {"pos-gateway-identity": "signed"},
        max_events=max_events,
        transport=transport,
    )


def test_the_cursor_comes_from_the_extension_or_the_sse_header() -> None:
    assert resume_position(OperationRequest("subscription { x }")) is None
    assert resume_position(OperationRequest("s", extensions={"resumeFrom": 41})) == 41
    assert resume_position(OperationRequest("s", extensions={"resumeFrom": "41"})) == 41
    assert resume_position(OperationRequest("s", headers={"last-event-id": "7"})) == 7
    for bad in (-1, "x", True, 1.5, "1" * 30):
        with pytest.raises(OperationErrors) as refused:
            resume_position(OperationRequest("s", extensions={"resumeFrom": bad}))
        assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_events_url_sits_beside_the_graphql_one() -> None:
    assert events_url("http://sales:4008/graphql") == "http://sales:4008/events"
    assert events_url("http://h/subgraphs/sales/graphql/") == "http://h/subgraphs/sales/events"


async def test_missed_events_come_in_position_order_across_pages() -> None:
    events = [stored(p) for p in (3, 5, 8, 13, 21)]
    found = await replay(owner(events)).missed("pos.sales", 5)
    assert [e.position for e in found] == [8, 13, 21]


async def test_too_far_behind_is_told_to_re_query() -> None:
    events = [stored(p) for p in range(1, 10)]
    with pytest.raises(OperationErrors) as refused:
        await replay(owner(events), max_events=3).missed("pos.sales", 0)
    [error] = refused.value.errors
    assert error["extensions"] == {"code": "RESUME_WINDOW_EXCEEDED", "maxEvents": 3}
    assert "Re-query" in error["message"]


async def test_an_owner_that_cannot_answer_ends_the_resume_not_the_gateway() -> None:
    with pytest.raises(OperationErrors) as refused:
        await replay(owner([], status=503)).missed("pos.sales", 0)
    assert refused.value.errors[0]["extensions"]["code"] == "RESUME_UNAVAILABLE"
    with pytest.raises(OperationErrors) as unknown:
        await replay(owner([])).missed("pos.nowhere", 0)
    assert unknown.value.errors[0]["extensions"]["code"] == "RESUME_UNAVAILABLE"
