"""Load the demo data set through the contexts' own command handlers.

Every record is made by a command (so the events, the outbox, the projections and the
saga are all real): categories and products in the catalog, stock receipts in inventory,
customers, then orders that the running saga confirms or rejects, and that the seed then
pays, ships or cancels. Ids are derived from the data set, so the seed is idempotent and
resumable: each step skips what already exists (a second run writes nothing and says so;
a run interrupted half-way finishes the job).

Needs the inventory and ordering reactors running somewhere on the same bus (the embedded
host, or `pos serve` processes plus the relay), or orders stay PENDING and the seed stops
with an error after `saga_timeout` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from eventbus.repository import EventSourcedRepository
from subgraphs.catalog.application import AddProduct, CatalogHandlers, CreateCategory
from subgraphs.customers.application import AddressInput, CustomerHandlers, RegisterCustomer
from subgraphs.hosting.commands import Handled, execute
from subgraphs.hosting.services import ContextServices
from subgraphs.inventory.application import ReceiveStock, StockHandlers
from subgraphs.inventory.domain import stock_item_id
from subgraphs.ordering.application import (
    CancelOrder,
    KnownCustomerRef,
    LineInput,
    OrderHandlers,
    PayOrder,
    PlaceOrder,
    ShipOrder,
)
from subgraphs.ordering.domain import Order, OrderStatus, PricedProduct, ShippingAddress
from subgraphs.seed.data import (
    CATEGORIES,
    CURRENCY,
    CUSTOMERS,
    ORDERS,
    PRODUCTS,
    DemoCustomer,
    DemoOrder,
    seed_id,
)
from subgraphs.seed.shop_floor import planned_sales, seed_shop_floor
from subgraphs.staff import DEMO_STAFF, seed_demo_staff
from subgraphs.stores import seed_demo_stores
from subgraphs.stores.application.demo import DEMO_STORES

log = logging.getLogger(__name__)

C = TypeVar("C")
R = TypeVar("R")

NEEDED = ("catalog", "inventory", "customers", "ordering")


class SeedError(Exception):
    """The seed could not finish; the message says what to start or fix."""


@dataclass
class SeedReport:
    created: bool
    message: str
    categories: int = 0
    products: int = 0
    customers: int = 0
    orders: dict[str, int] = field(default_factory=dict)
    staff: int = 0
    """Demo staff members (DEV DEFAULTS, see subgraphs/staff/README.md); 0 without staff."""
    stores: int = 0
    """Demo stores (with their registers and tax regions); 0 without the stores context."""
    sales: int = 0
    """Demo sales at the registers (a few days, shifts, a return); 0 without sales."""


class _KnownProducts:
    """Inventory's `ProductDirectory` for products this seed has just added."""

    def __init__(self, product_ids: set[str]) -> None:
        self.product_ids = product_ids

    async def exists(self, product_id: str) -> bool:
        return product_id in self.product_ids


class _SeedPrices:
    """Ordering's `PriceList` over the prices this seed has just set in the catalog."""

    def __init__(self, products: dict[str, PricedProduct]) -> None:
        self.known = products

    async def products(self, product_ids: Sequence[str]) -> dict[str, PricedProduct]:
        return {pid: self.known[pid] for pid in product_ids if pid in self.known}


class _SeedCustomers:
    """Ordering's `CustomerDirectory` over the customers this seed has just registered."""

    def __init__(self, customers: dict[str, KnownCustomerRef]) -> None:
        self.known = customers

    async def customer(self, customer_id: str) -> KnownCustomerRef | None:
        return self.known.get(customer_id)


def _address(customer: DemoCustomer) -> AddressInput:
    return AddressInput(
        line1=customer.line1,
        city=customer.city,
        postal_code=customer.postal_code,
        country=customer.country,
    )


async def seed(
    services_by_context: Mapping[str, ContextServices], *, saga_timeout: float = 30.0
) -> SeedReport:
    """Load the demo data set; returns what was created (or why nothing was)."""
    missing = [name for name in NEEDED if name not in services_by_context]
    if missing:
        raise SeedError(f"seed needs the services of {', '.join(missing)}; start those contexts")
    loader = _Loader(services_by_context, saga_timeout)
    from eventbus.actor import acting_as, system_actor

    with acting_as(system_actor("seed")):  # every seeded event says who wrote it
        return await loader.run()


