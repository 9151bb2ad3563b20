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


@strawberry.input
class AdjustStockInput:
    product_id: strawberry.ID
    change: int = strawberry.field(description="Units to add (positive) or remove (negative).")
    reason: str = strawberry.field(description="Why: breakage, stocktake, ...")
