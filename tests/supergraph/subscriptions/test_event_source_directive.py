"""@eventSource: survives Apollo's composition, parses into EventSources, bad uses explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from subscription_doubles import SDL, apollo_compose

from eventbus.envelope import Envelope
from supergraph.subscriptions import (
    InvalidEventSources,
    event_sources,
    subscription_owners,
    validate_event_sources,
)

ORDERING = (SDL / "ordering.graphql").read_text()


def _envelope(type_: str, subject: str = "o-1", version: int = 2, **data: object) -> Envelope:
    return Envelope(
        type=type_, source="ordering", subject=subject, data=dict(data), stream_version=version
    )


def test_composed_supergraph_keeps_every_event_source(supergraph_sdl: str) -> None:
    assert validate_event_sources(supergraph_sdl) == []
    sources = event_sources(supergraph_sdl)
    assert set(sources) == {"orderStatusChanged", "orderUpdates", "stockLevelChanged"}
    status = sources["orderStatusChanged"]
    assert (status.entity, status.topic, status.graph, status.version_field) == (
        "Order",
        "pos.ordering",
        "ORDERING",
        "version",
    )
    assert "pos.ordering.OrderPaid.v1" in status.events
    stock = sources["stockLevelChanged"]
    assert [m.name for m in stock.key] == ["productId", "warehouse"]
    assert stock.graph == "INVENTORY"


def test_supergraph_routes_non_event_fields_to_their_subgraph(supergraph_sdl: str) -> None:
    owners = subscription_owners(supergraph_sdl)
    assert owners["ticks"] == "http://clock.invalid/graphql"
    assert "ticks" not in event_sources(supergraph_sdl)


def test_filters_and_key_read_the_envelope(supergraph_sdl: str) -> None:
    updates = event_sources(supergraph_sdl)["orderUpdates"]
    placed = _envelope("pos.ordering.OrderPlaced.v1", customerId="c-1", status="PENDING")
    assert updates.accepts(placed, {"customerId": "c-1"})
    assert updates.accepts(placed, {"customerId": None, "status": None})
    assert updates.accepts(placed, {"status": ["PAID", "PENDING"]})
    assert not updates.accepts(placed, {"customerId": "c-2"})
    assert not updates.accepts(placed, {"status": ["PAID"]})
    assert not updates.accepts(_envelope("pos.ordering.OrderShipped.v1", customerId="c-1"), {})
    assert updates.representation(placed) == {"__typename": "Order", "id": "o-1"}
    stock = event_sources(supergraph_sdl)["stockLevelChanged"]
    received = Envelope(
        type="pos.inventory.StockReceived.v1",
        source="inventory",
        subject="s-1",
        data={"productId": 7, "warehouse": "main"},
        stream_version=3,
    )
    assert stock.accepts(received, {"productId": "7"})  # ID argument vs numeric data
    assert stock.representation(received) == {
        "__typename": "StockItem",
        "productId": 7,
        "warehouse": "main",
    }
    no_key = Envelope(
        type="pos.inventory.StockReceived.v1",
        source="inventory",
        subject="s",
        data={},
        stream_version=1,
    )
    assert stock.representation(no_key) is None


def test_without_compose_directive_apollo_drops_it_and_validation_says_so(tmp_path: Path) -> None:
    sdl = ORDERING.replace('  @composeDirective(name: "@eventSource")\n', "")
    errors = validate_event_sources(sdl)
    assert [e.coordinate for e in errors] == ["schema"]
    assert '@composeDirective(name: "@eventSource")' in errors[0].message
    path = tmp_path / "ordering.graphql"
    path.write_text(sdl)
    assert event_sources(apollo_compose({"ordering": path})) == {}


def _errors(sdl: str) -> list[str]:
    return [str(e) for e in validate_event_sources(sdl)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '"status=data.status"',
            '"state=data.status"',
            "[Subscription.orderUpdates] filter references unknown argument 'state'",
        ),
        (
            'key: ["id=subject"]\n      filter: ["orderId',
            'key: ["number=subject"]\n      filter: ["orderId',
            "@key is 'id'",
        ),
        (
            'version: "version"\n    )\n  orderUpdates',
            'version: "revision"\n    )\n  orderUpdates',
            "'revision' is not a field of Order",
        ),
        (
            '"id=subject"]\n      filter: ["orderId',
            '"id=headers.x"]\n      filter: ["orderId',
            "unknown envelope path 'headers.x'",
        ),
        ('"customerId=data.customerId"', '"customerId"', "must read <name>=<path>"),
    ],
)
def test_bad_uses_are_reported_with_what_to_do(old: str, new: str, expected: str) -> None:
    assert old in ORDERING
    errors = _errors(ORDERING.replace(old, new, 1))
    assert any(expected in e for e in errors), errors


def test_non_entity_return_type_is_rejected() -> None:
    sdl = ORDERING.replace('type Order @key(fields: "id") {', "type Order {")
    errors = _errors(sdl)
    assert any("returns Order, which is not an entity" in e for e in errors), errors


def test_directive_outside_subscription_and_missing_link_are_rejected() -> None:
    sdl = ORDERING.replace(
        "  order(id: ID!): Order\n",
        '  order(id: ID!): Order @eventSource(topic: "t", events: ["e"], key: ["id=subject"], '
        'version: "version")\n',
    )
    assert any(e.startswith("[Query.order] @eventSource only applies") for e in _errors(sdl))
    unlinked = ORDERING.replace(
        '  @link(url: "https://pos.example/event-source/v0.1", import: ["@eventSource"])\n', ""
    )
    assert any("must be imported with @link" in e for e in _errors(unlinked))


def test_event_sources_raises_with_every_error() -> None:
    sdl = ORDERING.replace('"status=data.status"', '"state=data.status"').replace(
        'type Order @key(fields: "id") {', "type Order {"
    )
    with pytest.raises(InvalidEventSources) as caught:
        event_sources(sdl)
    assert len(caught.value.errors) >= 3
    assert "unknown argument 'state'" in str(caught.value)


def test_renamed_import_is_followed_through_composition(tmp_path: Path) -> None:
    sdl = (
        ORDERING.replace(
            'import: ["@eventSource"]', 'import: [{name: "@eventSource", as: "@feed"}]'
        )
        .replace('@composeDirective(name: "@eventSource")', '@composeDirective(name: "@feed")')
        .replace("directive @eventSource(", "directive @feed(")
        .replace("@eventSource(\n", "@feed(\n")
    )
    assert validate_event_sources(sdl) == []
    path = tmp_path / "ordering.graphql"
    path.write_text(sdl)
    supergraph = apollo_compose({"ordering": path})
    assert set(event_sources(supergraph)) == {"orderStatusChanged", "orderUpdates"}