class _Loader:
    def __init__(self, services: Mapping[str, ContextServices], saga_timeout: float) -> None:
        self.services = services
        self.saga_timeout = saga_timeout
        self.wrote = False

    async def _run(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> R:
        executed = await execute(handler, command, on_commit=self._wake)
        return executed.value

    def _wake(self) -> None:
        for view in self.services.values():
            view.wake_relay()

    async def _exists(self, context: str, stream_id: str) -> bool:
        return await self.services[context].store.stream_version(stream_id) > 0

    async def run(self) -> SeedReport:
        staff = 0
        if "staff" in self.services:  # first: sign-in works even if the saga is not running
            self.wrote = await seed_demo_staff(self.services["staff"].store) > 0
            staff = len(DEMO_STAFF)
        stores = 0
        if "stores" in self.services:  # stores, registers and tax regions for the tills
            written = await seed_demo_stores(self.services["stores"].store)
            self.wrote = self.wrote or written > 0
            stores = len(DEMO_STORES)
        catalog = CatalogHandlers(self.services["catalog"].store)
        for name in CATEGORIES:
            category_id = seed_id("category", name)
            if not await self._exists("catalog", category_id):
                self.wrote = True
                await self._run(
                    catalog.create_category, CreateCategory(name=name, category_id=category_id)
                )
        priced: dict[str, PricedProduct] = {}
        for product in PRODUCTS:
            product_id = seed_id("product", product.sku)
            if not await self._exists("catalog", product_id):
                self.wrote = True
                await self._run(
                    catalog.add_product,
                    AddProduct(
                        sku=product.sku,
                        name=product.name,
                        category_id=seed_id("category", product.category),
                        unit_price=product.price,
                        currency=CURRENCY,
                        product_id=product_id,
                        barcode=product.barcode,
                        tax_class=product.tax_class,
                    ),
                )
            priced[product.sku] = PricedProduct(
                product_id, product.sku, product.name, Decimal(product.price), CURRENCY, True
            )
        stock = StockHandlers(
            self.services["inventory"].store,
            _KnownProducts({p.product_id for p in priced.values()}),
        )
        for product in PRODUCTS:
            product_id = priced[product.sku].product_id
            if not await self._exists("inventory", stock_item_id(product_id)):
                self.wrote = True
                await self._run(
                    stock.receive,
                    ReceiveStock(
                        product_id=product_id, quantity=product.stock, receipt=f"SEED-{product.sku}"
                    ),
                )
        sales = 0
        if "sales" in self.services and "stores" in self.services:  # the shop floor's days
            stores_of = {name: self.services[name].store for name in ("inventory", "sales")}
            self.wrote = await seed_shop_floor(stores_of) > 0 or self.wrote
            sales = planned_sales()
        customers = CustomerHandlers(self.services["customers"].store)
        refs: list[KnownCustomerRef] = []
        for person in CUSTOMERS:
            customer_id = seed_id("customer", person.email)
            if not await self._exists("customers", customer_id):
                self.wrote = True
                await self._run(
                    customers.register,
                    RegisterCustomer(
                        name=person.name,
                        email=person.email,
                        phone=person.phone,
                        address=_address(person),
                        customer_id=customer_id,
                    ),
                )
            a = _address(person)
            refs.append(
                KnownCustomerRef(
                    customer_id,
                    person.name,
                    ShippingAddress(a.line1, a.city, a.postal_code, a.country),
                )
            )
        counts = await self._orders(priced, refs)
        return SeedReport(
            created=self.wrote,
            message="demo data loaded"
            if self.wrote
            else "demo data is already complete; nothing was written",
            categories=len(CATEGORIES),
            products=len(PRODUCTS),
            customers=len(CUSTOMERS),
            orders=counts,
            staff=staff,
            stores=stores,
            sales=sales,
        )

    async def _orders(
        self, priced: dict[str, PricedProduct], refs: list[KnownCustomerRef]
    ) -> dict[str, int]:
        ordering = OrderHandlers(
            self.services["ordering"].store,
            _SeedPrices({p.product_id: p for p in priced.values()}),
            _SeedCustomers({r.customer_id: r for r in refs}),
        )
        repository: EventSourcedRepository[Order] = EventSourcedRepository(
            self.services["ordering"].store, Order
        )
        plans = [(seed_id("order", str(i)), plan) for i, plan in enumerate(ORDERS)]
        settled = [(order_id, plan) for order_id, plan in plans if plan.outcome != "PENDING"]
        for order_id, plan in settled:
            order = await repository.get(order_id)
            if order is None:
                order = await self._place(ordering, order_id, plan, priced, refs)
            if plan.cancel_when == "PENDING" and order.status == OrderStatus.PENDING:
                self.wrote = True
                await self._run(ordering.cancel, CancelOrder(order.id, "ordered by mistake"))
        answered = await self._await_saga(repository, [order_id for order_id, _ in settled])
        counts: dict[str, int] = {}
        for order_id, plan in settled:
            final = await self._drive(ordering, plan, answered[order_id])
            counts[final.value] = counts.get(final.value, 0) + 1
        for order_id, plan in plans:
            if plan.outcome == "PENDING":
                order = await repository.get(order_id)
                if order is None:
                    order = await self._place(ordering, order_id, plan, priced, refs)
                assert order.status is not None
                counts[order.status.value] = counts.get(order.status.value, 0) + 1
        return counts

    async def _place(
        self,
        ordering: OrderHandlers,
        order_id: str,
        plan: DemoOrder,
        priced: dict[str, PricedProduct],
        refs: list[KnownCustomerRef],
    ) -> Order:
        self.wrote = True
        command = PlaceOrder(
            order_id=order_id,
            customer_id=refs[plan.customer].customer_id,
            lines=[LineInput(priced[sku].product_id, quantity) for sku, quantity in plan.lines],
        )
        return await self._run(ordering.place, command)

    async def _await_saga(
        self, repository: EventSourcedRepository[Order], order_ids: list[str]
    ) -> dict[str, Order]:
        """Wait until inventory has answered every order (none left PENDING)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.saga_timeout
        found: dict[str, Order] = {}
        waiting = list(order_ids)
        while waiting:
            still = []
            for order_id in waiting:
                order = await repository.load(order_id)
                if order.status == OrderStatus.PENDING:
                    still.append(order_id)
                else:
                    found[order_id] = order
            waiting = still
            if waiting and loop.time() > deadline:
                raise SeedError(
                    f"{len(waiting)} seeded orders are still PENDING after "
                    f"{self.saga_timeout:.0f}s: "
                    "inventory's saga reactor (and ordering's) must be running on the same bus "
                    "with the relay draining the outbox"
                )
            if waiting:
                self._wake()
                await asyncio.sleep(0.05)
        return found

    async def _drive(self, ordering: OrderHandlers, plan: DemoOrder, order: Order) -> OrderStatus:
        """Move an answered order on towards the plan's outcome, from wherever it stands."""
        while order.status is not None and order.status.value != plan.outcome:
            if order.status == OrderStatus.CONFIRMED and plan.outcome == "CANCELLED":
                if plan.cancel_when == "CONFIRMED":
                    command: Any = CancelOrder(order.id, "found it cheaper")
                    order = await self._run(ordering.cancel, command)
                else:
                    order = await self._pay(ordering, plan, order)
            elif order.status == OrderStatus.CONFIRMED and plan.outcome in ("PAID", "SHIPPED"):
                order = await self._pay(ordering, plan, order)
            elif order.status == OrderStatus.PAID and plan.outcome == "SHIPPED":
                order = await self._run(ordering.ship, ShipOrder(order.id))
            elif order.status == OrderStatus.PAID and plan.outcome == "CANCELLED":
                order = await self._run(ordering.cancel, CancelOrder(order.id, "returned unopened"))
            else:
                log.warning(
                    "seed order %s is %s, planned %s", order.number, order.status, plan.outcome
                )
                break
            self.wrote = True
        assert order.status is not None
        return order.status

    async def _pay(self, ordering: OrderHandlers, plan: DemoOrder, order: Order) -> Order:
        return await self._run(ordering.pay, PayOrder(order.id, plan.method, str(order.total)))


def summary(report: SeedReport) -> dict[str, Any]:
    """The report as JSON-able data (for the CLI)."""
    return {
        "created": report.created,
        "message": report.message,
        "categories": report.categories,
        "products": report.products,
        "customers": report.customers,
        "orders": report.orders,
        "staff": report.staff,
        "stores": report.stores,
        "sales": report.sales,
    }
