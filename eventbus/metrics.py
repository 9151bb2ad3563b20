"""Prometheus figures of the event bus in one process: outbox, relay, projection runners.

The runners and the relay already count what they do (`RunnerMetrics`, `RelayMetrics`);
this module only reads those at scrape time, so the hot paths gain nothing. Two figures
need a round trip (the outbox backlog from the store, each runner's consumer lag from the
broker): `BusMetrics.refresh()` fetches them, bounded by a timeout, right before a scrape
renders; a figure that could not be read is left out of that scrape rather than shown as
a stale or zero value an alert would trust.

The outbox belongs to the event store, which several services may share (services mode:
one PostgreSQL store for every context), so each of them reports the same backlog: take
the max across services, never the sum.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import UTC, datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from eventbus.ports import Outbox
from eventbus.projection import ProjectionRunner
from eventbus.relay import Relay

log = logging.getLogger(__name__)

REFRESH_TIMEOUT = 2.0


class BusMetrics(Collector):
    """Register on a `CollectorRegistry`; `await refresh()` before each scrape."""

    def __init__(
        self,
        *,
        outbox: Outbox | None,
        relay: Callable[[], Relay | None] = lambda: None,
        runners: Callable[[], Sequence[ProjectionRunner]] = tuple,
    ) -> None:
        self.outbox = outbox
        self.relay = relay
        self.runners = runners
        self._pending: int | None = None
        self._oldest_age: float | None = None
        self._lags: dict[str, int] = {}

    async def refresh(self) -> None:
        """Read the outbox backlog and each runner's consumer lag (for the next collect)."""
        self._pending = self._oldest_age = None
        if self.outbox is not None:
            try:
                async with asyncio.timeout(REFRESH_TIMEOUT):
                    self._pending = await self.outbox.count_pending()
                    oldest = await self.outbox.pending(1) if self._pending else []
            except Exception as exc:
                log.warning("metrics: outbox unreadable: %r", exc)
                self._pending = None
            else:
                self._oldest_age = (
                    max(0.0, (datetime.now(UTC) - oldest[0].envelope.time).total_seconds())
                    if oldest
                    else 0.0
                )
        runners = list(self.runners())
        # concurrently: a broker that is down costs one timeout per scrape, not one per runner
        found = await asyncio.gather(*(_lag(runner) for runner in runners))
        self._lags = {
            r.projection.name: lag for r, lag in zip(runners, found, strict=True) if lag is not None
        }

    def collect(self) -> Iterator[Metric]:
        if self._pending is not None:
            yield GaugeMetricFamily(
                "pos_outbox_pending_events",
                "Events committed to the store and not yet published to the bus.",
                value=self._pending,
            )
        if self._oldest_age is not None:
            yield GaugeMetricFamily(
                "pos_outbox_oldest_pending_age_seconds",
                "Age of the oldest unpublished event (0 when the outbox is empty).",
                value=self._oldest_age,
            )
        relay = self.relay()
        if relay is not None:
            yield from _relay(relay)
        yield from _runners(self.runners(), self._lags)


async def _lag(runner: ProjectionRunner) -> int | None:
    try:
        async with asyncio.timeout(REFRESH_TIMEOUT):
            return await runner.lag()
    except Exception as exc:
        log.warning("metrics: lag of %s unreadable: %r", runner.projection.name, exc)
        return None


def _relay(relay: Relay) -> Iterator[Metric]:
    m = relay.metrics
    yield CounterMetricFamily(
        "pos_relay_published_events", "Events the relay published to the bus.", m.published
    )
    yield CounterMetricFamily(
        "pos_relay_failures", "Outbox drains that failed (broker or store down) and were retried.",
        m.failures,
    )  # fmt: skip
    yield GaugeMetricFamily(
        "pos_relay_active", "1 while this relay drains the outbox, 0 on standby.", int(m.active)
    )


def _runners(runners: Sequence[ProjectionRunner], lags: dict[str, int]) -> Iterator[Metric]:
    label = ["projection"]
    applied = CounterMetricFamily("pos_projection_applied_events", "Events applied.", labels=label)
    skipped = CounterMetricFamily(
        "pos_projection_duplicate_events", "Redelivered events skipped as applied.", labels=label
    )
    retried = CounterMetricFamily(
        "pos_projection_retries", "Failed applies that were retried.", labels=label
    )
    dead = CounterMetricFamily(
        "pos_projection_dead_letters",
        "Events set aside in the dead-letter topic after failing every attempt.",
        labels=label,
    )
    reconnects = CounterMetricFamily(
        "pos_projection_reconnects",
        "Times the runner dropped its consumer after a bus or read-store failure.",
        labels=label,
    )
    lag = GaugeMetricFamily(
        "pos_projection_consumer_lag_events",
        "Events on the projection's topics its consumer group has not committed yet.",
        labels=label,
    )
    seconds = GaugeMetricFamily(
        "pos_projection_lag_seconds",
        "How far behind the read model is: age of the last event applied while events "
        "are waiting, 0 when caught up.",
        labels=label,
    )
    now = datetime.now(UTC)
    for runner in runners:
        name = [runner.projection.name]
        m = runner.metrics
        applied.add_metric(name, m.applied)
        skipped.add_metric(name, m.skipped)
        retried.add_metric(name, m.retried)
        dead.add_metric(name, m.dead_lettered)
        reconnects.add_metric(name, m.reconnects)
        if name[0] in lags:
            lag.add_metric(name, lags[name[0]])
            behind = lags[name[0]] > 0 and m.last_event_time is not None
            age = (now - m.last_event_time).total_seconds() if behind and m.last_event_time else 0
            seconds.add_metric(name, max(0.0, age))
    yield from (applied, skipped, retried, dead, reconnects, lag, seconds)


@contextlib.asynccontextmanager
async def metrics_server(
    bus: BusMetrics, port: int, host: str = "127.0.0.1", interval: float = 5.0
) -> AsyncIterator[int]:
    """Serve `bus` at ``http://host:port/metrics`` while the block runs (processes without
    an HTTP app of their own: `pos relay`, `pos project`). Scrapes read figures refreshed
    every `interval` seconds by a task here; loopback only unless `host` says otherwise.
    Yields the port (0 picks a free one)."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry(auto_describe=True)
    registry.register(bus)
    await bus.refresh()
    server, thread = start_http_server(port, addr=host, registry=registry)

    async def refreshing() -> None:
        while True:
            await asyncio.sleep(interval)
            await bus.refresh()

    task = asyncio.create_task(refreshing(), name="bus-metrics-refresh")
    try:
        yield int(server.server_address[1])
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
