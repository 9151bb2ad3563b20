"""Kafka transport on aiokafka, with the settings aiokafka does not default to.

Producer: idempotent, `acks="all"`, key = aggregate id, value = envelope JSON, CloudEvents
Kafka-binding headers. A failed publish throws the producer away, so the next attempt
starts a fresh idempotent session instead of inheriting broken sequence numbers.
Consumers: auto-commit off (offsets move only on `commit`, after the caller's write),
`read_committed` isolation, reset to earliest or latest by `from_beginning`.
Topics are created on demand with a configurable partition count and replication factor
(POS_KAFKA_PARTITIONS, default 3; POS_KAFKA_REPLICATION_FACTOR, default 1, when the
constructor is not told). Existing topics are never changed: adding partitions to a live
topic moves keys to other partitions, which breaks per-aggregate order for the events in
flight, so growing a topic is an operator's decision (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code

from eventbus.envelope import Envelope
from eventbus.ports import Consumer, Message, Transport
from eventbus.transports.decode import decode_message

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36
CLOSE_TIMEOUT = 5.0
DEFAULT_PARTITIONS = 3
DEFAULT_REPLICATION_FACTOR = 1


def topic_setting(name: str, default: int) -> int:
    """A positive topic setting from the environment (`name`), else `default`.

    Read here, not in `pos.settings`, so that every process building a transport (relay,
    projectors, subgraphs, gateway, benchmarks) creates topics alike.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number; set it to 1 or more") from None
    if value < 1:
        raise ValueError(f"{name}={raw!r} must be 1 or more")
    return value


class KafkaTransport(Transport):
    """Publish to and consume from a Kafka cluster at `bootstrap`.

    `partitions`/`replication_factor` apply to topics this transport creates (None: from
    the environment, see `topic_setting`); the aggregate id is every event's key, so the
    default partitioner keeps one aggregate's events in one partition, in order;
    `delivery_timeout_ms` bounds one `publish` (metadata, send, every acknowledgement);
    `fetch_max_wait_ms` is how long a consumer's idle fetch waits at the broker, which
    bounds the delivery latency after a quiet spell.
    """

    def __init__(
        self,
        bootstrap: str,
        *,
        client_id: str = "pos",
        partitions: int | None = None,
        replication_factor: int | None = None,
        request_timeout_ms: int = 15_000,
        delivery_timeout_ms: int = 30_000,
        linger_ms: int = 5,
        fetch_max_wait_ms: int = 100,
    ) -> None:
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.partitions = (
            partitions
            if partitions is not None
            else topic_setting("POS_KAFKA_PARTITIONS", DEFAULT_PARTITIONS)
        )
        self.replication_factor = (
            replication_factor
            if replication_factor is not None
            else topic_setting("POS_KAFKA_REPLICATION_FACTOR", DEFAULT_REPLICATION_FACTOR)
        )
        self.request_timeout_ms = request_timeout_ms
        self.delivery_timeout_ms = delivery_timeout_ms
        self.linger_ms = linger_ms
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._known_topics: set[str] = set()
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Connect now (fail fast); `publish` reconnects by itself after a failure."""
        await self._ready_producer()

    async def stop(self) -> None:
        await self._discard_producer()
        if self._admin is not None:
            admin, self._admin = self._admin, None
            await _close_quietly(admin.close())

    async def publish(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        await self._send(
            topic,
            [(e.subject.encode(), e.to_json(), e.kafka_headers()) for e in envelopes],
        )

    async def publish_raw(
        self,
        topic: str,
        key: str | None,
        body: bytes,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        await self._send(topic, [(key.encode() if key else None, body, list(headers))])

    def consumer(
        self, group: str, topics: Sequence[str], *, from_beginning: bool = True
    ) -> KafkaConsumer:
        return KafkaConsumer(self, group, list(topics), from_beginning)

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create missing topics with `partitions` partitions and `replication_factor`
        replicas (existing ones are kept as they are)."""
        missing = [t for t in topics if t not in self._known_topics]
        if not missing:
            return
        async with self._lock:
            if self._admin is None:
                admin = AIOKafkaAdminClient(
                    bootstrap_servers=self.bootstrap,
                    client_id=f"{self.client_id}-admin",
                    request_timeout_ms=self.request_timeout_ms,
                )
                try:
                    await admin.start()
                except BaseException:
                    await _close_quietly(admin.close())
                    raise
                self._admin = admin
            admin = self._admin
        new = [NewTopic(t, self.partitions, self.replication_factor) for t in missing]
        try:
            response = await admin.create_topics(new)
        except Exception:
            self._admin = None
            await _close_quietly(admin.close())
            raise
        for topic, code, *rest in response.topic_errors:
            if code not in (0, TOPIC_ALREADY_EXISTS):
                detail = rest[0] if rest else ""
                raise for_code(code)(f"cannot create topic {topic!r}: {detail}")
            if code == 0:
                log.info(
                    "created topic %s (%d partitions, replication factor %d)",
                    topic,
                    self.partitions,
                    self.replication_factor,
                )
            self._known_topics.add(topic)

    async def _send(
        self, topic: str, records: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]
    ) -> None:
        """Send all records, then wait for every acknowledgement; any failure raises.

        aiokafka's idempotent producer retries an unacknowledged batch for as long as the
        broker is away. `delivery_timeout_ms` bounds that, so the caller (the relay) gets
        an error to back off on, can report the outage, and can stop when asked.
        """
        if not records:
            return
        await self.ensure_topics([topic])
        producer = await self._ready_producer()
        futures: list[asyncio.Future[Any]] = []
        try:
            async with asyncio.timeout(self.delivery_timeout_ms / 1000):
                for key, value, headers in records:
                    futures.append(
                        await producer.send(topic, value=value, key=key, headers=headers)
                    )
                results = await asyncio.gather(*futures, return_exceptions=True)
        except TimeoutError:
            await self._discard_producer(producer)
            raise TimeoutError(
                f"Kafka at {self.bootstrap} did not acknowledge {len(records)} records to "
                f"{topic!r} within {self.delivery_timeout_ms} ms; is the broker up?"
            ) from None
        except BaseException:
            await self._discard_producer(producer)
            raise
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            await self._discard_producer(producer)
            raise errors[0]

    async def _ready_producer(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self.bootstrap,
                    client_id=self.client_id,
                    enable_idempotence=True,
                    acks="all",
                    linger_ms=self.linger_ms,
                    request_timeout_ms=self.request_timeout_ms,
                )
                try:
                    await producer.start()
                except BaseException:
                    await _close_quietly(producer.stop())
                    raise
                self._producer = producer
            return self._producer

    async def _discard_producer(self, failed: AIOKafkaProducer | None = None) -> None:
        """Close `failed` (default: the current producer); a newer one is left alone."""
        producer = self._producer if failed is None else failed
        if producer is self._producer:
            self._producer = None
        if producer is not None:
            await _close_quietly(producer.stop())


