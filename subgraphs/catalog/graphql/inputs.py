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


@strawberry.input
class ChangeProductPriceInput:
    id: strawberry.ID
    unit_price: MoneyInput


@strawberry.input
class RenameProductInput:
    id: strawberry.ID
    name: str
