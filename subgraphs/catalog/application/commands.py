"""Typed commands of the catalog: what a caller asks for, before validation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreateCategory:
    name: str
    category_id: str | None = None


@dataclass(frozen=True)
class AddProduct:
    sku: str
    name: str
    category_id: str
    unit_price: str
    currency: str
    product_id: str | None = None
    barcode: str | None = None
    tax_class: str | None = None
    """None: STANDARD."""


@dataclass(frozen=True)
class ChangeProductPrice:
    product_id: str
    unit_price: str
    currency: str


@dataclass(frozen=True)
class RenameProduct:
    product_id: str
    name: str


@dataclass(frozen=True)
class DeactivateProduct:
    product_id: str


@dataclass(frozen=True)
class ActivateProduct:
    product_id: str


@dataclass(frozen=True)
class SetProductBarcode:
    product_id: str
    barcode: str | None
    """None removes the product's barcode (and frees it for another product)."""


@dataclass(frozen=True)
class SetProductTaxClass:
    product_id: str
    tax_class: str
