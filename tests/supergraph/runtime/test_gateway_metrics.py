"""Prometheus /metrics on the gateway (supergraph/runtime/plugins/metrics.py): operations by name
and outcome, subgraph requests, plan-cache hits, breaker state, scrapers limited to
loopback by default."""

from __future__ import annotations

import ipaddress
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from supergraph.runtime.plugins.metrics import (
    MAX_OPERATION_NAMES,
    GatewayMetrics,
    allowed_networks,
)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


async def _scrape(graph: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await graph.client.get(graph.gateway_url.replace("/graphql", "/metrics"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


async def test_operations_subgraphs_plan_cache_and_breakers_are_counted(start_graph) -> None:
    async with start_graph("shop") as graph:  # create_app serves /metrics by default
        query = "query Top { topProducts { name } }"
        for _ in range(3):
            assert "errors" not in await graph.query(query, extra={"operationName": "Top"})
        await graph.servers[1].stop()  # products goes away: an error at the subgraph
        failed = await graph.query(query, extra={"operationName": "Top"})
        assert failed["errors"][0]["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
        await graph.query("{ nope }")  # a request error, anonymous

        seen = await _scrape(graph)
        assert (
            seen[("pos_gateway_operations_total", (("operation", "Top"), ("outcome", "ok")))] == 3
        )
        assert (
            seen[("pos_gateway_operations_total", (("operation", "Top"), ("outcome", "error")))]
            == 1
        )
        assert (
            seen[
                ("pos_gateway_operations_total", (("operation", "anonymous"), ("outcome", "error")))
            ]
            == 1
        )
        assert seen[("pos_gateway_operation_duration_seconds_count", (("operation", "Top"),))] == 4
        ok = ("pos_gateway_subgraph_requests_total", (("outcome", "ok"), ("subgraph", "products")))
        assert seen[ok] == 3
        failed_key = (
            "pos_gateway_subgraph_requests_total",
            (("outcome", "SUBREQUEST_HTTP_ERROR"), ("subgraph", "products")),
        )
        assert seen[failed_key] == 1
        assert seen[("pos_gateway_plan_cache_hits_total", ())] >= 3
        assert seen[("pos_gateway_plan_cache_misses_total", ())] >= 1
        assert seen[("pos_gateway_subgraph_breaker_state", (("subgraph", "products"),))] == 0


async def test_only_allowed_networks_may_scrape(start_graph) -> None:
    async with start_graph("shop") as graph:
        graph.servers[0].app.state.metrics.allow = [ipaddress.ip_network("10.0.0.0/8")]
        response = await graph.client.get(graph.gateway_url.replace("/graphql", "/metrics"))
        assert response.status_code == 403


def test_the_allow_list_defaults_to_loopback_and_reads_the_environment() -> None:
    assert [str(n) for n in allowed_networks("")] == ["127.0.0.0/8", "::1/128"]  # type: ignore[union-attr]
    assert allowed_networks("*") is None
    assert [str(n) for n in allowed_networks("10.1.0.0/16, 192.168.1.5")] == [  # type: ignore[union-attr]
        "10.1.0.0/16",
        "192.168.1.5/32",
    ]


def test_client_chosen_operation_names_are_capped() -> None:
    metrics = GatewayMetrics(allow=None)
    for i in range(MAX_OPERATION_NAMES):
        assert metrics.operation_label(f"Op{i}") == f"Op{i}"
    assert metrics.operation_label("OneTooMany") == "other"
    assert metrics.operation_label("Op7") == "Op7"
    assert metrics.operation_label(None) == "anonymous"


async def test_a_reloaded_supergraph_is_counted_too(start_graph) -> None:
    from fixture_graphs import supergraph_sdl

    async with start_graph("shop") as graph:
        app = graph.servers[0].app
        app.state.reload(supergraph_sdl("shop"))
        assert "errors" not in await graph.query(
            "query Me { me { name } }", extra={"operationName": "Me"}
        )
        seen = await _scrape(graph)
        assert seen[("pos_gateway_operations_total", (("operation", "Me"), ("outcome", "ok")))] == 1
