"""Ordering GraphQL inputs."""

from __future__ import annotations

import strawberry

from subgraphs.ordering.graphql.types import PaymentMethod


@strawberry.input
class OrderLineInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.input
class ShippingAddressInput:
    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    country: str


@strawberry.input
class PlaceOrderInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional: choose the id (a UUID) to make a retry safe."
    )
    customer_id: strawberry.ID
    lines: list[OrderLineInput]
    shipping_address: ShippingAddressInput | None = strawberry.field(
        default=None, description="Defaults to the customer's address."
    )


@strawberry.input
class PayOrderInput:
    id: strawberry.ID
    method: PaymentMethod
    amount: str = strawberry.field(description="Exactly the order total, as a decimal string.")


@strawberry.input
class CancelOrderInput:
    id: strawberry.ID
    reason: str | None = None
