"""Resuming a subscription: the cursor, the replay window, an owner that cannot answer.

The end-to-end proof (five missed sales across a gateway restart) is in
tests/e2e/test_subscription_resume.py; these pin what a client is told at the edges.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest
from subscription_doubles import ReadModelResolver, api_schema

from eventbus import Envelope
from eventbus.transports.inprocess import InProcessTransport
from supergraph.subscriptions import Freshness, live_subscriptions
from supergraph.subscriptions.cursor import Arrivals, CursorError, DeliveryLog, ResumeCursor
from supergraph.subscriptions.replay import EventReplay, events_url, resume_cursor
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


def owner(
    events: list[dict[str, Any]], *, status: int = 200, topic: str = "pos.sales"
) -> httpx.MockTransport:
    """A subgraph's /events: pages of 2 after `after`, as `event_log` answers."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["pos-gateway-identity"] == "signed"
        after = int(request.url.params["after"])
        later = [e for e in events if e["position"] > after]
        page = later[:2]
        body = {
            "topic": topic,
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
    assert resume_cursor(OperationRequest("subscription { x }")) is None
    assert resume_cursor(OperationRequest("s", extensions={"resumeFrom": 41})) == ResumeCursor(41)
    by_header = resume_cursor(OperationRequest("s", headers={"last-event-id": "7.2"}))
    assert by_header == ResumeCursor(7, frozenset({9}))
    for bad in (-1, "x", True, 1.5, "1" * 30):
        with pytest.raises(OperationErrors) as refused:
            resume_cursor(OperationRequest("s", extensions={"resumeFrom": bad}))
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


def test_a_cursor_is_a_watermark_and_the_pushes_above_it() -> None:
    cursor = ResumeCursor.parse("40.2.5")
    assert cursor == ResumeCursor(40, frozenset({42, 45}))
    assert str(cursor) == "40.2.5" and str(ResumeCursor(7)) == "7"
    assert [p for p in range(38, 47) if not cursor.covers(p)] == [41, 43, 44, 46]
    assert ResumeCursor.parse(41) == ResumeCursor.parse("41") == ResumeCursor(41)
    for bad in ("40.0", "40.-1", "40..2", "a.1", "", ".".join(["1"] * 600), True, -3):
        with pytest.raises(CursorError):
            ResumeCursor.parse(bad)


def test_the_watermark_trails_the_pushes_by_the_reorder_horizon() -> None:
    now = [100.0]
    log = DeliveryLog.fresh(horizon=5.0, clock=lambda: now[0])
    assert str(log.pushed(11)) == "10.1"  # a feed that saw nothing: just below the first
    now[0] += 1
    assert str(log.pushed(13)) == "10.1.3"  # 12 may still come: not covered
    now[0] += 1
    assert str(log.pushed(12)) == "10.1.2.3"  # ... and here it is, late
    now[0] += 10  # past the horizon: everything below the old pushes has arrived
    cursor = log.pushed(20)
    assert str(cursor) == "13.7" and cursor.covers(12) and not cursor.covers(19)


def test_a_fresh_subscription_starts_from_what_the_feed_received_lately() -> None:
    now = [0.0]
    arrivals = Arrivals(horizon=5.0, clock=lambda: now[0])
    for position in (3, 4):
        arrivals.arrived(position)
    now[0] += 6
    for position in (7, 9):  # 8 is on its way
        arrivals.arrived(position)
    log = DeliveryLog.fresh(arrivals.snapshot(), horizon=5.0, clock=lambda: now[0])
    cursor = log.pushed(10)
    assert cursor == ResumeCursor(4, frozenset({7, 9, 10}))  # 5, 6 and 8 would be replayed


def test_a_resumed_log_keeps_what_the_client_had_above_its_watermark() -> None:
    now = [0.0]
    start = ResumeCursor(10, frozenset({12}))
    log = DeliveryLog.resumed(start, horizon=5.0, clock=lambda: now[0])
    assert str(log.pushed(11)) == "10.1.2"
    now[0] += 6
    assert str(log.pushed(14)) == "12.2"


def test_a_busy_subscription_keeps_its_cursor_short() -> None:
    log = DeliveryLog.fresh(horizon=60.0, max_above=4, clock=lambda: 0.0)
    for position in range(1, 10):
        cursor = log.pushed(position)
    assert cursor == ResumeCursor(5, frozenset({6, 7, 8, 9}))


def _stock_event(warehouse: str, position: int, product: str = "p1") -> Envelope:
    return Envelope(
        type="pos.inventory.StockReceived.v1",
        source="inventory",
        subject=f"{product}|{warehouse}",
        data={"productId": product, "warehouse": warehouse, "quantity": 1},
        stream_version=1,
        position=position,
    )


async def _next(stream: Any) -> dict[str, Any]:
    async with asyncio.timeout(5):
        pushed: dict[str, Any] = await anext(stream)
        return pushed


STOCK = 'subscription { stockLevelChanged(productId: "p1") { warehouse onHand } }'


async def test_a_lower_position_that_arrives_after_a_higher_one_is_not_lost_on_resume(
    supergraph_sdl: str,
) -> None:
    """stockLevelChanged(productId) spans one stream per warehouse: the feed may push 12
    before 10 (different partitions). A client that saw 11 and 12, then dropped while 10
    was still on its way, resumes from its last cursor and gets 10 and then 13: not 11 or
    12 again. Resuming from the plain position 12 (an older client) would lose 10."""
    transport = InProcessTransport()
    resolver = ReadModelResolver()
    store: list[dict[str, Any]] = []
    for warehouse in "ABCD":
        resolver.rows[("StockItem", f"p1|{warehouse}")] = {
            "warehouse": warehouse,
            "onHand": 1,
            "version": 1,
        }
    owner_url = "http://inventory.invalid/graphql"
    live = live_subscriptions(
        supergraph_sdl,
        api_schema(supergraph_sdl),
        transport,
        resolver,
        freshness=Freshness(timeout=1.0, first_delay=0.01, max_delay=0.05),
        identity_headers=lambda: {"pos-gateway-identity": "signed"},
        transports={owner_url: owner(store, topic="pos.inventory")},
    )
    await live.feed.start()
    try:

        async def happen(warehouse: str, position: int, product: str = "p1") -> None:
            event = _stock_event(warehouse, position, product)
            store.append(event.to_dict())
            store.sort(key=lambda e: e["position"])
            await transport.publish("pos.inventory", [event])

        async def delivered(count: int) -> None:  # the feed has handled `count` events
            async with asyncio.timeout(5):
                while live.feed.metrics.received < count:
                    await asyncio.sleep(0.01)

        await happen("A", 9, product="p2")  # the shop's traffic before the client came
        await delivered(1)
        first = await live.open(OperationRequest(STOCK))
        store.append(_stock_event("C", 10).to_dict())  # committed, not yet delivered
        await happen("A", 11)
        await happen("B", 12)
        pushes = [await _next(first), await _next(first)]
        assert [p["extensions"]["position"] for p in pushes] == [11, 12]
        cursor = pushes[-1]["extensions"]["cursor"]
        await first.aclose()  # type: ignore[attr-defined]
        await transport.publish("pos.inventory", [_stock_event("C", 10)])  # arrives late
        await happen("D", 13)
        await delivered(5)

        resumed = await live.open(OperationRequest(STOCK, extensions={"resumeFrom": cursor}))
        got = [await _next(resumed), await _next(resumed)]
        assert [p["data"]["stockLevelChanged"]["warehouse"] for p in got] == ["C", "D"]
        assert [p["extensions"]["position"] for p in got] == [10, 13]
        await resumed.aclose()  # type: ignore[attr-defined]

        legacy = await live.open(OperationRequest(STOCK, extensions={"resumeFrom": 12}))
        assert (await _next(legacy))["extensions"]["position"] == 13  # 10 is lost this way
        await legacy.aclose()  # type: ignore[attr-defined]
    finally:
        await live.feed.stop()
