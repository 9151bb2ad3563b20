"""Inventory mutation inputs."""

from __future__ import annotations

import strawberry


@strawberry.input
class ReceiveStockInput:
    product_id: strawberry.ID
    quantity: int = strawberry.field(description="Units delivered; greater than 0.")
    receipt: str = strawberry.field(
        description="Delivery reference; recording the same receipt twice is refused."
    )
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where the goods arrive: a store id, or MAIN (the default)."
    )


@strawberry.input
class AdjustStockInput:
    product_id: strawberry.ID
    change: int = strawberry.field(description="Units to add (positive) or remove (negative).")
    reason: str = strawberry.field(description="Why: breakage, stocktake, ...")
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="A store id, or MAIN (the default)."
    )


@strawberry.input
class StockLineInput:
    product_id: strawberry.ID
    quantity: int = strawberry.field(
        description="Units: sent, greater than 0; received, 0 or more."
    )


@strawberry.input
class CountedLineInput:
    product_id: strawberry.ID
    counted: int = strawberry.field(description="Units found on the shelf; 0 or more.")
