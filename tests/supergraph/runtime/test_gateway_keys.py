"""Entity fetches by @key: compound, nested, several keys, resolvable: false, key hops."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("data_path")  # Python path and compiled core


async def test_compound_key(start_graph) -> None:
    async with start_graph("keys") as g:
        result = await g.query('{ account(bank: "ING", number: 42) { bank balance } }')
        assert result == {"data": {"account": {"bank": "ING", "balance": 100}}}
        reps = g.requests_to("karma")[0]["variables"]["representations"]
        assert reps == [{"__typename": "Account", "bank": "ING", "number": 42}]


async def test_nested_object_key(start_graph) -> None:
    async with start_graph("keys") as g:
        result = await g.query("{ shipments { seq status } }")
        assert result == {
            "data": {
                "shipments": [{"seq": 1, "status": "SHIPPED"}, {"seq": 2, "status": "PENDING"}]
            }
        }
        reps = g.requests_to("karma")[0]["variables"]["representations"]
        assert reps == [
            {"__typename": "Shipment", "order": {"id": "o1"}, "seq": 1},
            {"__typename": "Shipment", "order": {"id": "o1"}, "seq": 2},
        ]


async def test_key_to_key_hop_through_subgraph_with_both_keys(start_graph) -> None:
    async with start_graph("keys") as g:
        result = await g.query("{ users { name karma } }")
        assert result == {
            "data": {"users": [{"name": "Ann", "karma": 10}, {"name": "Bob", "karma": 3}]}
        }
        # users only knows `id`; karma only knows `uuid`: identity (both keys) bridges them
        assert g.requests_to("identity")[0]["variables"]["representations"] == [
            {"__typename": "User", "id": "1"},
            {"__typename": "User", "id": "2"},
        ]
        assert g.requests_to("karma")[0]["variables"]["representations"] == [
            {"__typename": "User", "uuid": "uuid-1"},
            {"__typename": "User", "uuid": "uuid-2"},
        ]


async def test_multiple_keys_pick_the_one_available(start_graph) -> None:
    async with start_graph("keys") as g:
        result = await g.query('{ account(bank: "ING", number: 42) { holder { email karma } } }')
        assert result == {
            "data": {"account": {"holder": {"email": "ann@example.com", "karma": 10}}}
        }
        assert len(g.requests_to("identity")) == 1
        assert len(g.requests_to("karma")) == 1


async def test_reference_with_resolvable_false_key(start_graph) -> None:
    async with start_graph("keys") as g:
        result = await g.query("{ featured { sku title } }")
        assert result == {"data": {"featured": {"sku": "sku-1", "title": "Lamp"}}}
        assert g.requests_to("catalog")[0]["variables"]["representations"] == [
            {"__typename": "Product", "sku": "sku-1"}
        ]


async def test_entity_not_found_leaves_nullable_fields_null(start_graph) -> None:
    async with start_graph("keys") as g:
        result = await g.query('{ account(bank: "ABN", number: 1) { bank balance } }')
        assert result == {"data": {"account": None}}
