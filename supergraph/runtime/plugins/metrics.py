"""Prometheus metrics of one gateway, served at GET /metrics (prometheus-client).

`mount_metrics(app)` adds the route to a `create_app` app. Counted where the work
happens: each client operation around `Gateway.execute` (HTTP, batches and operations over
the WebSocket alike), each subgraph request in the fetcher (after retries: one observation
per request the executor made), and read at scrape time for what is state rather than
events (plan-cache hits and misses, open subscriptions, the event feed, each subgraph's
breaker). Every gateway has a registry of its own, so several in one process (tests) do
not mix.

Operation names come from clients, so they are capped: past `MAX_OPERATION_NAMES`
distinct names, new ones are counted as `other` (an attacker cannot grow the series
without bound). Anonymous operations are `anonymous`.

Who may scrape: loopback clients only by default (the names of a shop's operations and
its traffic are not for the internet). `POS_METRICS_ALLOW` widens it to a comma-separated
list of networks (`10.0.0.0/8,192.168.1.5`); `*` allows everyone. Others get 403.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..caching.cache_metrics import entity_cache_metrics

ALLOW_ENV = "POS_METRICS_ALLOW"
MAX_OPERATION_NAMES = 200
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BREAKER_VALUES = {"closed": 0, "half_open": 1, "open": 2}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_networks(value: str | None = None) -> tuple[Network, ...] | None:
    """The networks that may scrape (None: everyone), from `POS_METRICS_ALLOW`."""
    text = os.environ.get(ALLOW_ENV, "") if value is None else value
    if text.strip() == "*":
        return None
    entries = [e.strip() for e in text.split(",") if e.strip()] or ["127.0.0.0/8", "::1/128"]
    try:
        return tuple(ipaddress.ip_network(e, strict=False) for e in entries)
    except ValueError as exc:
        raise ValueError(f"{ALLOW_ENV}: {exc}") from None


class GatewayMetrics:
    """The gateway's counters and histograms, and the `/metrics` endpoint."""

    def __init__(self, allow: Sequence[Network] | None = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.allow = allowed_networks() if allow == () else allow
        self.operations = Counter(
            "pos_gateway_operations",
            "Client operations answered, by operation name and outcome (ok or error).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.operation_seconds = Histogram(
            "pos_gateway_operation_duration_seconds",
            "Time to answer a client operation, by operation name.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.subgraph_requests = Counter(
            "pos_gateway_subgraph_requests",
            "Requests to subgraphs, by subgraph and outcome (ok, or the failure's code).",
            ["subgraph", "outcome"],
            registry=self.registry,
        )
        self.subgraph_seconds = Histogram(
            "pos_gateway_subgraph_request_duration_seconds",
            "Time of one subgraph request (retries included), by subgraph.",
            ["subgraph"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._names: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if name in self._names:
            return name
        if len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def observe_operation(self, name: str | None, seconds: float, ok: bool) -> None:
        label = self.operation_label(name)
        self.operations.labels(label, "ok" if ok else "error").inc()
        self.operation_seconds.labels(label).observe(seconds)

    def observe_subgraph(self, subgraph: str, seconds: float, outcome: str) -> None:
        self.subgraph_requests.labels(subgraph, outcome).inc()
        self.subgraph_seconds.labels(subgraph).observe(seconds)

    def watch(self, gateway: Any) -> None:
        """Count `gateway`'s operations and its fetcher's subgraph requests."""
        execute = gateway.execute
        if getattr(execute, "_counted_by", None) is self:
            return

        async def counted(request: Any, *args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            ok = False
            try:
                response = await execute(request, *args, **kwargs)
                ok = not response.request_error and not response.body.get("errors")
                return response
            finally:
                if not kwargs.get("cost_check_only"):
                    self.observe_operation(request.operation_name, time.perf_counter() - began, ok)

        counted._counted_by = self  # type: ignore[attr-defined]
        gateway.execute = counted
        gateway.fetcher.observe = self.observe_subgraph

    async def endpoint(self, request: Request) -> Response:
        if not self._may_scrape(request):
            return PlainTextResponse("metrics are served to allowed networks only\n", 403)
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE)

    def _may_scrape(self, request: Request) -> bool:
        if self.allow is None:
            return True
        host = request.client.host if request.client else ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.allow)


def mount_metrics(app: Any, allow: Sequence[Network] | None = ()) -> GatewayMetrics:
    """Serve GET /metrics on a gateway app (`create_app`'s): count its gateway, and the
    gateway a supergraph reload (`app.state.reload`) puts in its place."""
    from starlette.routing import Route

    metrics = GatewayMetrics(allow)
    metrics.watch(app.state.gateway)
    reload = getattr(app.state, "reload", None)
    if callable(reload):

        def counted_reload(*args: Any, **kwargs: Any) -> Any:
            result = reload(*args, **kwargs)
            metrics.watch(app.state.gateway)
            return result

        app.state.reload = counted_reload
    metrics.registry.register(_StateCollector(app))
    # before the catch-all routes (a web app's page) that may follow the API's
    app.router.routes.insert(0, Route("/metrics", metrics.endpoint, methods=["GET"]))
    app.state.metrics = metrics
    return metrics


class _StateCollector(Collector):
    """Gauges read when scraped: plan cache, subscriptions, event feed, breakers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        gateway = self.app.state.gateway
        cache = gateway.plan_cache
        yield CounterMetricFamily(
            "pos_gateway_plan_cache_hits", "Operations planned from the cache.", cache.hits
        )
        yield CounterMetricFamily(
            "pos_gateway_plan_cache_misses", "Operations planned afresh.", cache.misses
        )
        entity_cache = getattr(self.app.state, "entity_cache", None)
        if entity_cache is not None:  # caching/cache_metrics.py
            yield from entity_cache_metrics(entity_cache)
        feed = getattr(getattr(self.app.state, "subscriptions", None), "feed", None)
        if feed is not None:
            yield _gauge(
                "pos_gateway_open_subscriptions",
                "Event-fed subscriptions open now.",
                feed.subscriber_count,
            )
            if feed.topics:
                yield _gauge(
                    "pos_gateway_event_feed_connected",
                    "1 when the event feed is consuming, 0 while it reconnects.",
                    1 if feed.connected else 0,
                )
        breakers = GaugeMetricFamily(
            "pos_gateway_subgraph_breaker_state",
            "Each subgraph's circuit breaker: 0 closed, 1 half-open, 2 open.",
            labels=["subgraph"],
        )
        for name, state in sorted(gateway.fetcher.breaker_states().items()):
            if state in BREAKER_VALUES:
                breakers.add_metric([name], BREAKER_VALUES[state])
        yield breakers


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
