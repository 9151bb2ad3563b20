"""@requires: with field arguments, chained, and needing another subgraph's entity first."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("data_path")  # Python path and compiled core


async def test_requires_with_field_arguments(start_graph) -> None:
    async with start_graph("requires") as g:
        result = await g.query("{ items { name shippingCost } }")
        # shippingCost = weight * 10 + price(currency: "EUR"); EUR price is half the USD one
        assert result == {
            "data": {
                "items": [
                    {"name": "Kettle", "shippingCost": 40},
                    {"name": "Toaster", "shippingCost": 60},
                ]
            }
        }
        reps = g.requests_to("shipping")[0]["variables"]["representations"]
        assert reps == [
            {"__typename": "Item", "id": "i1", "weight": 2, "price": 20},
            {"__typename": "Item", "id": "i2", "weight": 3, "price": 30},
        ]


async def test_required_field_with_arguments_next_to_the_clients_own(start_graph) -> None:
    async with start_graph("requires") as g:
        result = await g.query("{ items { price shippingCost } }")
        assert result == {
            "data": {
                "items": [{"price": 40, "shippingCost": 40}, {"price": 60, "shippingCost": 60}]
            }
        }


async def test_chained_requires(start_graph) -> None:
    async with start_graph("requires") as g:
        result = await g.query("{ items { shippingTax } }")
        assert result == {"data": {"items": [{"shippingTax": 8}, {"shippingTax": 12}]}}
        reps = g.requests_to("tax")[0]["variables"]["representations"]
        assert reps == [
            {"__typename": "Item", "id": "i1", "shippingCost": 40},
            {"__typename": "Item", "id": "i2", "shippingCost": 60},
        ]


async def test_requires_needing_another_subgraphs_entity_first(start_graph) -> None:
    async with start_graph("requires") as g:
        result = await g.query("{ items { name insurance } }")
        assert result == {
            "data": {
                "items": [
                    {"name": "Kettle", "insurance": "EU policy (NL)"},
                    {"name": "Toaster", "insurance": "none"},
                ]
            }
        }
        # store -> suppliers (Supplier.country) -> insurance
        assert g.requests_to("suppliers")[0]["variables"]["representations"] == [
            {"__typename": "Supplier", "id": "s1"}
        ]
        assert g.requests_to("insurance")[0]["variables"]["representations"] == [
            {"__typename": "Item", "id": "i1", "supplier": {"country": "NL"}},
            {"__typename": "Item", "id": "i2", "supplier": None},
        ]
