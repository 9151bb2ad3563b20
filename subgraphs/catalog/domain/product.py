"""The Product aggregate: what can be sold, under which sku, at which price."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from eventbus import Aggregate, Conflict, DomainEvent
from subgraphs.catalog.domain.events import (
    ProductActivated,
    ProductAdded,
    ProductDeactivated,
    ProductPriceChanged,
    ProductRenamed,
)
from subgraphs.catalog.domain.values import Money, parse_name


class Product(Aggregate):
    context: ClassVar[str] = "catalog"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.sku = ""
        self.name = ""
        self.category_id = ""
        self.unit_price = Money(Decimal(0), "EUR")
        self.active = False

    @classmethod
    def add(cls, product_id: str, sku: str, name: str, category_id: str, price: Money) -> Product:
        """A new, active product. `sku` and `price` arrive validated (values.parse_*)."""
        product = cls(product_id)
        product._record(
            ProductAdded(
                product_id=product_id,
                sku=sku,
                name=parse_name(name),
                category_id=category_id,
                unit_price=str(price.amount),
                currency=price.currency,
            )
        )
        return product

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
            case ProductRenamed():
                self.name = event.name
            case ProductPriceChanged():
                self.unit_price = Money(Decimal(event.unit_price), event.currency)
            case ProductDeactivated():
                self.active = False
            case ProductActivated():
                self.active = True
