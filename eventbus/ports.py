"""The ports of the event bus: abstract classes that adapters implement.

Adapters sit beside this module (`sqlstore`, `transports.kafka`, `transports.inprocess`)
and are all held to one contract-test suite per port (tests/eventbus/contracts).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

from eventbus.envelope import Envelope


class ConcurrencyError(Exception):
    """Another writer appended to the stream first: reload the aggregate and retry."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(
            f"stream {stream_id!r} is no longer at version {expected_version}: "
            "another command changed it first; reload and retry"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version


@dataclass(frozen=True, slots=True)
class Snapshot:
    stream_id: str
    version: int
    state: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    id: int
    topic: str
    key: str
    envelope: Envelope


class UnitOfWork(ABC):
    """One SQL transaction spanning stream appends and their outbox rows.

    Use as ``async with store.unit_of_work() as uow``: appends are committed together at
    the end of the block, or not at all.
    """

    @abstractmethod
    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[Envelope]
    ) -> list[Envelope]:
        """Stage `events` as versions expected_version+1.. of the stream.

        Raises `ConcurrencyError` (now or at commit) when the stream moved on.
        Returns the envelopes with their global positions.
        """

    @abstractmethod
    async def __aenter__(self) -> Self: ...

    @abstractmethod
    async def __aexit__(self, *exc: object) -> None: ...


class EventStore(ABC):
    """Append-only streams with optimistic concurrency and a global position."""

    @abstractmethod
    async def start(self) -> None:
        """Create or migrate the schema."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def unit_of_work(self) -> UnitOfWork: ...

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[Envelope]
    ) -> list[Envelope]:
        async with self.unit_of_work() as uow:
            return await uow.append(stream_id, expected_version, events)

    @abstractmethod
    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[Envelope]: ...

    @abstractmethod
    async def read_all(self, from_position: int = 0, limit: int = 1000) -> list[Envelope]:
        """Events with position > `from_position`, in position order.

        Positions may have gaps (rolled-back or late-committing transactions); a reader
        must not treat a gap as the end of the log.
        """

    @abstractmethod
    async def stream_version(self, stream_id: str) -> int: ...

    @abstractmethod
    async def save_snapshot(self, snapshot: Snapshot) -> None: ...

    @abstractmethod
    async def load_snapshot(self, stream_id: str) -> Snapshot | None: ...


class Outbox(ABC):
    """Rows written with each append, drained by the relay."""

    @abstractmethod
    async def pending(self, limit: int = 500) -> list[OutboxRecord]:
        """Unpublished rows in commit-safe order (per key, in stream order)."""

    @abstractmethod
    async def mark_published(self, ids: Sequence[int]) -> None: ...

    @abstractmethod
    async def count_pending(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Message:
    """One delivered record: the envelope plus where it came from."""

    topic: str
    partition: int
    offset: int
    key: str | None
    envelope: Envelope | None
    raw: bytes
    error: str | None = None
    """Set when the body could not be decoded; the runner dead-letters such messages."""
    headers: tuple[tuple[str, bytes], ...] = ()
    """Record headers as delivered (CloudEvents attributes, dead-letter reasons)."""


class Consumer(ABC):
    """A member of a consumer group. Offsets move only on `commit`."""

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]: ...

    @abstractmethod
    async def commit(self, messages: Sequence[Message]) -> None:
        """Commit past each message's offset (per topic-partition)."""

    @abstractmethod
    async def lag(self) -> int:
        """Records published but not yet committed by this group."""

    async def wait_assigned(self, timeout: float = 30.0) -> None:
        """Wait until this member holds its partitions and has a position in each.

        Why: a group reading from the end resolves "the end" when it joins; a record
        published before that may be skipped. Once this returns, every record published
        later reaches `poll` (until a rebalance moves a partition away). Raises
        `TimeoutError` after `timeout` seconds. The default returns at once, which is
        right for a consumer whose positions are fixed by `start`.
        """
        return None


class Transport(ABC):
    """A log of topics: Kafka in production, in-process in embedded mode."""

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def publish(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        """Publish in order, keyed by subject; returns once every record is acknowledged."""

    @abstractmethod
    async def publish_raw(
        self,
        topic: str,
        key: str | None,
        body: bytes,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        """Publish an opaque body (dead letters keep the original bytes, with headers
        saying why they were set aside)."""

    @abstractmethod
    def consumer(
        self, group: str, topics: Sequence[str], *, from_beginning: bool = True
    ) -> Consumer: ...
