"""An in-memory log with Kafka's semantics, for the embedded single-process mode.

Topics are append-only lists split into partitions by a hash of the key, so records of
one aggregate keep their order. Consumer groups keep committed offsets; a consumer's
position moves on `poll`, the group's offset only on `commit`, and a new member of the
group starts from the committed offset: uncommitted records are delivered again, exactly
as with Kafka after a crash. Nothing is persisted: a restart of the process starts empty.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from eventbus.envelope import Envelope
from eventbus.ports import Consumer, Message, Transport
from eventbus.transports.decode import decode_message

TopicPartition = tuple[str, int]


@dataclass(frozen=True, slots=True)
class _Record:
    key: str | None
    body: bytes
    headers: tuple[tuple[str, bytes], ...]


@dataclass
class _Group:
    committed: dict[TopicPartition, int] = field(default_factory=dict)
    members: list[InProcessConsumer] = field(default_factory=list)
    generation: int = 0


class InProcessTransport(Transport):
    """Topics and consumer groups in this process's memory."""

    def __init__(self, *, partitions: int = 3) -> None:
        if partitions < 1:
            raise ValueError("an in-process topic needs at least one partition")
        self.partitions = partitions
        self._topics: dict[str, list[list[_Record]]] = {}
        self._groups: dict[str, _Group] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._round_robin = 0

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._wake()

    async def publish(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        for envelope in envelopes:
            self._append(
                topic, envelope.subject, envelope.to_json(), tuple(envelope.kafka_headers())
            )
        self._wake()

    async def publish_raw(
        self,
        topic: str,
        key: str | None,
        body: bytes,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        self._append(topic, key, body, tuple(headers))
        self._wake()

    def consumer(
        self, group: str, topics: Sequence[str], *, from_beginning: bool = True
    ) -> InProcessConsumer:
        return InProcessConsumer(self, group, list(topics), from_beginning)

    def end_offsets(self, topic: str) -> list[int]:
        """Next offset of every partition of `topic` (created on demand)."""
        return [len(records) for records in self._partitions(topic)]

    # internals shared with InProcessConsumer

    def _partitions(self, topic: str) -> list[list[_Record]]:
        parts = self._topics.get(topic)
        if parts is None:
            parts = self._topics[topic] = [[] for _ in range(self.partitions)]
        return parts

    def _partition_for(self, key: str | None) -> int:
        if key is None:
            self._round_robin += 1
            return self._round_robin % self.partitions
        return zlib.crc32(key.encode()) % self.partitions

    def _append(
        self, topic: str, key: str | None, body: bytes, headers: tuple[tuple[str, bytes], ...]
    ) -> None:
        self._partitions(topic)[self._partition_for(key)].append(_Record(key, body, headers))

    def _group(self, name: str) -> _Group:
        group = self._groups.get(name)
        if group is None:
            group = self._groups[name] = _Group()
        return group

    def _rebalance(self, group: _Group) -> None:
        group.generation += 1
        self._wake()

    def _assignment(self, group: _Group, member: InProcessConsumer) -> list[TopicPartition]:
        """Per topic, partition p goes to the (p mod n)-th subscribed member, in join order."""
        assigned: list[TopicPartition] = []
        for topic in member.topics:
            subscribers = [m for m in group.members if topic in m.topics]
            index = subscribers.index(member)
            for partition in range(len(self._partitions(topic))):
                if partition % len(subscribers) == index:
                    assigned.append((topic, partition))
        return assigned

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _wait_for_change(self, timeout: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)


class InProcessConsumer(Consumer):
    """A group member; positions reset to the group's committed offsets on rebalance."""

    def __init__(
        self, transport: InProcessTransport, group: str, topics: list[str], from_beginning: bool
    ) -> None:
        self.transport = transport
        self.group_name = group
        self.topics = topics
        self.from_beginning = from_beginning
        self._group = transport._group(group)
        self._generation = -1
        self._assigned: list[TopicPartition] = []
        self._positions: dict[TopicPartition, int] = {}
        self._next_start = 0
        self._running = False

    async def start(self) -> None:
        if self._running:
            return
        for topic in self.topics:
            self.transport._partitions(topic)
        self._group.members.append(self)
        self._running = True
        self.transport._rebalance(self._group)

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._group.members.remove(self)
        self._assigned = []
        self.transport._rebalance(self._group)

    def _sync_assignment(self) -> None:
        if self._generation == self._group.generation:
            return
        self._generation = self._group.generation
        self._assigned = self.transport._assignment(self._group, self)
        self._positions = {tp: self._start_offset(tp) for tp in self._assigned}

    def _start_offset(self, tp: TopicPartition) -> int:
        committed = self._group.committed.get(tp)
        if committed is not None:
            return committed
        if self.from_beginning:
            return 0
        return len(self.transport._partitions(tp[0])[tp[1]])

    async def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]:
        if not self._running:
            raise RuntimeError("poll() on a consumer that is not started: call start() first")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._sync_assignment()
            batch = self._take(max_records)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or not self._running:
                return batch
            await self.transport._wait_for_change(remaining)

    def _take(self, max_records: int) -> list[Message]:
        out: list[Message] = []
        count = len(self._assigned)
        for i in range(count):
            tp = self._assigned[(self._next_start + i) % count]
            records = self.transport._partitions(tp[0])[tp[1]]
            start = self._positions[tp]
            stop = min(len(records), start + max_records - len(out))
            for offset in range(start, stop):
                rec = records[offset]
                out.append(decode_message(tp[0], tp[1], offset, rec.key, rec.body, rec.headers))
            self._positions[tp] = stop
            if len(out) >= max_records:
                break
        if count:
            self._next_start = (self._next_start + 1) % count
        return out

    async def wait_assigned(self, timeout: float = 30.0) -> None:
        """Take the current assignment and fix its positions now, as a poll would."""
        if not self._running:
            raise RuntimeError("wait_assigned() on a consumer that is not started")
        self._sync_assignment()

    async def commit(self, messages: Sequence[Message]) -> None:
        if not self._running:
            raise RuntimeError(
                "commit() on a stopped consumer: its partitions may belong to another "
                "member now; the messages will be delivered again"
            )
        offsets: dict[TopicPartition, int] = {}
        for msg in messages:
            tp = (msg.topic, msg.partition)
            offsets[tp] = max(offsets.get(tp, 0), msg.offset + 1)
        self._group.committed.update(offsets)

    async def lag(self) -> int:
        total = 0
        for topic in self.topics:
            for partition, end in enumerate(self.transport.end_offsets(topic)):
                tp = (topic, partition)
                committed = self._group.committed.get(tp)
                if committed is None:
                    committed = 0 if self.from_beginning else self._positions.get(tp, end)
                total += max(0, end - committed)
        return total
