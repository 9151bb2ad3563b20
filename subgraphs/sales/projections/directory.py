"""`ProjectedDirectory`: the application's `Directory` port over this context's
projections of catalog and stores events, and the folds of its own views back into
domain aggregates (`sale_of`, `shift_of`, `promotion_of`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from eventbus import Aggregate, DomainEvent
from eventbus.events import registry
from subgraphs.sales.application.ports import ProductInfo, RegisterInfo, StoreInfo
from subgraphs.sales.domain import (
    Promotion,
    Sale,
    Shift,
)
from subgraphs.sales.projections.customers import SaleCustomer
from subgraphs.sales.projections.documents import (
    PromotionView,
    SaleProduct,
    SaleRegister,
    SaleStore,
    SaleTaxRegion,
    SaleView,
    ShiftView,
)


def product_info(doc: SaleProduct) -> ProductInfo:
    return ProductInfo(
        product_id=doc.id,
        sku=doc.sku,
        name=doc.name,
        unit_price=Decimal(doc.unit_price),
        currency=doc.currency,
        active=doc.active,
        tax_class=doc.tax_class,
        barcode=doc.barcode,
    )


def store_info(doc: SaleStore, region: SaleTaxRegion | None) -> StoreInfo:
    return StoreInfo.published(
        store_id=doc.id,
        code=doc.code,
        name=doc.name,
        currency=doc.currency,
        active=doc.active,
        tax_region=doc.tax_region,
        rates=region.rates if region else {},
        pricing_mode=doc.pricing_mode,
        rounding_level=doc.rounding_level,
        rounding_mode=doc.rounding_mode,
        cash_rounding_increment=doc.cash_rounding_increment,
        return_window_days=doc.return_window_days,
        discount_approval_threshold_percent=doc.discount_approval_threshold_percent,
        address=doc.address,
    )


class ProjectedDirectory:
    async def product(self, product_id: str) -> ProductInfo | None:
        doc = await SaleProduct.get(product_id)
        return product_info(doc) if doc else None

    async def product_by_sku(self, sku: str) -> ProductInfo | None:
        doc = await SaleProduct.find_one({"sku": sku})
        return product_info(doc) if doc else None

    async def product_by_barcode(self, gtin13: str) -> ProductInfo | None:
        doc = await SaleProduct.find_one({"gtin13": gtin13})
        return product_info(doc) if doc else None

    async def register(self, register_id: str) -> RegisterInfo | None:
        doc = await SaleRegister.get(register_id)
        if doc is None:
            return None
        return RegisterInfo(doc.id, doc.store_id, doc.code, doc.name, doc.active)

    async def customer_exists(self, customer_id: str) -> bool:
        return await SaleCustomer.get(customer_id) is not None

    async def store(self, store_id: str) -> StoreInfo | None:
        doc = await SaleStore.get(store_id)
        if doc is None:
            return None
        return store_info(doc, await SaleTaxRegion.get(doc.tax_region_id))


def _events(logged: list[dict[str, Any]]) -> list[DomainEvent]:
    out: list[DomainEvent] = []
    for entry in logged:
        decoded = registry.decode(entry["type"], orjson.loads(entry["json"]))
        if isinstance(decoded, DomainEvent):
            out.append(decoded)
    return out


def _fold(cls: type[Aggregate], aggregate_id: str, logged: list[dict[str, Any]]) -> Any:
    return cls.replay(aggregate_id, _events(logged))


def sale_of(view: SaleView) -> Sale:
    sale: Sale = _fold(Sale, view.id, view.events)
    return sale


def shift_of(view: ShiftView) -> Shift:
    shift: Shift = _fold(Shift, view.id, view.events)
    return shift


def promotion_of(view: PromotionView) -> Promotion:
    promotion: Promotion = _fold(Promotion, view.id, view.events)
    return promotion