class KafkaConsumer(Consumer):
    """One member of a Kafka consumer group; offsets committed only by `commit`."""

    def __init__(
        self, transport: KafkaTransport, group: str, topics: list[str], from_beginning: bool
    ) -> None:
        self.transport = transport
        self.group = group
        self.topics = topics
        self.from_beginning = from_beginning
        self._consumer: AIOKafkaConsumer | None = None
        self._assigned = asyncio.Event()

    async def start(self) -> None:
        if self._consumer is not None:
            return
        await self.transport.ensure_topics(self.topics)
        self._assigned.clear()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.transport.bootstrap,
            client_id=self.transport.client_id,
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest" if self.from_beginning else "latest",
            isolation_level="read_committed",
            fetch_max_wait_ms=self.transport.fetch_max_wait_ms,
            request_timeout_ms=self.transport.request_timeout_ms,
        )
        consumer.subscribe(self.topics, listener=_AssignmentSignal(self._assigned))
        try:
            await consumer.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), CLOSE_TIMEOUT)
            raise
        self._consumer = consumer

    async def stop(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is None:
            return
        try:
            await asyncio.wait_for(consumer.stop(), CLOSE_TIMEOUT)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            # aiokafka's fetcher.close() re-raises the CancelledError of a fetch task that
            # was backing off after a broker error, and skips closing the connections.
            await _close_quietly(consumer._client.close())
        except Exception:
            await _close_quietly(consumer._client.close())

    def _running(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("the consumer is not started: call start() first")
        return self._consumer

    async def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]:
        batches = await self._running().getmany(
            timeout_ms=int(timeout * 1000), max_records=max_records
        )
        return [
            decode_message(tp.topic, tp.partition, r.offset, r.key, r.value, r.headers)
            for tp, records in batches.items()
            for r in records
        ]

    async def commit(self, messages: Sequence[Message]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for msg in messages:
            tp = TopicPartition(msg.topic, msg.partition)
            offsets[tp] = max(offsets.get(tp, 0), msg.offset + 1)
        if offsets:
            await self._running().commit(offsets)

    async def wait_assigned(self, timeout: float = 30.0) -> None:
        """Wait for the group's assignment, then resolve the position of each partition
        (aiokafka resolves "earliest"/"latest" lazily, on the first fetch)."""
        consumer = self._running()
        async with asyncio.timeout(timeout):
            await self._assigned.wait()
            for tp in consumer.assignment():
                await consumer.position(tp)

    async def lag(self) -> int:
        consumer = self._running()
        tps = [
            TopicPartition(topic, p)
            for topic in self.topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not tps:
            return 0
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps) if self.from_beginning else {}
        assigned = consumer.assignment()
        total = 0
        for tp in tps:
            committed = await consumer.committed(tp)
            if committed is None:
                if self.from_beginning:
                    committed = starts[tp]
                elif tp in assigned:
                    committed = await consumer.position(tp)
                else:
                    committed = ends[tp]
            total += max(0, ends[tp] - committed)
        return total


class _AssignmentSignal(ConsumerRebalanceListener):
    """Sets `assigned` once the member has joined its group and received partitions."""

    def __init__(self, assigned: asyncio.Event) -> None:
        self.assigned = assigned

    def on_partitions_revoked(self, revoked: object) -> None:
        return None

    def on_partitions_assigned(self, assigned: object) -> None:
        self.assigned.set()


async def _close_quietly(closing: Awaitable[None]) -> None:
    """Best-effort close of something that may already be broken."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(closing, CLOSE_TIMEOUT)
