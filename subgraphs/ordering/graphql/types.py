"""Ordering GraphQL types: `Order` (entity), `Customer.orders` (extension), lines that
reference `Product` by key and provide the name captured at order time, shareable `Money`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import strawberry
from strawberry import federation
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

from subgraphs.hosting import history
from subgraphs.hosting.connection import Connection, connection_from_page
from subgraphs.hosting.history import HistoryConnection, StaffMember
from subgraphs.hosting.money import Money
from subgraphs.hosting.pagination import paginate
from subgraphs.ordering.application import check_id
from subgraphs.ordering.projections import AddressDoc, OrderView, evolve

AS_OF = (
    "The instant this state is of (null: now). Set when the entity was asked for `asOf` an "
    "instant; references to other entities answer as of the same instant where their "
    "subgraph keeps history."
)


@strawberry.enum(description="Where an order is in its life.")
class OrderStatus(Enum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


@strawberry.enum(description="The order of an order list.")
class OrderSort(Enum):
    NUMBER_ASC = strawberry.enum_value("NUMBER_ASC", description="Oldest number first.")
    NUMBER_DESC = strawberry.enum_value(
        "NUMBER_DESC", description="Newest number first (what a till screen lists)."
    )

    @property
    def descending(self) -> bool:
        return self is OrderSort.NUMBER_DESC


@strawberry.enum
class PaymentMethod(Enum):
    CASH = "CASH"
    CARD = "CARD"


# Entity stubs carry no description: the owning subgraph describes the type (a second,
# different text is an INCONSISTENT_DESCRIPTION composition hint).
# The second key carries the instant an order was asked for, so that its customer and
# products are answered as of the same instant (docs/history.md).
@federation.type(
    keys=[
        Key(fields=FieldSet("id"), resolvable=False),
        Key(fields=FieldSet("id asOf"), resolvable=False),
    ]
)
class Product:
    id: strawberry.ID
    name: str = federation.field(external=True)
    as_of: datetime | None = strawberry.field(default=None)


@strawberry.type(description="A postal address; `country` is an ISO 3166-1 alpha-2 code.")
class ShippingAddress:
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str

    @classmethod
    def from_doc(cls, doc: AddressDoc) -> ShippingAddress:
        return cls(
            line1=doc.line1,
            line2=doc.line2 or None,
            city=doc.city,
            postal_code=doc.postal_code,
            country=doc.country,
        )


@strawberry.type
class OrderLine:
    product: Product = federation.field(
        provides=["name"], description="The product; `name` as it was when the order was placed."
    )
    sku: str
    quantity: int
    unit_price: Money
    line_total: Money


@strawberry.type
class Payment:
    method: PaymentMethod
    amount: Money
    paid_at: datetime


@strawberry.type(
    description="A paid order's payment given back, in full and by the same method, when "
    "the order was cancelled."
)
class Refund:
    method: PaymentMethod
    amount: Money
    refunded_at: datetime


@strawberry.type(description="Why inventory could not reserve one line.")
class RejectionReason:
    product_id: strawberry.ID
    reason: str
    requested: int | None
    available: int | None


@federation.type(
    keys=["id"],
    requires_scopes=[["orders:read"]],
    description="A customer's order and where it is in its life.",
)
class Order:
    id: strawberry.ID
    number: str = strawberry.field(
        description="Human-readable, sequential per day: SO-yyyymmdd-nnnn."
    )
    customer: Customer
    status: OrderStatus
    lines: list[OrderLine]
    subtotal: Money
    total: Money
    shipping_address: ShippingAddress
    payment: Payment | None
    refund: Refund | None = strawberry.field(
        description="Set once a PAID order is cancelled: the payment refunded."
    )
    rejection_reasons: list[RejectionReason]
    cancellation_reason: str | None
    placed_at: datetime
    placed_by: StaffMember | None = strawberry.field(
        description="The member of staff who placed the order (from the OrderPlaced event's "
        "actor); null for orders placed by the system or before staff signed in."
    )
    confirmed_at: datetime | None
    paid_at: datetime | None
    shipped_at: datetime | None
    cancelled_at: datetime | None
    rejected_at: datetime | None
    version: int = strawberry.field(
        description="The order stream's version this view reflects (the gateway's "
        "subscriptions never push an order older than the event)."
    )
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field(
        description="The events of this order's stream, newest first (up to `asOf`, when "
        "set); `first` at most 100."
    )
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        store = info.context["runtime"].services.store
        return await history.history(
            store, evolve, str(self.id), first=first, after=after, until=self.as_of
        )

    @classmethod
    def from_view(cls, doc: OrderView, as_of: datetime | None = None) -> Order:
        def money(amount: str) -> Money:
            return Money(amount=amount, currency=doc.currency)

        return cls(
            id=strawberry.ID(doc.id),
            number=doc.number,
            customer=Customer(id=strawberry.ID(doc.customer_id), as_of=as_of),
            status=OrderStatus(doc.status),
            lines=[
                OrderLine(
                    product=Product(id=strawberry.ID(line.product_id), name=line.name, as_of=as_of),
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=money(line.unit_price),
                    line_total=money(line.line_total),
                )
                for line in doc.lines
            ],
            subtotal=money(doc.subtotal),
            total=money(doc.total),
            shipping_address=ShippingAddress.from_doc(doc.shipping_address),
            payment=Payment(
                method=PaymentMethod(doc.payment.method),
                amount=Money(amount=doc.payment.amount, currency=doc.payment.currency),
                paid_at=doc.payment.paid_at,
            )
            if doc.payment
            else None,
            refund=Refund(
                method=PaymentMethod(doc.refund.method),
                amount=Money(amount=doc.refund.amount, currency=doc.refund.currency),
                refunded_at=doc.refund.refunded_at,
            )
            if doc.refund
            else None,
            rejection_reasons=[
                RejectionReason(
                    product_id=strawberry.ID(r.product_id),
                    reason=r.reason,
                    requested=r.requested,
                    available=r.available,
                )
                for r in doc.rejection_reasons
            ],
            cancellation_reason=doc.cancellation_reason,
            placed_at=doc.placed_at,
            placed_by=StaffMember(id=strawberry.ID(doc.placed_by)) if doc.placed_by else None,
            confirmed_at=doc.confirmed_at,
            paid_at=doc.paid_at,
            shipped_at=doc.shipped_at,
            cancelled_at=doc.cancelled_at,
            rejected_at=doc.rejected_at,
            version=doc.applied.get(doc.id, 0),
            as_of=as_of,
        )

    @classmethod
    async def resolve_reference(cls, id: strawberry.ID) -> Order | None:
        doc = await OrderView.get(check_id(id, "id", "order"))
        return cls.from_view(doc) if doc else None


async def order_as_of(info: Info, order_id: str, instant: datetime) -> Order | None:
    """The order as it was at `instant`, replayed from its stream (BAD_USER_INPUT for an
    instant in the future or before it was placed), its customer and products as of then."""
    store = info.context["runtime"].services.store
    doc = await history.as_of(store, evolve, order_id, instant)
    return Order.from_view(doc, as_of=instant.astimezone(UTC)) if doc else None


def order_filters(
    *,
    status: OrderStatus | None = None,
    customer_id: str | None = None,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
) -> dict[str, object]:
    filters: dict[str, object] = {}
    if status is not None:
        filters["status"] = status.value
    if customer_id is not None:
        filters["customer_id"] = check_id(customer_id, "customerId", "customer")
    window: dict[str, datetime] = {}
    if placed_from is not None:
        window["$gte"] = placed_from
    if placed_to is not None:
        window["$lt"] = placed_to
    if window:
        filters["placed_at"] = window
    return filters


@federation.type(keys=["id", Key(fields=FieldSet("id asOf"), resolvable=False)])
class Customer:
    id: strawberry.ID
    # no description: the customers subgraph describes the field it owns
    as_of: datetime | None = strawberry.field(default=None)

    @federation.field(
        requires_scopes=[["orders:read"]],
        description="This customer's orders, by number (`orderBy`, oldest first by default).",
    )
    async def orders(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: OrderStatus | None = None,
        order_by: OrderSort = OrderSort.NUMBER_ASC,
    ) -> Connection[Order]:
        page = await paginate(
            OrderView,
            order_filters(status=status, customer_id=str(self.id)),
            order_by="number",
            first=first,
            after=after,
            last=last,
            before=before,
            descending=order_by.descending,
        )
        return connection_from_page(page.map(Order.from_view))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Customer:
        return cls(id=id)
