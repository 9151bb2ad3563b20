"""Read whole Kafka topics once, without a consumer group (for operator tools).

`pos dlq list` must see every dead letter, whoever consumed them before, and must not
move any group's offsets: so partitions are assigned by hand and read from their
beginning to the end offsets taken at the start; records appended meanwhile wait for
the next listing. A topic created a moment ago can be missing from the first metadata
answer, so topics not found are looked up once more before they count as absent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition

from eventbus.ports import Message
from eventbus.transports.decode import decode_message

METADATA_RETRY = 0.5


async def read_topics(
    bootstrap: str, topics: Sequence[str], *, timeout: float = 30.0
) -> list[Message]:
    """Every record of `topics` up to now, by topic, partition and offset; absent: none."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
        auto_offset_reset="earliest",  # a position never reset lazily to the end
        client_id="pos-topic-reader",
    )
    await consumer.start()
    try:
        tps = await _partitions(consumer, topics)
        if not tps:
            return []
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        for tp in tps:
            consumer.seek(tp, starts[tp])  # explicit offsets: nothing left to a lazy reset
        out: list[Message] = []
        next_offset = dict(starts)
        async with asyncio.timeout(timeout):
            for tp in tps:
                while next_offset[tp] < ends[tp]:
                    batch = await consumer.getmany(tp, timeout_ms=500)
                    if not batch.get(tp) and await consumer.position(tp) >= ends[tp]:
                        break  # only control records (transaction markers) were left
                    for r in batch.get(tp, []):
                        next_offset[tp] = r.offset + 1
                        if r.offset < ends[tp]:
                            out.append(
                                decode_message(
                                    tp.topic, tp.partition, r.offset, r.key, r.value, r.headers
                                )
                            )
        return out
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
    found: dict[str, set[int]] = {}
    for attempt in range(2):
        metadata = await consumer._client.fetch_all_metadata()
        for topic in topics:
            found[topic] = metadata.partitions_for_topic(topic) or found.get(topic, set())
        if attempt == 0 and any(not ids for ids in found.values()):
            await asyncio.sleep(METADATA_RETRY)
        else:
            break
    return [TopicPartition(t, p) for t in topics for p in sorted(found[t])]
