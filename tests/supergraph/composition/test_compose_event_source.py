"""`@eventSource` is checked at composition and carried into the supergraph.

A valid use composes and reaches the supergraph through `@composeDirective`, where the
gateway reads it; an invalid use fails composition with EVENT_SOURCE_INVALID naming the
subgraph and the field, and `pos compose` exits non-zero.
"""

from __future__ import annotations

from pathlib import Path

from apollo_reference import ours
from typer.testing import CliRunner

from pos.cli import app as pos_cli
from supergraph.composition import Subgraph, compose
from supergraph.composition.compare import supergraph_differences
from supergraph.subscriptions import DIRECTIVE_SDL, event_sources

HEADER = """extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@composeDirective"])
  @link(url: "https://pos.example/event-source/v0.1", import: ["@eventSource"])
  @composeDirective(name: "@eventSource")
"""
ORDERS_TYPES = """
type Query { order(id: ID!): Order }
type Order @key(fields: "id") { id: ID! status: String! version: Int! }
"""


def _orders(subscription: str) -> str:
    return HEADER + DIRECTIVE_SDL + ORDERS_TYPES + subscription


VALID = _orders(
    """type Subscription {
  orderStatusChanged(orderId: ID!): Order!
    @eventSource(
      topic: "pos.ordering"
      events: ["pos.ordering.OrderPaid.v1", "pos.ordering.OrderShipped.v1"]
      key: ["id=subject"]
      filter: ["orderId=subject"]
      version: "version"
    )
}
"""
)
CUSTOMERS = """extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
type Query { customer(id: ID!): Customer }
type Customer @key(fields: "id") { id: ID! name: String! }
"""


def _compose(orders_sdl: str):
    return compose(
        [
            Subgraph("customers", "http://customers/graphql", CUSTOMERS),
            Subgraph("orders", "http://orders/graphql", orders_sdl),
        ]
    )


def test_valid_event_source_is_carried_into_the_supergraph() -> None:
    result = _compose(VALID)
    assert result.errors == []
    assert result.supergraph_sdl is not None
    source = event_sources(result.supergraph_sdl)["orderStatusChanged"]
    assert source.topic == "pos.ordering"
    assert source.entity == "Order"
    assert source.events == {"pos.ordering.OrderPaid.v1", "pos.ordering.OrderShipped.v1"}
    assert [(m.name, m.path.text) for m in source.filters] == [("orderId", "subject")]
    assert source.graph == "ORDERS"


def test_supergraph_with_event_source_matches_apollo(apollo) -> None:
    sdls = {"customers": CUSTOMERS, "orders": VALID}
    reference = apollo(sdls)
    assert reference.supergraph_sdl is not None, reference.stderr
    result = ours(sdls)
    assert result.supergraph_sdl is not None
    assert supergraph_differences(result.supergraph_sdl, reference.supergraph_sdl) == []


def test_filter_on_an_unknown_argument_fails_naming_subgraph_and_field() -> None:
    result = _compose(VALID.replace('filter: ["orderId=subject"]', 'filter: ["id=subject"]'))
    assert result.supergraph_sdl is None
    assert [(e.code, e.subgraphs, e.coordinates) for e in result.errors] == [
        ("EVENT_SOURCE_INVALID", ("orders",), ("Subscription.orderStatusChanged",))
    ]
    assert str(result.errors[0]) == (
        "EVENT_SOURCE_INVALID: [orders] Subscription.orderStatusChanged: filter references "
        "unknown argument 'id' (arguments: orderId); declare it on the field or fix the filter"
    )


def test_every_problem_is_reported_including_missing_compose_directive() -> None:
    broken = VALID.replace('  @composeDirective(name: "@eventSource")\n', "").replace(
        'version: "version"', 'version: "status"'
    )
    messages = [str(e) for e in _compose(broken).errors]
    assert messages == [
        "EVENT_SOURCE_INVALID: [orders] Subscription.orderStatusChanged: "
        "version field Order.status must be an Int",
        'EVENT_SOURCE_INVALID: [orders] schema: add @composeDirective(name: "@eventSource") '
        "to the schema: without it composition drops the directive and the gateway cannot "
        "see the event source",
    ]


def test_subgraphs_without_event_sources_are_not_checked() -> None:
    plain = _orders("")
    assert _compose(plain).errors == []


def test_pos_compose_exits_non_zero_with_the_message(tmp_path: Path) -> None:
    (tmp_path / "orders.graphql").write_text(VALID.replace('["id=subject"]', '["id=data.x."]'))
    (tmp_path / "customers.graphql").write_text(CUSTOMERS)
    config = tmp_path / "supergraph.toml"
    config.write_text(
        '[subgraphs.orders]\nurl = "http://orders/graphql"\nschema = "orders.graphql"\n'
        '[subgraphs.customers]\nurl = "http://c/graphql"\nschema = "customers.graphql"\n'
    )
    out = tmp_path / "supergraph.graphql"
    result = CliRunner().invoke(pos_cli, ["compose", "--config", str(config), "--out", str(out)])
    assert result.exit_code == 1
    assert (
        "EVENT_SOURCE_INVALID: [orders] Subscription.orderStatusChanged: key: path "
        "'data.x.' must name a data field, e.g. data.customerId"
    ) in result.output
    assert not out.exists()
