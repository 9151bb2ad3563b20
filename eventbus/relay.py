"""The outbox relay: moves committed events from the store's outbox to the transport.

A row is marked published only after the transport acknowledged it, so a broker outage
loses nothing: the relay backs off and retries the same rows, in the same order. A crash
between the acknowledgement and the mark republishes those rows; consumers deduplicate
(stream version), as they must anyway. The outbox is read as "rows not yet published",
never as "rows after the last position seen", so a transaction that commits late (a gap
in the global position) is still picked up.

Run it as a task (`Relay.run`), from the CLI (`run_relay`), or as its own process:
``python -m eventbus.relay --store-url ... --kafka ...``. Several relay processes may run
against one PostgreSQL store: one is active, the others stand by and take over when it
dies (`eventbus.relay_lease`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass

from eventbus.ports import Outbox, OutboxRecord, Transport
from eventbus.relay_lease import RelayLease, SoleRelay, lease_for
from eventbus.tracing import publishing

log = logging.getLogger(__name__)


@dataclass
class RelayMetrics:
    published: int = 0
    failures: int = 0
    """Drain attempts that failed (broker or store unreachable) and were retried."""
    last_error: str | None = None
    active: bool = False
    """Holds the lease (drains); False while standing by for another relay."""
    takeovers: int = 0
    """Times this relay became the active one."""


class Relay:
    """Drain `outbox` to `transport` in batches of `batch_size` rows."""

    def __init__(
        self,
        outbox: Outbox,
        transport: Transport,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.2,
        max_backoff: float = 5.0,
        lease: RelayLease | None = None,
        standby_interval: float = 1.0,
    ) -> None:
        self.outbox = outbox
        self.transport = transport
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.lease = lease or SoleRelay()
        self.standby_interval = standby_interval
        self.metrics = RelayMetrics()
        self._stopped = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._told_standby = False

    async def drain_once(self) -> int:
        """Publish one batch of pending rows; returns how many were published.

        Rows are grouped by topic in outbox order, so each key keeps its order; each
        group is marked published right after the transport acknowledged it. Raises if
        publishing or marking fails; whatever was not marked is retried next time.
        """
        records = await self.outbox.pending(self.batch_size)
        published = 0
        for topic, group in _by_topic(records):
            with publishing(topic, [r.envelope for r in group]) as envelopes:  # trace spans
                await self.transport.publish(topic, envelopes)
            await self.outbox.mark_published([r.id for r in group])
            published += len(group)
            self.metrics.published += len(group)
        return published

    async def run(self) -> None:
        """Drain until `stop()`: immediately while full batches come, else every
        `poll_interval` (or on `wake()`); after a failure, back off exponentially.
        Only while holding the lease: without it, try to take it every `standby_interval`.
        """
        failures = 0
        try:
            while not self._stopped.is_set():
                if not await self._lead():
                    await self._pause(self.standby_interval)
                    continue
                failures = await self._drain_step(failures)
        finally:
            self.metrics.active = False
            await self.lease.release()

    async def _lead(self) -> bool:
        """Whether this relay is (still, or now) the active one."""
        if self.metrics.active:
            if await self.lease.held():
                return True
            self.metrics.active = False
            log.warning("relay: lost the lease; standing by")
            return False
        if await self.lease.acquire():
            self.metrics.active = True
            self.metrics.takeovers += 1
            self._told_standby = False
            log.info("relay: holding the lease; draining the outbox")
            return True
        if not self._told_standby:
            self._told_standby = True
            log.info("relay: another relay holds the lease; standing by")
        return False

    async def _drain_step(self, failures: int) -> int:
        """One drain and the pause after it; returns the consecutive failure count."""
        try:
            count = await self.drain_once()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures += 1
            self.metrics.failures += 1
            self.metrics.last_error = f"{type(exc).__name__}: {exc}"
            delay = min(self.max_backoff, self.poll_interval * 2 ** min(failures, 16))
            log.warning("relay: drain failed (%s); retrying in %.2fs", exc, delay)
            await self._pause(delay)
            return failures
        if count < self.batch_size:
            await self._pause(self.poll_interval)
        return 0

    def wake(self) -> None:
        """Drain now instead of at the next poll (call after a commit, for latency)."""
        self._wakeup.set()

    def stop(self) -> None:
        """Stop `run()` after the drain in hand (for good: a relay does not restart)."""
        self._stopped.set()
        self._wakeup.set()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        self._wakeup.clear()


def _by_topic(records: Sequence[OutboxRecord]) -> list[tuple[str, list[OutboxRecord]]]:
    groups: dict[str, list[OutboxRecord]] = {}
    for record in records:
        groups.setdefault(record.topic, []).append(record)
    return list(groups.items())


async def run_relay(
    store_url: str,
    kafka_bootstrap: str,
    *,
    batch_size: int = 500,
    poll_interval: float = 0.2,
    metrics_port: int | None = None,
) -> None:
    """The relay as a service: SQL store outbox -> Kafka, until SIGTERM/SIGINT; with
    `metrics_port`, Prometheus figures of the outbox and the relay on 127.0.0.1 there."""
    from eventbus.sqlstore import SqlEventStore
    from eventbus.transports.kafka import KafkaTransport

    store = SqlEventStore(store_url)
    await store.start()
    transport = KafkaTransport(kafka_bootstrap, client_id="pos-relay")
    relay = Relay(
        store.outbox,
        transport,
        batch_size=batch_size,
        poll_interval=poll_interval,
        lease=lease_for(store_url),
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, relay.stop)
    log.info("relay: %s -> kafka %s", store_url.split("@")[-1], kafka_bootstrap)
    try:
        async with contextlib.AsyncExitStack() as serving:
            if metrics_port is not None:  # eventbus/metrics.py
                from eventbus.metrics import BusMetrics, metrics_server

                bus = BusMetrics(outbox=store.outbox, relay=lambda: relay)
                await serving.enter_async_context(metrics_server(bus, metrics_port))
            await relay.run()
    finally:
        await transport.stop()
        await store.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m eventbus.relay", description="Drain the event store outbox to Kafka."
    )
    parser.add_argument(
        "--store-url",
        default=os.environ.get("POS_STORE_URL")
        or os.environ.get("POS_PG_URL", "postgresql+asyncpg://pos:pos@127.0.0.1:5432/pos"),
        help="SQLAlchemy URL of the event store (env POS_STORE_URL, else POS_PG_URL)",
    )
    parser.add_argument(
        "--kafka",
        default=os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        help="Kafka bootstrap servers (env POS_KAFKA_BOOTSTRAP)",
    )
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--poll-interval", type=float, default=0.2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(
        run_relay(
            args.store_url,
            args.kafka,
            batch_size=args.batch_size,
            poll_interval=args.poll_interval,
        )
    )


if __name__ == "__main__":
    main()
