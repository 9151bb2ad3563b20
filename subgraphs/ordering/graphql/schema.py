"""The ordering subgraph: queries read `ordering.orders` only; mutations run commands and
answer once the projection shows them (else straight from the order's event stream)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import federation
from strawberry.types import Info

from subgraphs.hosting.commands import Executed, committed_payload
from subgraphs.hosting.connection import Connection, connection_from_page
from subgraphs.hosting.pagination import paginate
from subgraphs.hosting.schema import SubgraphSchema
from subgraphs.ordering.application import (
    AddressInput,
    CancelOrder,
    LineInput,
    PayOrder,
    PlaceOrder,
    ShipOrder,
    check_id,
)
from subgraphs.ordering.domain import Order as OrderAggregate
from subgraphs.ordering.graphql.inputs import CancelOrderInput, PayOrderInput, PlaceOrderInput
from subgraphs.ordering.graphql.live import Subscription
from subgraphs.ordering.graphql.runtime import OrderingRuntime
from subgraphs.ordering.graphql.types import (
    Customer,
    Money,
    Order,
    OrderSort,
    OrderStatus,
    Product,
    order_as_of,
    order_filters,
)
from subgraphs.ordering.projections import OrderView, fold


def _runtime(info: Info) -> OrderingRuntime:
    runtime: OrderingRuntime = info.context["runtime"]
    return runtime


async def _payload(runtime: OrderingRuntime, executed: Executed[OrderAggregate]) -> Order:
    """Read-your-writes: the projection's view once caught up, else the event stream
    (a store down after the commit: OUTCOME_UNKNOWN, saved, by `committed_payload`)."""

    async def read() -> Order:
        if executed.caught_up:
            doc = await OrderView.get(executed.value.id)
            if doc is not None:
                return Order.from_view(doc)
        folded = fold(await runtime.services.store.read_stream(executed.value.id))
        assert folded is not None
        return Order.from_view(folded)

    return await committed_payload(executed, read)


@strawberry.type
class Query:
    @federation.field(
        requires_scopes=[["orders:read"]],
        description="An order by id, or null when there is none. With `asOf`: as it was at "
        "that instant, replayed from its events, with its customer and products as of the "
        "same instant (BAD_USER_INPUT with `extensions.reason` AS_OF_IN_FUTURE or "
        "AS_OF_BEFORE_CREATION for an instant no state answers).",
    )
    async def order(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Order | None:
        order_id = check_id(id, "id", "order")
        if as_of is not None:
            return await order_as_of(info, order_id, as_of)
        doc = await OrderView.get(order_id)
        return Order.from_view(doc) if doc else None

    @federation.field(
        requires_scopes=[["orders:read"]], description="An order by its number (SO-yyyymmdd-nnnn)."
    )
    async def order_by_number(self, number: str) -> Order | None:
        doc = await OrderView.find_one({"number": number.strip().upper()[:40]})
        return Order.from_view(doc) if doc else None

    @federation.field(
        requires_scopes=[["orders:read"]],
        description="Orders by number (`orderBy`, oldest first by default; NUMBER_DESC "
        "for newest first); filter by status, customer, and placement time (`from` "
        "inclusive, `to` exclusive).",
    )
    async def orders(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: OrderStatus | None = None,
        customer_id: strawberry.ID | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        order_by: OrderSort = OrderSort.NUMBER_ASC,
    ) -> Connection[Order]:
        page = await paginate(
            OrderView,
            order_filters(
                status=status,
                customer_id=customer_id,
                placed_from=from_,
                placed_to=to,
            ),
            order_by="number",
            first=first,
            after=after,
            last=last,
            before=before,
            descending=order_by.descending,
        )
        return connection_from_page(page.map(Order.from_view))


@strawberry.type
class Mutation:
    @federation.mutation(
        requires_scopes=[["orders:write"]],
        description="Place an order priced from the catalog; it starts PENDING and the "
        "saga moves it to CONFIRMED or REJECTED once inventory answers.",
    )
    async def place_order(self, info: Info, input: PlaceOrderInput) -> Order:
        runtime = _runtime(info)
        address = input.shipping_address
        command = PlaceOrder(
            order_id=input.id,
            customer_id=input.customer_id,
            lines=[LineInput(product_id=ln.product_id, quantity=ln.quantity) for ln in input.lines],
            shipping_address=AddressInput(
                line1=address.line1,
                line2=address.line2 or "",
                city=address.city,
                postal_code=address.postal_code,
                country=address.country,
            )
            if address
            else None,
        )
        return await _payload(runtime, await runtime.run(runtime.handlers.place, command))

    @federation.mutation(
        requires_scopes=[["orders:write"]],
        description="Pay a CONFIRMED order: the amount must equal the total.",
    )
    async def pay_order(self, info: Info, input: PayOrderInput) -> Order:
        runtime = _runtime(info)
        command = PayOrder(order_id=input.id, method=input.method.value, amount=input.amount)
        return await _payload(runtime, await runtime.run(runtime.handlers.pay, command))

    @federation.mutation(
        requires_scopes=[["orders:write"]],
        description="Ship a PAID order (inventory then commits the stock).",
    )
    async def ship_order(self, info: Info, id: strawberry.ID) -> Order:
        runtime = _runtime(info)
        return await _payload(runtime, await runtime.run(runtime.handlers.ship, ShipOrder(id)))

    @federation.mutation(
        requires_scopes=[["sales:void"]],
        description="Cancel a PENDING, CONFIRMED or PAID order (inventory releases the stock).",
    )
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> Order:
        runtime = _runtime(info)
        command = CancelOrder(order_id=input.id, reason=input.reason or "")
        return await _payload(runtime, await runtime.run(runtime.handlers.cancel, command))


schema = SubgraphSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Money, Order, Customer, Product],
)


def sdl() -> str:
    """What the gateway reads from `_service { sdl }`."""
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.data is not None, result.errors
    text: str = result.data["_service"]["sdl"]
    return text.rstrip("\n") + "\n"
