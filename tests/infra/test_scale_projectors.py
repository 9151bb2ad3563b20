"""Two projector processes of one projection share its partitions (one consumer group);
SIGKILL of one hands its partitions to the other with nothing lost or applied twice.

Real Kafka and the MongoDB-wire read store at POS_KAFKA_BOOTSTRAP / POS_MONGO_URL; the
projector processes are `tests.infra.scale_projector` (a `ProjectionRunner` as `pos
project` runs it) on a topic, group and database of their own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from eventbus import Envelope
from eventbus.transports.kafka import KafkaTransport
from tests.eventbus.fixtures_bus import kafka_bootstrap, mongo_url, unique

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
STREAMS = 40
VERSIONS = 20


def _spawn(topic: str, group: str, database: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.infra.scale_projector", topic, group, database],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "running"
    return process


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _tallies(mongo: AsyncMongoClient, database: str) -> dict[str, dict]:
    docs = await mongo[database]["scale_tally"].find({}).to_list(None)
    return {doc["_id"]: doc for doc in docs}


async def test_a_killed_projector_hands_its_partitions_over_with_nothing_lost_or_doubled(
    processes: list[subprocess.Popen[str]],
) -> None:
    topic, group, database = unique("scale.proj"), unique("scale.group"), unique("scale")
    database = database.replace(".", "_")
    transport = KafkaTransport(kafka_bootstrap(), partitions=6, client_id="scale-publisher")
    mongo: AsyncMongoClient = AsyncMongoClient(mongo_url())
    subjects = [f"stream-{i:02d}" for i in range(STREAMS)]
    try:
        await transport.ensure_topics([topic])
        processes.append(_spawn(topic, group, database))
        processes.append(_spawn(topic, group, database))
        victim, survivor = processes

        async def publish(versions: range) -> None:
            for version in versions:
                await transport.publish(
                    topic,
                    [
                        Envelope(
                            type="pos.scale.Counted.v1",
                            source="scale",
                            subject=s,
                            data={"n": version},
                            stream_version=version,
                        )
                        for s in subjects
                    ],
                )
                await asyncio.sleep(0.1)

        # Until both members hold partitions (each applied something), keep publishing.
        await publish(range(1, 4))
        async with asyncio.timeout(60):
            while True:
                pids = {p for d in (await _tallies(mongo, database)).values() for p in d["pids"]}
                if pids == {victim.pid, survivor.pid}:
                    break
                await asyncio.sleep(0.2)
        await publish(range(4, 8))
        owned = {
            s: len(d["pids"])
            for s, d in (await _tallies(mongo, database)).items()
            if d["pids"][-1] == victim.pid
        }
        victim.send_signal(signal.SIGKILL)  # mid-stream: applies and commits in flight
        killed_at = time.monotonic()
        victim.wait(10)
        await publish(range(8, VERSIONS + 1))
        handover: float | None = None

        expected = list(range(1, VERSIONS + 1))
        tallies: dict[str, dict] = {}
        async with asyncio.timeout(90):
            while True:
                tallies = await _tallies(mongo, database)
                if handover is None and any(
                    survivor.pid in tallies[s]["pids"][n:] for s, n in owned.items()
                ):
                    handover = time.monotonic() - killed_at
                done = [s for s in subjects if tallies.get(s, {}).get("versions") == expected]
                if len(done) == len(subjects):
                    break
                wrong = {
                    s: d["versions"]
                    for s, d in tallies.items()
                    if d["versions"] != expected[: len(d["versions"])]
                }
                assert not wrong, f"applied out of order or twice: {wrong}"
                await asyncio.sleep(0.3)
    finally:
        await transport.stop()
        await mongo.drop_database(database)
        await mongo.close()

    assert survivor.poll() is None, "the survivor kept running"
    victim_streams = {s for s, d in tallies.items() if victim.pid in d["pids"]}
    assert victim_streams, "the killed projector had partitions"
    for subject in victim_streams:
        pids = tallies[subject]["pids"]
        assert pids[-1] == survivor.pid, f"{subject} was not taken over: {pids}"
        # one owner at a time: the victim's applies all come before the survivor's
        first_survivor = pids.index(survivor.pid)
        assert victim.pid not in pids[first_survivor:], f"{subject} interleaved: {pids}"
    assert handover is not None
    print(f"partitions handed over {handover:.1f}s after the SIGKILL")
