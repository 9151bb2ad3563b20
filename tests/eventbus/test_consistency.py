"""Consistency tokens and the progress wait behind read-your-writes (docs/consistency.md).

What a user would notice: a token round-trips and merges; a malformed one is refused
with a message saying what to send; a projection that ignores an event type still lets a
wait on that event finish (the runner records what it moved past, in the real read
store); and a wait that cannot be met gives up at its bound.
"""

from __future__ import annotations

from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient

from eventbus import Envelope, topic_for
from eventbus.consistency import (
    MalformedToken,
    Span,
    format_token,
    merge_tokens,
    parse_token,
    token_of,
)
from eventbus.progress import MemoryProgress, MongoProgress, envelopes_at, wait_projected
from eventbus.projection import ProjectionRunner
from eventbus.sqlstore import SqlEventStore
from eventbus.transports import InProcessTransport
from tests.eventbus.fixtures_bus import TallyProjection, append, counted, read_store, unique

__all__ = ["read_store"]  # fixtures used by name


def test_a_token_names_the_positions_per_context_and_round_trips() -> None:
    stored = [
        e.with_position(p)
        for e, p in zip(
            [*counted("a", 2, source="sales"), *counted("b", 1, source="inventory")],
            [1230, 1236, 1237],
            strict=True,
        )
    ]
    token = token_of(stored)
    assert token == {"sales": Span(1230, 1236), "inventory": Span(1237, 1237)}
    text = format_token(token)
    assert text == "inventory:1237,sales:1230-1236"
    assert parse_token(text) == token
    merged = merge_tokens(token, parse_token("sales:1240,ordering:7"))
    assert format_token(merged) == "inventory:1237,ordering:7,sales:1230-1240"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sales",
        "sales:",
        "sales:0",
        "sales:9-3",
        "Sales:1",
        "sales:1;x",
        "a:1," * 20,
        "x" * 2000,
    ],
)
def test_a_malformed_token_is_refused_saying_what_to_send(text: str) -> None:
    with pytest.raises(MalformedToken, match=r"extensions\.consistency"):
        parse_token(text)


class IgnoresOdd(TallyProjection):
    """Folds only even stream versions: like a report that ignores most event types,
    `has_applied` is never true for what it skips."""

    async def apply(self, envelope: Envelope) -> None:
        if envelope.stream_version % 2 == 0:
            await super().apply(envelope)

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.stream_version % 2:
            return False
        return await super().has_applied(envelope)


@pytest.mark.services
async def test_the_runner_records_what_it_moved_past_so_waits_on_ignored_events_end(
    read_store: AsyncMongoClient,
) -> None:
    source = unique("ctx").replace(".", "")
    topic = topic_for(source)
    projection = IgnoresOdd([topic])
    events = counted(str(uuid4()), 3, source=source)  # 3 is ignored, and last
    progress = MongoProgress(
        read_store[unique("progress").replace(".", "_")]["projection_progress"]
    )
    assert not await wait_projected([projection], events, 0.3, progress=progress)
    transport = InProcessTransport()
    await transport.start()
    runner = ProjectionRunner(transport, projection, progress=progress)
    await runner.start()
    try:
        await transport.publish(topic, events)
        assert await wait_projected([projection], events, 20, progress=progress)
    finally:
        await runner.stop()
        await transport.stop()
    recorded = await progress.handled(projection.name, [events[0].subject, "never"])
    assert recorded == {events[0].subject: 3}
    # a second, lower record does not move it back
    await progress.record(projection.name, {events[0].subject: 1})
    assert await progress.handled(projection.name, [events[0].subject]) == {events[0].subject: 3}


async def test_a_wait_only_concerns_the_projections_topics_and_ends_at_its_bound() -> None:
    mine, theirs = counted("s", 1, source="mine"), counted("t", 1, source="theirs")
    projection = IgnoresOdd([topic_for("mine")])
    progress = MemoryProgress()
    assert await wait_projected([projection], theirs, 0.1, progress=progress)
    assert not await wait_projected([projection], mine, 0.1, progress=progress)
    await progress.record(projection.name, {"s": 1})
    assert await wait_projected([projection], mine, 0.1, progress=progress)


async def test_a_token_resolves_to_the_stored_events_it_names(tmp_path: object) -> None:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path}/events.db")
    await store.start()
    try:
        before = await append(store, "x", 2, source="other")
        written = await append(store, "y", 3, source="sales")
        after = await append(store, "z", 1, source="sales")
        token = token_of(written)
        found = await envelopes_at(store, token, ["sales", "other"])
        assert [e.id for e in found] == [e.id for e in written]
        assert await envelopes_at(store, token, ["inventory"]) == []
        assert before and after
    finally:
        await store.close()
