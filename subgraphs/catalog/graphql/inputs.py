"""Catalog mutation inputs. Amounts are strings so no decimal is ever rounded by a float."""

from __future__ import annotations

import strawberry


@strawberry.input
class MoneyInput:
    amount: str = strawberry.field(description='A decimal string, e.g. "12.50".')
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")


@strawberry.input
class CreateCategoryInput:
    name: str
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional client-chosen UUID (makes retries safe)."
    )


@strawberry.input
class AddProductInput:
    sku: str
    name: str
    category_id: strawberry.ID
    unit_price: MoneyInput
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional client-chosen UUID (makes retries safe)."
    )
    barcode: str | None = strawberry.field(
        default=None,
        description="Optional EAN-13 (13 digits) or UPC-A (12) code, check digit valid; "
        "unique across products.",
    )
    tax_class: str | None = strawberry.field(
        default=None,
        description="STANDARD (the default), REDUCED, ZERO or a region's own class name.",
    )


@strawberry.input
class ChangeProductPriceInput:
    id: strawberry.ID
    unit_price: MoneyInput


@strawberry.input
class RenameProductInput:
    id: strawberry.ID
    name: str
