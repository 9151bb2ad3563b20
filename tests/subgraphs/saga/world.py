"""A small shop on a running stack, built through the GraphQL mutations of every context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.subgraphs.saga.stack import Stack

ORDER = """id number status total { amount currency }
  rejectionReasons { productId reason requested available }"""
PLACE = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { " + ORDER + " } }"
PAY = "mutation($input: PayOrderInput!) { payOrder(input: $input) { " + ORDER + " } }"
SHIP = "mutation($id: ID!) { shipOrder(id: $id) { " + ORDER + " } }"
CANCEL = "mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { " + ORDER + " } }"
GET = "query($id: ID!) { order(id: $id) { " + ORDER + " } }"
STOCK = "query($id: ID!) { stockItem(productId: $id) { onHand reserved available } }"


@dataclass
class World:
    stack: Stack
    customer: str
    tea: str
    mug: str
    rare: str

    async def place(self, *lines: tuple[str, int]) -> dict[str, Any]:
        data = await self.stack.data(
            "ordering",
            PLACE,
            {
                "input": {
                    "customerId": self.customer,
                    "lines": [{"productId": p, "quantity": q} for p, q in lines],
                }
            },
        )
        order: dict[str, Any] = data["placeOrder"]
        return order

    async def order(self, order_id: str) -> dict[str, Any]:
        order: dict[str, Any] = (await self.stack.data("ordering", GET, {"id": order_id}))["order"]
        return order

    async def pay(self, order: dict[str, Any], method: str = "CARD") -> dict[str, Any]:
        variables = {
            "input": {"id": order["id"], "method": method, "amount": order["total"]["amount"]}
        }
        paid: dict[str, Any] = (await self.stack.data("ordering", PAY, variables))["payOrder"]
        return paid

    async def ship(self, order_id: str) -> dict[str, Any]:
        shipped: dict[str, Any] = (await self.stack.data("ordering", SHIP, {"id": order_id}))[
            "shipOrder"
        ]
        return shipped

    async def cancel(self, order_id: str) -> dict[str, Any]:
        variables = {"input": {"id": order_id, "reason": "customer changed their mind"}}
        cancelled: dict[str, Any] = (await self.stack.data("ordering", CANCEL, variables))[
            "cancelOrder"
        ]
        return cancelled

    async def stock(self, product_id: str) -> dict[str, int]:
        item: dict[str, int] = (await self.stack.data("inventory", STOCK, {"id": product_id}))[
            "stockItem"
        ]
        return item


async def build_world(stack: Stack) -> World:
    category = (
        await stack.data("catalog", 'mutation { createCategory(input: {name: "Tea room"}) { id } }')
    )["createCategory"]["id"]
    products: dict[str, str] = {}
    for sku, name, price in (
        ("TEA-1", "Green tea", "3.50"),
        ("MUG-1", "Mug", "12.99"),
        ("RARE-1", "Rare pot", "99.00"),
    ):
        added = await stack.data(
            "catalog",
            """mutation($input: AddProductInput!) { addProduct(input: $input) { id } }""",
            {
                "input": {
                    "sku": sku,
                    "name": name,
                    "categoryId": category,
                    "unitPrice": {"amount": price, "currency": "EUR"},
                }
            },
        )
        products[sku] = added["addProduct"]["id"]
    await stack.settle()
    for sku, quantity in (("TEA-1", 10), ("MUG-1", 5), ("RARE-1", 1)):
        await stack.data(
            "inventory",
            """mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { onHand } }""",
            {"input": {"productId": products[sku], "quantity": quantity, "receipt": f"DEL-{sku}"}},
        )
    customer = await stack.data(
        "customers",
        """mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id } }""",
        {
            "input": {
                "name": "Saga Shopper",
                "email": "saga@shop.example",
                "phone": "+49 30 7654321",
                "address": {
                    "line1": "Market 2",
                    "city": "Hamburg",
                    "postalCode": "20095",
                    "country": "DE",
                },
            }
        },
    )
    await stack.settle()
    return World(
        stack=stack,
        customer=customer["registerCustomer"]["id"],
        tea=products["TEA-1"],
        mug=products["MUG-1"],
        rare=products["RARE-1"],
    )
