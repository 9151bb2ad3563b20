from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from subgraphs.customers import context as customers
from subgraphs.ordering import context as ordering
from tests.subgraphs.saga.fakes import emit, product_added
from tests.subgraphs.saga.stack import Stack, open_stack

REGISTER = """mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id } }"""


@dataclass
class Shop:
    stack: Stack
    customer_id: str
    tea: str
    mug: str
    retired: str


@pytest.fixture(scope="module", params=["embedded", "services"])
async def shop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Shop]:
    async with open_stack(
        [customers, ordering], mode=request.param, tmp_path=tmp_path_factory.mktemp("ordering")
    ) as stack:
        data = await stack.data(
            "customers",
            REGISTER,
            {
                "input": {
                    "name": "Ada Buyer",
                    "email": "ada@buyer.example",
                    "phone": "+49 30 1234567",
                    "address": {
                        "line1": "Main 1",
                        "city": "Berlin",
                        "postalCode": "10115",
                        "country": "DE",
                    },
                }
            },
        )
        tea = await product_added(stack.store, sku="TEA-1", name="Green tea", price="3.50")
        mug = await product_added(stack.store, sku="MUG-1", name="Mug", price="12.99")
        retired = await product_added(
            stack.store, sku="OLD-1", name="Retired", price="1.00", active=False
        )
        await stack.settle()
        yield Shop(stack, data["registerCustomer"]["id"], tea, mug, retired)


async def inventory_replies(stack: Stack, name: str, order_id: str, **extra: Any) -> None:
    await emit(stack.store, "inventory", name, {"order_id": order_id, **extra})
    await stack.settle()
