"""`up`/`status`/`down` on a private set of real services."""

from __future__ import annotations

import asyncio
import shutil
import socket
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import redis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient, MongoClient

from pos.infra import (
    NAMES,
    InfraConfig,
    InfraError,
    down,
    log_tail,
    start_service,
    status,
    stop_service,
    up,
)
from pos.infra.postgres import cluster_dir


def _logs(config: InfraConfig) -> str:
    return "\n".join(log_tail(name, config, 30) for name in NAMES)


async def _use_every_service(config: InfraConfig) -> None:
    """What the application does: an idempotent producer and a consumer group on Kafka,
    a document round trip on the MongoDB-wire server, a table on PostgreSQL."""
    topic = "pos.infra-test"
    producer = AIOKafkaProducer(
        bootstrap_servers=config.kafka_bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=config.kafka_bootstrap,
        group_id="infra-test",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), 30)
        assert message.value == b"hello"
        await consumer.commit()
    finally:
        await consumer.stop()

    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(config.mongo_url)
    try:
        await mongo.pos.tills.insert_one({"_id": "T1", "sales": 2})
        assert await mongo.pos.tills.find_one({"_id": "T1"}) == {"_id": "T1", "sales": 2}
    finally:
        await mongo.close()

    pg = await asyncpg.connect(config.pg_url.replace("+asyncpg", ""))
    try:
        await pg.execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (7)")
        assert await pg.fetchval("SELECT id FROM t") == 7
    finally:
        await pg.close()

    cache = redis.Redis.from_url(config.redis_url)
    try:
        assert cache.set("pos:infra-test", b"hello", px=60_000)
        assert cache.get("pos:infra-test") == b"hello"
    finally:
        cache.close()


async def test_up_is_idempotent_and_down_stops_everything(private_dir: Path) -> None:
    config = InfraConfig.isolated(private_dir)
    try:
        first = await asyncio.to_thread(up, None, config)
        assert all(s.healthy and s.managed and s.pid for s in first.values()), _logs(config)
        await _use_every_service(config)

        started = time.monotonic()
        second = await asyncio.to_thread(up, None, config)
        assert time.monotonic() - started < 10, "a second up should only health-check"
        assert {n: s.pid for n, s in second.items()} == {n: s.pid for n, s in first.items()}

        report = await asyncio.to_thread(status, config)
        assert set(report) == set(NAMES)
        assert all(s.healthy for s in report.values()), _logs(config)
        assert report["postgres"].address == f"127.0.0.1:{config.postgres_port}"
    finally:
        stopped = await asyncio.to_thread(down, None, config)
    assert stopped == {name: True for name in NAMES}
    after = await asyncio.to_thread(status, config)
    assert not any(s.healthy or s.pid for s in after.values()), after
    server_log = config.service_dir("kafka") / "server.log"
    assert "Kafka Server started" in server_log.read_text(), "Kafka's log4j output lands in a file"
    assert str(server_log) in log_tail("kafka", config)


def test_healthy_server_already_at_the_address_counts_as_up(private_dir: Path) -> None:
    owner = InfraConfig.isolated(private_dir / "owner")
    (private_dir / "owner").mkdir()
    (private_dir / "owner").chmod(0o755)
    visitor = replace(owner, data_dir=private_dir / "visitor")
    try:
        start_service("mongo", owner)
        seen = start_service("mongo", visitor)
        assert seen.healthy and not seen.managed
        assert down(["mongo"], visitor) == {"mongo": False}
        assert status(owner)["mongo"].healthy, "down must not stop a server it did not start"
    finally:
        down(["mongo"], owner)


def test_port_taken_by_something_else_is_a_clear_error(private_dir: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        config = replace(InfraConfig.isolated(private_dir), mongo_port=squatter.getsockname()[1])
        with pytest.raises(InfraError, match="taken by something that is not a healthy mongo"):
            start_service("mongo", config)


def test_unknown_service_name_is_rejected() -> None:
    with pytest.raises(InfraError, match="choose from kafka, mongo, postgres, redis"):
        up(["memcached"])


def test_redis_is_loopback_only_protected_and_keeps_nothing_on_disk(private_dir: Path) -> None:
    config = InfraConfig.isolated(private_dir)
    try:
        assert start_service("redis", config).healthy, log_tail("redis", config)
        client = redis.Redis.from_url(config.redis_url)
        try:
            settings = {
                name: client.config_get(name)[name]
                for name in ("bind", "protected-mode", "save", "appendonly", "dir")
            }
        finally:
            client.close()
        assert settings == {
            "bind": "127.0.0.1",
            "protected-mode": "yes",
            "save": "",
            "appendonly": "no",
            "dir": str(config.service_dir("redis") / "data"),
        }
        assert stop_service("redis", config)
        assert not status(config)["redis"].healthy
    finally:
        down(["redis"], config)


def test_postgres_runs_from_a_folder_its_os_user_cannot_enter(private_dir: Path) -> None:
    """A checkout under /root (mode 700) still gets a cluster: its files live elsewhere."""
    closed = private_dir / "closed"
    closed.mkdir(mode=0o700)
    config = InfraConfig.isolated(closed / "var")
    data = cluster_dir(config)
    try:
        assert start_service("postgres", config).healthy, log_tail("postgres", config)
        assert (data / "PG_VERSION").exists()
        assert not str(data).startswith(str(closed))
    finally:
        down(["postgres"], config)
        shutil.rmtree(data, ignore_errors=True)


def _tills(config: InfraConfig) -> int:
    """Insert one till document on the MongoDB-wire server; return how many there are."""
    client: MongoClient[dict[str, Any]] = MongoClient(config.mongo_url)
    try:
        client.pos.tills.insert_one({})
        return client.pos.tills.count_documents({})
    finally:
        client.close()


def test_a_crashed_service_comes_back_with_its_data(private_dir: Path) -> None:
    config = InfraConfig.isolated(private_dir)
    try:
        start_service("mongo", config)
        assert _tills(config) == 1
        assert stop_service("mongo", config, kill=True)
        assert not status(config)["mongo"].healthy
        assert start_service("mongo", config).healthy, log_tail("mongo", config)
        assert _tills(config) == 2
    finally:
        down(["mongo"], config)


def test_kafka_formats_its_storage_whatever_its_random_cluster_id(
    private_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one random id in 64 starts with '-'; passed as its own argument, kafka-storage read
    # it as an option and refused to format (a flaky `pos infra up`)
    import pos.infra.kafka as kafka

    monkeypatch.setattr(kafka, "_cluster_id", lambda: "-" + "A" * 21)
    config = InfraConfig.isolated(private_dir)
    try:
        assert start_service("kafka", config).healthy, log_tail("kafka", config)
    finally:
        stop_service("kafka", config)
