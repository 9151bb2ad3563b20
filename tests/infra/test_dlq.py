"""Dead letters on real Kafka: the runner sets poison events aside, `pos dlq list` shows
them with the reason, replay after the fix applies them and marks them resolved."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from eventbus import Envelope, dead_letter_topic
from eventbus.dead_letters import Outcome, mark_resolved, replay, unresolved
from eventbus.projection import ProjectionRunner
from eventbus.transports.kafka import KafkaTransport
from eventbus.transports.kafka_topic_reader import read_topics
from tests.eventbus.fixtures_bus import TallyProjection, kafka_bootstrap, read_store, unique

__all__ = ["read_store"]  # fixture used by name

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]


def _events(subject: str, count: int) -> list[Envelope]:
    return [
        Envelope(
            type="pos.dlqtest.Counted.v1",
            source="dlqtest",
            subject=subject,
            data={"n": v},
            stream_version=v,
        )
        for v in range(1, count + 1)
    ]


async def _dead_letters(topic: str, count: int) -> list:
    for _ in range(100):
        letters = unresolved(await read_topics(kafka_bootstrap(), [dead_letter_topic(topic)]))
        if len(letters) >= count:
            return letters
        await asyncio.sleep(0.2)
    raise AssertionError(f"fewer than {count} dead letters in {dead_letter_topic(topic)}")


async def test_list_then_replay_one_and_all_after_the_fix(read_store: AsyncMongoClient) -> None:
    topic = unique("dlqtest")
    a, b, c = _events("agg-a", 1), _events("agg-b", 2), _events("agg-c", 1)
    poison = [a[0].id, b[1].id, c[0].id]
    projection = TallyProjection([topic], poison=poison)
    transport = KafkaTransport(kafka_bootstrap(), client_id="dlq-test")
    runner = ProjectionRunner(transport, projection, max_attempts=2, base_backoff=0.01)
    await runner.start()
    try:
        await transport.publish(topic, [*a, *b, *c])
        letters = await _dead_letters(topic, 3)
    finally:
        await runner.stop()
    try:
        assert sorted(d.envelope.id for d in letters if d.envelope) == sorted(poison)
        first = letters[0]
        assert first.projection == projection.name
        assert first.source_topic == topic
        assert first.attempts == 2
        assert first.error.startswith("ValueError: cannot project pos.dlqtest.Counted.v1")

        # not fixed yet: replay fails and the dead letter stays
        outcome, note = await replay(first, projection)
        assert outcome is Outcome.FAILED and "cannot project" in note

        projection.poison.clear()  # the fix
        by_subject = {d.envelope.subject: d for d in letters if d.envelope}
        outcome, _ = await replay(by_subject["agg-a"], projection)
        assert outcome is Outcome.APPLIED
        await mark_resolved(transport, [by_subject["agg-a"]])
        left = await _dead_letters(topic, 2)
        assert {d.envelope.subject for d in left if d.envelope} == {"agg-b", "agg-c"}

        outcomes = {
            d.envelope.subject: (await replay(d, projection))[0] for d in left if d.envelope
        }
        # agg-b's version 2 was its last event: nothing later moved the stream on
        assert outcomes == {"agg-b": Outcome.APPLIED, "agg-c": Outcome.APPLIED}
        await mark_resolved(transport, left)
        assert unresolved(await read_topics(kafka_bootstrap(), [dead_letter_topic(topic)])) == []
        assert await projection.tallies(["agg-a", "agg-b", "agg-c"]) == {
            "agg-a": [1],
            "agg-b": [1, 2],
            "agg-c": [1],
        }
        # a second replay is a no-op, reported as such
        assert (await replay(first, projection))[0] is Outcome.ALREADY
    finally:
        await transport.stop()


async def test_a_later_event_of_the_aggregate_makes_replay_report_already_applied(
    read_store: AsyncMongoClient,
) -> None:
    topic = unique("dlqtest")
    events = _events("agg-x", 3)
    projection = TallyProjection([topic], poison=[events[1].id])
    transport = KafkaTransport(kafka_bootstrap(), client_id="dlq-test")
    runner = ProjectionRunner(transport, projection, max_attempts=1)
    await runner.start()
    try:
        await transport.publish(topic, events)
        (letter,) = await _dead_letters(topic, 1)
    finally:
        await runner.stop()
    await transport.stop()
    projection.poison.clear()
    outcome, note = await replay(letter, projection)
    assert outcome is Outcome.ALREADY
    assert f"pos rebuild {projection.name}" in note


def test_pos_dlq_list_shows_the_reason_and_nothing_when_empty() -> None:
    topic = unique("dlqtest")

    async def poison() -> None:
        transport = KafkaTransport(kafka_bootstrap(), client_id="dlq-test")
        try:
            await transport.publish_raw(
                dead_letter_topic(topic),
                "agg-z",
                b"not json",
                [("dlq_error", b"undecodable envelope (boom)"), ("dlq_projection", b"p1")],
            )
        finally:
            await transport.stop()

    empty = subprocess.run(
        [sys.executable, "-m", "pos.cli", "dlq", "list", "--topic", topic],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert empty.returncode == 0, empty.stderr
    assert "no dead letters" in empty.stdout
    asyncio.run(poison())
    listed = subprocess.run(
        [sys.executable, "-m", "pos.cli", "dlq", "list", "--topic", topic],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert f"{dead_letter_topic(topic)}:" in listed.stdout
    assert "undecodable envelope (boom)" in listed.stdout
    assert "p1" in listed.stdout


def test_pos_dlq_replay_of_an_unknown_id_fails_and_says_so() -> None:
    topic = unique("dlqtest")
    wrong = f"{dead_letter_topic(topic)}:0:99"
    result = subprocess.run(
        [sys.executable, "-m", "pos.cli", "dlq", "replay", wrong, "--topic", topic],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{wrong}: no such unresolved dead letter" in result.stdout
