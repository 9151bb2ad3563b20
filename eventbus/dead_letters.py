"""Dead letters of the projection runner: read them back, replay them after a fix.

The runner sets a message aside in ``<topic>.dlq`` with headers saying why
(`ProjectionRunner._dead_letter`). A dead-letter topic is append-only and shared by every
projection of its source topic, so a replayed dead letter is not deleted: a *resolution
marker* (empty body, header ``dlq_resolves = <partition>:<offset>``) is appended, and the
listing leaves out what a marker resolves. The original record stays for the audit trail.

Replaying applies the event to the projection named in the dead letter, through the
projection's own idempotent `has_applied`/`apply`, in the process that asks (``pos dlq
replay``), not through the topic: republishing to the source topic would reach every
other consumer group of it too. One limit is inherent to version-based idempotence: once
a later event of the same aggregate was applied, the read model counts the dead letter's
version as seen, so a replay cannot slot it in between; it answers `ALREADY`, and the
cure, when the read model lacks the event's change, is a rebuild of that projection from
the event store (``pos rebuild <projection>``), after which the dead letter can be marked
resolved (``pos dlq replay --resolve-only``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from eventbus.envelope import Envelope
from eventbus.ports import Message, Transport
from eventbus.projection import Projection

log = logging.getLogger(__name__)

RESOLVES = "dlq_resolves"


@dataclass(frozen=True)
class DeadLetter:
    """One set-aside message and why."""

    topic: str
    """The dead-letter topic (``<source topic>.dlq``)."""
    partition: int
    offset: int
    key: str | None
    envelope: Envelope | None
    """None when the body could not be decoded (nothing to replay)."""
    raw: bytes
    error: str
    projection: str
    source_topic: str
    source_partition: int
    source_offset: int
    attempts: int

    @property
    def id(self) -> str:
        """Stable name for the command line: ``<dlq topic>:<partition>:<offset>``."""
        return f"{self.topic}:{self.partition}:{self.offset}"


def _headers(message: Message) -> dict[str, str]:
    return {name: value.decode("utf-8", "replace") for name, value in message.headers}


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return -1


def unresolved(messages: Iterable[Message]) -> list[DeadLetter]:
    """The dead letters among `messages` (one DLQ topic's records) with no marker."""
    resolved: set[tuple[str, str]] = set()
    letters: list[DeadLetter] = []
    for message in messages:
        headers = _headers(message)
        if RESOLVES in headers:
            resolved.add((message.topic, headers[RESOLVES]))
            continue
        letters.append(
            DeadLetter(
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                key=message.key,
                envelope=message.envelope,
                raw=message.raw,
                error=headers.get("dlq_error", message.error or "unknown"),
                projection=headers.get("dlq_projection", "?"),
                source_topic=headers.get("dlq_topic", message.topic.removesuffix(".dlq")),
                source_partition=_int(headers.get("dlq_partition")),
                source_offset=_int(headers.get("dlq_offset")),
                attempts=_int(headers.get("dlq_attempts")),
            )
        )
    return [d for d in letters if (d.topic, f"{d.partition}:{d.offset}") not in resolved]


class Outcome(StrEnum):
    APPLIED = "applied"
    """Applied now; the dead letter is marked resolved."""
    ALREADY = "already applied"
    """The read model has this version or a later one of the aggregate: if its change is
    missing, rebuild the projection; the dead letter stays until marked resolved."""
    FAILED = "failed"
    """Still fails: fix the projection first; the dead letter stays."""
    UNDECODABLE = "undecodable"
    """No event in the body: nothing to replay; mark it resolved once understood."""


async def replay(letter: DeadLetter, projection: Projection) -> tuple[Outcome, str]:
    """Apply `letter`'s event to `projection` if it has not been; the outcome and a note.

    `has_applied` is version-based, so ALREADY cannot tell "this very event" from "a later
    one of the stream": the note says so, and the caller leaves the dead letter listed.
    """
    envelope = letter.envelope
    if envelope is None:
        return Outcome.UNDECODABLE, letter.error
    try:
        if await projection.has_applied(envelope):
            return Outcome.ALREADY, (
                "the read model has this version or a later one of the aggregate; if the "
                f"change is missing, `pos rebuild {letter.projection}`, then --resolve-only"
            )
        await projection.apply(envelope)
    except Exception as exc:
        return Outcome.FAILED, f"{type(exc).__name__}: {exc}"
    return Outcome.APPLIED, f"{envelope.type} #{envelope.stream_version} of {envelope.subject}"


async def mark_resolved(transport: Transport, letters: Sequence[DeadLetter]) -> None:
    """Append a resolution marker for each of `letters` to its dead-letter topic."""
    for letter in letters:
        await transport.publish_raw(
            letter.topic,
            letter.key,
            b"",
            [(RESOLVES, f"{letter.partition}:{letter.offset}".encode())],
        )
