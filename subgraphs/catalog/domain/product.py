"""The Product aggregate: what can be sold, under which sku and barcode, at which price and
in which tax class."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from eventbus import Aggregate, Conflict, DomainEvent
from subgraphs.catalog.domain.events import (
    ProductActivated,
    ProductAdded,
    ProductBarcodeSet,
    ProductDeactivated,
    ProductPriceChanged,
    ProductRenamed,
    ProductTaxClassSet,
)
from subgraphs.catalog.domain.values import DEFAULT_TAX_CLASS, Money, parse_name


class Product(Aggregate):
    context: ClassVar[str] = "catalog"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.sku = ""
        self.name = ""
        self.category_id = ""
        self.unit_price = Money(Decimal(0), "EUR")
        self.active = False
        self.barcode: str | None = None
        self.tax_class = DEFAULT_TAX_CLASS

    @classmethod
    def add(
        cls,
        product_id: str,
        sku: str,
        name: str,
        category_id: str,
        price: Money,
        *,
        barcode: str | None = None,
        tax_class: str = DEFAULT_TAX_CLASS,
    ) -> Product:
        """A new, active product. `sku`, `price`, `barcode` and `tax_class` arrive
        validated (values.parse_*, barcode.parse_barcode); the barcode's uniqueness is
        the handler's claim."""
        product = cls(product_id)
        product._record(
            ProductAdded(
                product_id=product_id,
                sku=sku,
                name=parse_name(name),
                category_id=category_id,
                unit_price=str(price.amount),
                currency=price.currency,
                barcode=barcode,
                tax_class=tax_class,
            )
        )
        return product

    def set_barcode(self, barcode: str | None) -> None:
        """Replace (or with None remove) the barcode; the same one again records nothing."""
        if barcode != self.barcode:
            self._record(
                ProductBarcodeSet(
                    product_id=self.id, barcode=barcode, previous_barcode=self.barcode
                )
            )

    def set_tax_class(self, tax_class: str) -> None:
        if tax_class != self.tax_class:
            self._record(
                ProductTaxClassSet(
                    product_id=self.id, tax_class=tax_class, previous_tax_class=self.tax_class
                )
            )

    def rename(self, name: str) -> None:
        clean = parse_name(name)
        if clean != self.name:
            self._record(ProductRenamed(product_id=self.id, name=clean, previous_name=self.name))

    def change_price(self, price: Money) -> None:
        if price != self.unit_price:
            self._record(
                ProductPriceChanged(
                    product_id=self.id,
                    unit_price=str(price.amount),
                    currency=price.currency,
                    previous_unit_price=str(self.unit_price.amount),
                    previous_currency=self.unit_price.currency,
                )
            )

    def deactivate(self) -> None:
        if not self.active:
            raise Conflict(f"product {self.sku} is already inactive", field="id", product=self.id)
        self._record(ProductDeactivated(product_id=self.id))

    def activate(self) -> None:
        if self.active:
            raise Conflict(f"product {self.sku} is already active", field="id", product=self.id)
        self._record(ProductActivated(product_id=self.id))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ProductAdded():
                self.sku = event.sku
                self.name = event.name
                self.category_id = event.category_id
                self.unit_price = Money(Decimal(event.unit_price), event.currency)
                self.active = event.active
                self.barcode = event.barcode
                self.tax_class = event.tax_class
            case ProductBarcodeSet():
                self.barcode = event.barcode
            case ProductTaxClassSet():
                self.tax_class = event.tax_class
            case ProductRenamed():
                self.name = event.name
            case ProductPriceChanged():
                self.unit_price = Money(Decimal(event.unit_price), event.currency)
            case ProductDeactivated():
                self.active = False
            case ProductActivated():
                self.active = True
