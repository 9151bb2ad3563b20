"""placeOrder waits (bounded) for a product or customer ordering has not seen yet, so a
front end can order right after creating them; an id that never arrives is still refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest

from eventbus import DomainError
from eventbus.sqlstore import SqlEventStore
from subgraphs.ordering.application import KnownCustomerRef, LineInput, OrderHandlers, PlaceOrder
from subgraphs.ordering.domain import PricedProduct, ShippingAddress

HOME = ShippingAddress.create(line1="Main 1", city="Berlin", postal_code="10115", country="DE")


class LateReferences:
    """A projection that learns about products and customers while we wait."""

    def __init__(self) -> None:
        self.products_seen: dict[str, PricedProduct] = {}
        self.customers_seen: dict[str, KnownCustomerRef] = {}
        self.lookups = 0

    async def products(self, product_ids: Sequence[str]) -> dict[str, PricedProduct]:
        self.lookups += 1
        return {p: self.products_seen[p] for p in product_ids if p in self.products_seen}

    async def customer(self, customer_id: str) -> KnownCustomerRef | None:
        return self.customers_seen.get(customer_id)

    def arrive(self, product_id: str, customer_id: str) -> None:
        self.products_seen[product_id] = PricedProduct(
            product_id, "TEA-1", "Tea", Decimal("3.50"), "EUR", True
        )
        self.customers_seen[customer_id] = KnownCustomerRef(customer_id, "Ada", HOME)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlEventStore]:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'wait.db'}")
    await store.start()
    yield store
    await store.close()


async def test_references_that_arrive_while_waiting_are_used(store: SqlEventStore) -> None:
    refs = LateReferences()
    handlers = OrderHandlers(store, refs, refs, reference_wait=5.0)
    product_id, customer_id = str(uuid4()), str(uuid4())
    loop = asyncio.get_running_loop()
    loop.call_later(0.3, refs.arrive, product_id, customer_id)
    started = loop.time()
    placed = await handlers.place(PlaceOrder(customer_id, [LineInput(product_id, 2)]))
    assert 0.25 < loop.time() - started < 2.0
    assert placed.value.total == Decimal("7.00")
    assert placed.value.customer_id == customer_id


async def test_an_id_that_never_arrives_is_refused_after_the_bound(store: SqlEventStore) -> None:
    refs = LateReferences()
    customer_id = str(uuid4())
    refs.arrive(str(uuid4()), customer_id)
    handlers = OrderHandlers(store, refs, refs, reference_wait=0.4)
    loop = asyncio.get_running_loop()
    started = loop.time()
    missing = str(uuid4())
    with pytest.raises(DomainError, match=f"product {missing} does not exist") as caught:
        await handlers.place(PlaceOrder(customer_id, [LineInput(missing, 1)]))
    assert 0.35 < loop.time() - started < 1.5
    assert caught.value.field == "lines.productId"
    with pytest.raises(DomainError, match=r"customer .* does not exist .*waited 0.4 s"):
        await handlers.place(PlaceOrder(str(uuid4()), [LineInput(missing, 1)]))
    assert await store.read_all(0, 100) == []


async def test_input_errors_are_refused_without_waiting(store: SqlEventStore) -> None:
    refs = LateReferences()
    handlers = OrderHandlers(store, refs, refs, reference_wait=5.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(DomainError, match="must be positive"):
        await handlers.place(PlaceOrder(str(uuid4()), [LineInput(str(uuid4()), 0)]))
    with pytest.raises(DomainError, match="at least one line"):
        await handlers.place(PlaceOrder(str(uuid4()), []))
    assert loop.time() - started < 0.5
    assert refs.lookups == 0
