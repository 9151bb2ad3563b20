"""One trace from the append through the relay and the bus to the projector (and a reactor).

In process (SQLite store, in-process bus) and on the real services (PostgreSQL store,
the Kafka broker): the trace id must survive the outbox, the broker and the consumer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from eventbus import Envelope, EventStore, Transport, topic_for
from eventbus.projection import Projection, ProjectionRunner
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.tracing import context_of, traceparent_of
from eventbus.transports import InProcessTransport
from eventbus.transports.kafka import KafkaTransport
from tests.eventbus.fixtures_bus import counted, eventually, kafka_bootstrap, unique
from tests.tracing_capture import by_name, capturing, parent_chain

TRACER = trace.get_tracer("tests.eventbus")


class Recorder(Projection):
    """Remembers the trace each event arrived in; as a reactor, writes a follow-up event."""

    def __init__(self, topics: Sequence[str], store: EventStore, react_to: str | None) -> None:
        self.name = unique("traced")
        self.topics = list(topics)
        self.store = store
        self.react_to = react_to
        self.seen: dict[str, int] = {}

    async def apply(self, envelope: Envelope) -> None:
        self.seen[envelope.id] = trace.get_current_span().get_span_context().trace_id
        if envelope.source == self.react_to:
            follow = unique("follow")
            await self.store.append(follow, 0, counted(follow, 1, source=f"{envelope.source}x"))

    async def has_applied(self, envelope: Envelope) -> bool:
        return envelope.id in self.seen

    async def reset(self) -> None:
        self.seen.clear()


async def _command(store: EventStore, source: str) -> tuple[int, list[Envelope]]:
    """Append two events inside a root span, as a command handler would."""
    stream = unique("s")
    with TRACER.start_as_current_span("command Test") as root:
        stored = await store.append(stream, 0, counted(stream, 2, source=source))
    return root.get_span_context().trace_id, stored


async def _one_trace(store: SqlEventStore, transport: Transport) -> list[ReadableSpan]:
    source = unique("tr").replace(".", "")
    relay = Relay(store.outbox, transport, poll_interval=0.05)
    recorder = Recorder([topic_for(source), topic_for(f"{source}x")], store, react_to=source)
    runner = ProjectionRunner(transport, recorder, poll_timeout=0.2)
    with capturing() as exporter:
        trace_id, stored = await _command(store, source)
        relay_task = asyncio.create_task(relay.run())
        await runner.start()
        try:
            await eventually(lambda: _done(recorder, 4), what="events and the reactions applied")
        finally:
            await runner.stop()
            relay.stop()
            await relay_task
        spans = list(exporter.get_finished_spans())
    assert {t for t in recorder.seen.values()} == {trace_id}, "every apply ran in the trace"
    for envelope in stored:
        assert envelope.traceparent is not None
        assert (
            trace.get_current_span(context_of(envelope.traceparent)).get_span_context().trace_id
            == trace_id
        )
    [read_back, _] = await store.read_stream(stored[0].subject)
    assert read_back.traceparent == stored[0].traceparent, "stored with the event"
    assert {s.context.trace_id for s in spans if s.context} == {trace_id}
    return spans


async def _done(recorder: Recorder, count: int) -> bool:
    return len(recorder.seen) >= count


def _assert_chain(spans: list[ReadableSpan]) -> None:
    names = by_name(spans)
    processes = [s for s in spans if s.kind is SpanKind.CONSUMER]
    assert len(processes) == 4, [s.name for s in spans]
    chains = sorted(parent_chain(s, spans) for s in processes)
    # the command's two events, then the reactor's event written while processing each
    assert all(chain[-1] == "command Test" for chain in chains)
    assert [len(c) for c in chains] == [4, 4, 7, 7], chains
    deepest = chains[-1]
    assert deepest[0].startswith("process ") and deepest[1].startswith("publish ")
    assert deepest[2] == "eventbus append" and deepest[3] == deepest[0].replace("x", "", 1)
    assert len(names["eventbus append"]) == 3
    producer = next(s for s in spans if s.kind is SpanKind.PRODUCER)
    assert producer.attributes is not None
    assert producer.attributes["messaging.system"] == "kafka"


async def test_one_trace_from_append_to_projector_and_reactor_in_process(
    sqlite_store: SqlEventStore,
) -> None:
    transport = InProcessTransport()
    await transport.start()
    try:
        spans = await _one_trace(sqlite_store, transport)
    finally:
        await transport.stop()
    _assert_chain(spans)


@pytest.mark.services
async def test_the_trace_id_survives_outbox_kafka_and_projector(pg_store: SqlEventStore) -> None:
    transport = KafkaTransport(kafka_bootstrap(), client_id="pos-test-tracing")
    await transport.start()
    try:
        spans = await _one_trace(pg_store, transport)
    finally:
        await transport.stop()
    _assert_chain(spans)


async def test_the_kafka_record_carries_the_traceparent_header(sqlite_store: SqlEventStore) -> None:
    source = unique("hd").replace(".", "")
    transport = InProcessTransport()
    consumer = transport.consumer(unique("g"), [topic_for(source)])
    await consumer.start()
    with capturing():
        _, stored = await _command(sqlite_store, source)
        await Relay(sqlite_store.outbox, transport).drain_once()
    [first, _] = await consumer.poll(0.5)
    headers = dict(first.headers)
    assert first.envelope is not None
    assert headers["traceparent"].decode() == first.envelope.traceparent
    assert first.envelope.traceparent != stored[0].traceparent, "the relay's publish span"
    assert first.envelope.traceparent is not None
    assert first.envelope.traceparent.split("-")[1] == stored[0].traceparent.split("-")[1]  # type: ignore[union-attr]
    await consumer.stop()


async def test_untraced_events_carry_no_trace_context(tmp_path: Path) -> None:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    await store.start()
    try:
        _, stored = await _command(store, "plain")  # no SDK: the no-op tracer
        assert [e.traceparent for e in stored] == [None, None]
        assert "traceparent" not in stored[0].to_dict()
        assert traceparent_of() is None
    finally:
        await store.close()


def test_envelope_round_trips_the_traceparent() -> None:
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    [envelope] = counted("s", 1)
    traced = Envelope.from_json(
        Envelope.from_dict({**envelope.to_dict(), "traceparent": parent}).to_json()
    )
    assert traced.traceparent == parent
    assert ("traceparent", parent.encode()) in traced.kafka_headers()
    assert context_of("garbage") is None and context_of(None) is None
